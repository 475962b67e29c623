"""What an ingest has done and has left, as people read it: files done of total, chunks written, time spent,
rate, and time left estimated from the bytes still to read (a 10 MB PDF weighs more than a 2 KB note).

The knowledge base reports each file as it starts and ends (``progress`` and ``on_file``); this turns those calls
into one line per file, printed as they come by `kechuang ingest` and `kechuang serve --ingest` (``make run``)
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
    """``started(name, i, n)`` and ``finished(result)`` are the knowledge base's ``progress`` and ``on_file``
    callbacks; ``line`` receives one line per finished file."""

    def __init__(self, files: Iterable[Path], line: Callable[[str], None], clock=time.monotonic):
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

    def started(self, name: str, i: int, n: int) -> None:
        self.total = n

    def finished(self, result) -> None:
        self.done += 1
        self.done_bytes += self.sizes.get(result.file, 0)
        self.chunks += result.chunks
        self.line(self.describe(result))

    def describe(self, result) -> str:
        head = f"[{self.done}/{self.total or self.done}] {result.file}：{STATUS.get(result.status, result.status)}"
        return head + (f" {result.chunks} 个分块" if result.chunks else "") + " · " + self.so_far()

    def so_far(self) -> str:
        """Chunks written, time spent, rate and time left of the whole ingest."""
        spent = self.clock() - self.t0
        parts = [f"累计 {self.chunks} 个分块", f"已用 {_clock(spent)}"]
        if spent > 0 and self.chunks:
            parts.append(f"{self.chunks / spent:.1f} 块/秒")
        if self.total - self.done > 0 and self.done_bytes:
            parts.append(f"约剩 {_clock(spent * (self.total_bytes - self.done_bytes) / self.done_bytes)}")
        return " · ".join(parts)
