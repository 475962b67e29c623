"""Files are read in a worker process with a memory and a time budget, and an ingest can be stopped in the middle
of a file (issue 16: "Ingest runs in a worker process with a memory and time budget and can be cancelled; one bad
file fails alone"). The heavy file is real: a Markdown document of two million characters, which the parser needs
about 15 s and 350 MB to read on this machine; the budgets are set below that."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from assistant.ingest import worker
from assistant.ingest.documents import build_document
from tests.conftest import CORPORA, make_settings

OK_TEXT = "科普活动通知\n\n本区科普活动周安排在5月第三周举行，由区科协组织。"


def _big_markdown(path: Path, chars: int = 2_000_000) -> Path:
    para = "高新技术企业认定管理办法规定了研究开发费用、高新技术产品收入和科技人员占比等条件。" * 12 + "\n\n"
    path.write_text("# 一份很长的文件\n\n" + para * (chars // len(para)), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    (tmp_path / "in").mkdir()
    big = _big_markdown(tmp_path / "in" / "超长文件.md")
    ok = tmp_path / "in" / "kepu.txt"
    ok.write_text(OK_TEXT, encoding="utf-8")
    yield big, ok
    big.unlink()


def _kb(tmp_path, embed_cache, **ingest):
    from assistant.knowledge_base import KnowledgeBase

    return KnowledgeBase(make_settings(tmp_path / "data", embed_cache, ingest=ingest))


def _fails_alone(kb, report, big: Path, ok: Path) -> str:
    """The big file failed with one message, the small one after it is in the index, and the index is whole."""
    by_file = {f.file: f for f in report.files}
    assert by_file[big.name].status == "failed" and by_file[ok.name].status == "added", report.as_dict()
    assert {r["file"] for r in kb.list_files()} == {ok.name}
    assert kb.search("科普活动周什么时候举行", k=1)[0].source == ok.name
    assert kb.check()["missing_vectors"] == 0
    return by_file[big.name].errors[0]


def test_a_file_past_the_memory_budget_fails_alone(tmp_path, embed_cache, files):
    big, ok = files
    kb = _kb(tmp_path, embed_cache, worker_memory_mb=200)
    try:
        started = time.monotonic()
        error = _fails_alone(kb, kb.ingest([big, ok]), big, ok)
        assert "读取时内存超过 200 MB" in error and "KECHUANG_INGEST__WORKER_MEMORY_MB" in error, error
        assert time.monotonic() - started < 30
    finally:
        kb.close()


def test_a_file_past_the_time_budget_fails_alone(tmp_path, embed_cache, files):
    big, ok = files
    kb = _kb(tmp_path, embed_cache, file_timeout_s=1)
    try:
        started = time.monotonic()
        error = _fails_alone(kb, kb.ingest([big, ok]), big, ok)
        assert "读取超过 1 秒" in error and "KECHUANG_INGEST__FILE_TIMEOUT_S" in error, error
        assert time.monotonic() - started < 20  # reading it whole takes about 15 s on this machine
    finally:
        kb.close()


def test_an_ingest_is_stopped_in_the_middle_of_a_file(tmp_path, embed_cache, files):
    big, ok = files
    kb = _kb(tmp_path, embed_cache)
    try:
        kb.ingest([ok])  # the worker is up
        before = worker.shared().started
        ok.write_text(OK_TEXT + "\n\n活动地点在区科技馆。", encoding="utf-8")
        t0 = time.monotonic()
        report = kb.ingest([big, ok], stop=lambda: time.monotonic() > t0 + 1.0)
        elapsed = time.monotonic() - t0
        assert report.files == [] and report.not_started == [big.name, ok.name], report.as_dict()
        assert report.as_dict()["stopped"] and elapsed < 5, elapsed
        assert {r["file"] for r in kb.list_files()} == {ok.name} and kb.check()["missing_vectors"] == 0
        again = kb.ingest([ok])  # the next ingest gets a fresh worker and the changed file
        assert again.files[0].status == "updated" and worker.shared().started == before + 1
    finally:
        kb.close()


def test_a_worker_that_dies_fails_its_file_alone(tmp_path, embed_cache, files):
    big, ok = files
    kb = _kb(tmp_path, embed_cache)
    w = worker.shared()

    def kill_while_reading():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if w.pid and (worker.rss_mb(w.pid) or 0) > 120:  # it is reading the big file
                os.kill(w.pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    try:
        killer = threading.Thread(target=kill_while_reading)
        killer.start()
        error = _fails_alone(kb, kb.ingest([big, ok]), big, ok)
        killer.join()
        assert "读取文件的进程意外退出" in error and "其他文件不受影响" in error, error
    finally:
        kb.close()


def test_the_worker_serves_many_files_and_reads_them_as_the_server_would(tmp_path, embed_cache):
    names = ["national_high_tech_enterprise.md", "bazhou_academician_workstation.docx",
             "chengdu_tech_finance_loan.pdf"]
    paths = [next(CORPORA.rglob(n)) for n in names]
    kb = _kb(tmp_path, embed_cache)
    try:
        kb.ingest(paths[:1])
        before = worker.shared().started
        report = kb.ingest(paths)
        assert worker.shared().started == before  # one worker for every file, not one per file
        assert not report.failed
        for p in paths:  # what the worker returns is what reading in this process gives
            here = build_document(p, p.name, 10**8, kb.settings.ingest, kb.settings.cache_dir)
            there = worker.read_document(p, p.name, 10**8, kb.settings.ingest, kb.settings.cache_dir)
            assert there.model_dump() == here.model_dump()
    finally:
        kb.close()


def test_errors_raised_while_reading_come_back_with_their_message(tmp_path):
    from assistant.errors import IngestError
    from assistant.settings import IngestSettings

    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="文件为空") as info:
        worker.read_document(empty, empty.name, 10**6, IngestSettings(), None)
    assert info.value.source == empty.name


def test_the_worker_has_no_network(tmp_path):
    """`block_network` is what the worker runs first; here it runs in a child process of its own, against a
    listening loopback socket, which it must not reach (nor resolve a name)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = ("import socket\nfrom assistant.ingest.worker import block_network\nblock_network()\nout = []\n"
                f"for attempt in (lambda: socket.create_connection(('127.0.0.1', {port}), timeout=2),\n"
                f"                lambda: socket.socket().connect(('127.0.0.1', {port})),\n"
                "                lambda: socket.getaddrinfo('example.org', 80)):\n"
                "    try:\n        attempt()\n        out.append('reached')\n"
                "    except OSError as exc:\n        out.append(str(exc))\nprint(out)\n")
        probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               cwd=Path(__file__).resolve().parents[1])
    assert probe.returncode == 0, probe.stderr
    assert "reached" not in probe.stdout and probe.stdout.count("不访问网络") == 3, probe.stdout


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text(encoding="utf-8")
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            out.append(int(status.parent.name))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _start_cli_ingest(tmp_path, embed_cache, folder):
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(embed_cache)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(folder), "--data-dir",
                             str(tmp_path / "cli-data")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (readers := [c for c in _children(proc.pid) if "assistant.ingest.worker" in _cmdline(c)]):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()[0]
        time.sleep(0.05)
    time.sleep(1.0)  # it is reading the big file (15 s)
    return proc, readers[0]


def test_ctrl_c_in_the_cli_stops_within_the_file_and_says_what_was_left(tmp_path, embed_cache, files):
    big, _ = files
    proc, reader = _start_cli_ingest(tmp_path, embed_cache, big.parent)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends it: to the process group, the worker included
    out = proc.communicate(timeout=60)[0]
    assert time.monotonic() - t0 < 5 and proc.returncode == 130, out
    assert "正在停止导入" in out and "已停止" in out and big.name in out and "Traceback" not in out, out
    assert not Path(f"/proc/{reader}").exists() or "assistant.ingest.worker" not in _cmdline(reader)


def test_a_worker_whose_parent_is_killed_stops_reading(tmp_path, embed_cache, files):
    big, _ = files
    proc, reader = _start_cli_ingest(tmp_path, embed_cache, big.parent)
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 5  # it would read on for about 14 s more
    while "assistant.ingest.worker" in _cmdline(reader):
        assert time.monotonic() < deadline, "the orphaned worker is still reading"
        time.sleep(0.1)
