"""What an ingest has done and has left, as people read it: files done of total, chunks written, time spent,
rate, and time left estimated from the bytes still to read (a 10 MB PDF weighs more than a 2 KB note).

The knowledge base reports each file as it starts and ends and each batch of embeddings within it (``progress``,
``on_file``, ``on_batch``); this turns those calls into one line per file (and one every ten seconds within a long
file: chunks embedded of the file's, embedding tokens per second), printed as they come by `kechuang ingest` and `kechuang serve --ingest` (``make run``)
whether or not their output is a terminal, so a log shows how far a long first ingest is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

STATUS = {"added": "新增", "updated": "更新", "unchanged": "未变", "duplicate": "重复", "partial": "部分导入",
          "failed": "失败"}


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class IngestProgress:
    """``started(name, i, n)``, ``batch(name, done, total, tokens)`` and ``finished(result)`` are the knowledge
    base's ``progress``, ``on_batch`` and ``on_file`` callbacks; ``line`` receives one line per finished file, and
    one every ``interval`` seconds while a long file is embedded."""

    def __init__(self, files: Iterable[Path], line: Callable[[str], None], clock=time.monotonic,
                 interval: float = 10.0):
        self.sizes = {}
        for f in files:
            try:
                self.sizes[f.name] = self.sizes.get(f.name, 0) + f.stat().st_size
            except OSError:
                self.sizes[f.name] = self.sizes.get(f.name, 0)
        self.total_bytes = sum(self.sizes.values()) or 1
        self.line, self.clock = line, clock
        self.t0 = clock()
        self.total = 0
        self.done = 0
        self.done_bytes = 0
        self.chunks = 0
        self.tokens = 0  # embedding-model tokens, when the model counts them
        self.interval = interval
        self.last_line = self.t0
        self.partial = 0.0  # bytes of the file in progress, in proportion to its chunks embedded

    def started(self, name: str, i: int, n: int) -> None:
        self.total = n

    def batch(self, name: str, done: int, total: int, tokens: int | None) -> None:
        self.tokens += tokens or 0
        self.partial = self.sizes.get(name, 0) * done / max(total, 1)
        now = self.clock()
        if done < total and now - self.last_line >= self.interval:
            self.last_line = now
            self.line(f"[{self.done + 1}/{self.total or self.done + 1}] {name}：已嵌入 {done}/{total} 个分块 · "
                      + self.so_far(embedding=done))

    def finished(self, result) -> None:
        self.done += 1
        self.done_bytes += self.sizes.get(result.file, 0)
        self.partial = 0.0
        self.chunks += result.chunks
        self.last_line = self.clock()
        self.line(self.describe(result))

    def describe(self, result) -> str:
        head = f"[{self.done}/{self.total or self.done}] {result.file}：{STATUS.get(result.status, result.status)}"
        return head + (f" {result.chunks} 个分块" if result.chunks else "") + " · " + self.so_far()

    @property
    def share(self) -> float:
        """How much of the whole ingest is done, 0–1, by bytes: the files finished, and the file in progress in
        proportion to its chunks embedded (a progress bar that moves within a long file)."""
        return min(1.0, self._bytes_done / self.total_bytes)

    @property
    def _bytes_done(self) -> float:
        return self.done_bytes + self.partial

    def so_far(self, embedding: int = 0) -> str:
        """Chunks written, time spent, rates and time left of the whole ingest (``embedding``: chunks of the file
        in progress embedded so far, counted in the rate)."""
        spent = self.clock() - self.t0
        chunks = self.chunks + embedding
        parts = [f"累计 {chunks} 个分块", f"已用 {_clock(spent)}"]
        if spent > 0 and chunks:
            parts.append(f"{chunks / spent:.1f} 块/秒")
        if spent > 0 and self.tokens:
            parts.append(f"{self.tokens / spent:.0f} 词元/秒")
        if self.total - self.done > 0 and (done := self._bytes_done):
            parts.append(f"约剩 {_clock(spent * (self.total_bytes - done) / done)}")
        return " · ".join(parts)
