"""One writer at a time per index: an exclusive lock on a file beside the manifest, held while anything changes
the index (ingest, remove, chunk edits, knowledge-base deletion).

Within one process (the server's threads) a second writer waits its turn; another process (a second
`kechuang ingest` into the same `--data-dir`) is refused at once with a message naming the holder, instead of
interleaving its vectors with the first one's (two concurrent ingests had left 120 vectors unreadable while the
manifest still looked consistent). The lock is the operating system's (``flock``), so a killed writer releases it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import StoreError


class WriterBusyError(StoreError):
    """Another process is writing to this index; the message says which and what to do."""


class WriteLock:
    def __init__(self, path: Path):
        self.path = path
        self._thread = threading.RLock()
        self._fd: int | None = None
        self._depth = 0
        self._owner: int | None = None

    def _acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def _holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def writing_elsewhere(self) -> bool:
        """Whether another thread of this process is writing now (an ingest while questions are asked)."""
        owner = self._owner
        return owner is not None and owner != threading.get_ident()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock (re-entrant within a thread); WriterBusyError when another process holds it."""
        with self._thread:
            if self._depth == 0 and not self._acquire():
                raise WriterBusyError(f"另一个进程（PID {self._holder()}）正在写入这个知识库（{self.path.parent}）。"
                                 "请等它完成后再试；同一数据目录一次只能有一个导入或修改。")
            self._depth += 1
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = None
