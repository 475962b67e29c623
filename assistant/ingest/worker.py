"""Files are read in a worker process with a memory and a time budget, and can be stopped while one is read.

Reading is the step that runs on untrusted bytes: a file within every declared limit may still make a parser
allocate gigabytes or run for minutes (a PDF with pathological streams, a scan OCR'd page by page, a converter that
hangs). So the knowledge base never parses in its own process: it hands each file to one worker process (a fresh
``python -m assistant.ingest.worker``, so it inherits neither the server's threads nor its locks, and needs no
``if __name__ == "__main__"`` guard in the caller's script) and waits, checking meanwhile

- the worker's resident memory (``/proc/PID/status``) against ``ingest.worker_memory_mb``,
- the time spent on this file against ``ingest.file_timeout_s``,
- the caller's ``stop()`` (the 停止导入 button, ``DELETE /documents/jobs/{id}``, Ctrl+C in the CLI).

When one is exceeded the worker is killed (nothing it did touches the index: it only returns a parsed document)
and the file fails alone with a message naming the setting to raise; the next file gets a fresh worker. Between
files the worker stays up (its imports and the OCR models load once) and exits by itself after ``IDLE_S`` unused.

Only parsing runs in the worker; chunking, embedding and writing stay with the knowledge base, which holds the
index's write lock.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assistant.errors import IngestError

log = logging.getLogger(__name__)

IDLE_S = 300.0  # an unused worker exits after this long (it may hold the OCR models: hundreds of MB)
POLL_S = 0.05


class IngestStopped(IngestError):  # noqa: N818 - it is a stop, not an error: the name says what happened
    """The caller asked to stop while this file was being read; the file was not ingested."""


# -- what runs in the worker --------------------------------------------------------------------------------------

def _read_document(path: str, source: str, max_bytes: int, ingest, cache_dir):
    from assistant.ingest.documents import build_document

    return build_document(Path(path), source, max_bytes, ingest, Path(cache_dir) if cache_dir else None)


def _read_records(path: str, ingest):
    from assistant.records import load_records

    return load_records(Path(path), ingest)


TASKS: dict[str, Callable[..., Any]] = {"document": _read_document, "records": _read_records}


def _serve(conn) -> None:
    """The worker's loop: one task at a time, each answered ``("ok", value)`` or ``("error", exception)``."""
    while conn.poll(IDLE_S):
        try:
            kind, args = conn.recv()
        except EOFError:
            return
        try:
            reply = ("ok", TASKS[kind](*args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent as the file's error
            if not isinstance(exc, IngestError):  # a parser's own failure: its traceback goes to the server's log
                import traceback

                traceback.print_exc(file=sys.stderr)
            name = args[1] if kind == "document" else Path(args[0]).name
            reply = ("error", exc if isinstance(exc, IngestError) else
                     IngestError(f"{name}: 读取失败（{type(exc).__name__}: {exc}）", source=name))
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send(("error", IngestError(f"读取结果无法传回（{type(exc).__name__}: {exc}）")))


class _Pipe:
    """Two one-way pipes used as one connection (``multiprocessing.connection.Connection`` framing)."""

    def __init__(self, read_fd: int, write_fd: int):
        self._r = Connection(read_fd, writable=False)
        self._w = Connection(write_fd, readable=False)

    def poll(self, timeout: float) -> bool:
        return self._r.poll(timeout)

    def recv(self):
        return self._r.recv()

    def send(self, obj) -> None:
        self._w.send(obj)

    def close(self) -> None:
        self._r.close()
        self._w.close()


def block_network() -> None:
    """No internet connection or name lookup from this process: reading a file never needs one, and a parser must
    not be made to fetch what a document points at. Local (Unix) sockets still work."""
    import socket

    def refuse(*_args, **_kwargs):
        raise OSError("读取文件的进程不访问网络。")

    class _LocalOnly(socket.socket):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                refuse()
            return super().connect(address)

        connect_ex = connect

    socket.socket = _LocalOnly  # type: ignore[misc]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def main(argv: list[str]) -> None:
    """The worker process: ``python -m assistant.ingest.worker READ_FD WRITE_FD``. Its standard output goes to
    standard error, so that nothing a library prints can reach the pipe; it has no network."""
    import signal

    conn = _Pipe(int(argv[0]), int(argv[1]))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the parent decides
    block_network()
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _serve(conn)


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (killed mid-read) stops reading at once instead of finishing for nobody."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(3)


# -- the parent's side -------------------------------------------------------------------------------------------

def rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (Linux), or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


class ReadWorker:
    """One worker process, used by one caller at a time (a lock), restarted after it is killed or exits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None
        self._env: dict[str, str] = {}
        self.started = 0  # how many worker processes this object started (tests check reuse and restarts)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _ensure(self):
        env = dict(os.environ)
        if self._proc is not None and self._proc.poll() is None and env == self._env:
            return
        self._discard()  # not started, exited, or the environment changed (PATH names soffice, for one)
        self._env = env
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        root = str(Path(__file__).resolve().parents[2])
        env = {**env, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.ingest.worker", str(to_child), str(from_child)],
            pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, env=env, close_fds=True)
        os.close(to_child)
        os.close(from_child)
        self._conn = _Pipe(to_parent, from_parent)
        self.started += 1

    def _discard(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log.warning("read worker %s did not exit after SIGKILL", self._proc.pid)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        with self._lock:
            self._discard()

    def run(self, kind: str, args: tuple, *, name: str, memory_mb: float, timeout_s: float,
            stop: Callable[[], bool] | None = None) -> Any:
        """Run task ``kind`` on ``args`` in the worker and return its value; its IngestError is raised here. The
        budgets hold for this one call; ``stop()`` is asked every few milliseconds."""
        with self._lock:
            self._ensure()
            started = time.monotonic()
            try:
                self._conn.send((kind, args))
            except (BrokenPipeError, OSError):  # it exited (idle) between the check and the send: start another
                self._discard()
                self._ensure()
                self._conn.send((kind, args))
            try:
                return self._wait(name, started, memory_mb, timeout_s, stop)
            except KeyboardInterrupt:  # Ctrl+C in the CLI: the file is abandoned with its worker
                self._discard()
                raise

    def _wait(self, name: str, started: float, memory_mb: float, timeout_s: float,
              stop: Callable[[], bool] | None) -> Any:
        """Wait for the worker's answer, watching its memory, the time and ``stop()``."""
        while True:
            lost = False
            try:
                if self._conn.poll(POLL_S):
                    status, value = self._conn.recv()
                    if status == "ok":
                        return value
                    raise value
            except (EOFError, OSError):  # the worker died (its end of the pipe closed)
                lost = True
            if lost or self._proc.poll() is not None:
                try:
                    code = self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    code = None
                self._discard()
                raise IngestError(f"{name}: 读取文件的进程意外退出（退出码 {code}），可能是内存不足或文件触发了解析器的缺陷。"
                                  "文件未导入；其他文件不受影响。", source=name)
            if stop is not None and stop():
                self._discard()
                raise IngestStopped(f"{name}: 已停止，本文件未导入。", source=name)
            elapsed = time.monotonic() - started
            if elapsed > timeout_s:
                self._discard()
                raise IngestError(f"{name}: 读取超过 {timeout_s:g} 秒仍未完成，已停止（设置项 KECHUANG_INGEST__FILE_TIMEOUT_S）。"
                                  "请拆分文件，或确认它不是损坏或异常的文件。", source=name)
            used = rss_mb(self._proc.pid)
            if used is not None and used > memory_mb:
                self._discard()
                raise IngestError(f"{name}: 读取时内存超过 {memory_mb:g} MB（已用 {used:.0f} MB），已停止（设置项 "
                                  "KECHUANG_INGEST__WORKER_MEMORY_MB）。文件可能异常庞大或是压缩炸弹；如确为正常文件，请拆分。",
                                  source=name)


_shared: ReadWorker | None = None
_shared_lock = threading.Lock()


def shared() -> ReadWorker:
    """The process's read worker (every knowledge base in a process shares it; it serves one file at a time)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ReadWorker()
        return _shared


def read_document(path: Path, source: str, max_bytes: int, ingest, cache_dir: Path | None, *,
                  stop: Callable[[], bool] | None = None):
    return shared().run("document", (str(path), source, max_bytes, ingest, str(cache_dir) if cache_dir else None),
                        name=source, memory_mb=ingest.worker_memory_mb, timeout_s=ingest.file_timeout_s, stop=stop)


def read_records(path: Path, ingest, *, stop: Callable[[], bool] | None = None):
    return shared().run("records", (str(path), ingest), name=path.name, memory_mb=ingest.worker_memory_mb,
                        timeout_s=ingest.file_timeout_s, stop=stop)


if __name__ == "__main__":
    main(sys.argv[1:])

__all__ = ["IngestStopped", "ReadWorker", "read_document", "read_records", "rss_mb", "shared"]
