"""One writer at a time per index, and a consistency check that finds and repairs chunks without vectors and
vectors without chunks (issue 16, item 3). Real processes, real Chroma, real SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from assistant.write_lock import WriterBusyError
from tests.conftest import ROOT, make_settings

DOC = "某县科普活动通知\n第一条 每年举办科普活动不少于12场。\n第二条 每场活动补助5000元。\n"
OTHER = "某县人才公寓办法\n第一条 引进人才可申请入住人才公寓，租金减半。\n"


@pytest.fixture
def kb(tmp_path, embed_cache):
    from assistant.knowledge_base import KnowledgeBase

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "kepu.txt").write_text(DOC, encoding="utf-8")
    kb = KnowledgeBase(make_settings(tmp_path / "data", embed_cache))
    assert not kb.ingest([tmp_path / "in" / "kepu.txt"]).failed
    yield kb
    kb.close()


def _hold_in_another_process(lock_path):
    """A second process holding the index's write lock (as a running `kechuang ingest` does)."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
            "from assistant.write_lock import WriteLock\n"
            "with WriteLock(Path(sys.argv[1])).hold():\n print('held', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(lock_path), str(ROOT)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_with_a_clear_message_and_readers_go_on(kb, tmp_path):
    (tmp_path / "in" / "rencai.txt").write_text(OTHER, encoding="utf-8")
    holder = _hold_in_another_process(kb.index_dir / "write.lock")
    try:
        with pytest.raises(WriterBusyError, match=f"PID {holder.pid}.*一次只能有一个"):
            kb.ingest([tmp_path / "in" / "rencai.txt"])
        chunk = kb.chunks("kepu.txt")[0]
        for write in (lambda: kb.remove("kepu.txt"), lambda: kb.edit_chunk(chunk.chunk_id, "改"),
                      lambda: kb.set_chunk_disabled(chunk.chunk_id, True)):
            with pytest.raises(WriterBusyError):
                write()
        assert kb.search("科普活动", k=3)  # reading is never blocked
        # the CLI says so in one sentence and exits 1
        env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(kb.settings.cache_dir),
               "PATH": "/usr/bin:/bin"}
        run = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(tmp_path / "in" / "rencai.txt"),
                              "--data-dir", str(kb.settings.data_dir)], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=120)
        assert run.returncode == 1 and "正在写入" in run.stderr and "Traceback" not in run.stderr, run.stderr
    finally:
        holder.kill()
        holder.wait()
    assert kb.ingest([tmp_path / "in" / "rencai.txt"]).files[0].status == "added"  # the lock went with the process


def test_opening_the_index_while_another_process_writes_leaves_its_work_alone(kb, tmp_path, embed_cache):
    """A half-written document is the writer's work in progress: a reader opening the index meanwhile must not
    'recover' it away (that is for after a crash, when nobody holds the lock)."""
    from assistant.knowledge_base import KnowledgeBase
    from assistant.types import Document

    pending = Document(source="busy.txt", title="进行中", text="正在导入的文档。")
    kb._manifest.mark_pending(pending, "busy.txt")
    holder = _hold_in_another_process(kb.index_dir / "write.lock")
    try:
        KnowledgeBase(kb.settings).close()
        assert "busy.txt" in kb._manifest.pending()
    finally:
        holder.kill()
        holder.wait()
    KnowledgeBase(kb.settings).close()  # nobody holds the lock now: an interrupted ingest is cleaned up
    assert "busy.txt" not in kb._manifest.pending()


def test_check_finds_and_repairs_missing_and_orphan_vectors(kb, tmp_path):
    chunks = kb.chunks("kepu.txt")
    assert kb.check() == {"chunks": len(chunks), "vectors": len(chunks), "missing_vectors": 0, "orphan_vectors": 0,
                          "pending": 0, "repaired": False}
    lost = chunks[-1]
    kb._store.delete_ids([lost.chunk_id])  # a write cut off between the two stores
    kb._store.upsert(["ghost"], kb.embeddings.embed_documents(["幽灵向量"]), ["幽灵向量"], [{"source": "gone.txt"}])
    found = kb.check()
    assert (found["missing_vectors"], found["orphan_vectors"], found["repaired"]) == (1, 1, False)
    assert lost.chunk_id not in {c.chunk_id for c in kb.search("每场活动补助5000元", k=5, mode="dense")}
    fixed = kb.check(repair=True)
    assert fixed["repaired"] and kb.check()["missing_vectors"] == 0 and kb.check()["orphan_vectors"] == 0
    assert lost.chunk_id in {c.chunk_id for c in kb.search("每场活动补助5000元", k=5, mode="dense")}
    assert "ghost" not in kb._store.ids()


def test_kb_check_from_the_cli_exits_1_until_repaired(kb, tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    kb._store.delete_ids([kb.chunks("kepu.txt")[0].chunk_id])
    env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(kb.settings.cache_dir)}
    args = ["kb", "check", "--data-dir", str(kb.settings.data_dir)]
    first = CliRunner().invoke(app, args, env=env)
    assert first.exit_code == 1 and "缺向量的分块 1 个" in first.stdout and "--repair" in first.stdout
    assert CliRunner().invoke(app, [*args, "--repair"], env=env).exit_code == 0
    after = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert after.exit_code == 0 and json.loads(after.stdout)["missing_vectors"] == 0


def test_the_server_repairs_the_index_when_it_starts(kb, tmp_path):
    from ui.app import create_server

    kb._store.delete_ids([kb.chunks("kepu.txt")[0].chunk_id])
    start = time.monotonic()
    create_server(kb.settings)
    assert kb.check()["missing_vectors"] == 0 and time.monotonic() - start < 120


def test_a_record_file_cut_off_mid_ingest_is_shown_as_partial_and_finished_next_time(tmp_path, embed_cache):
    """A process killed after 300 of 1,000 records (os._exit inside the manifest's commit, in a child process)
    leaves a file that `kb list` shows as 部分导入 with 300/1000; ingesting it again finishes it."""
    from assistant.knowledge_base import KnowledgeBase

    rows = [{"id": f"N-{i:04d}", "type": "need", "name": f"技术需求{i}", "region": "巴州", "date": "2025-01-01",
             "description": f"棉花加工企业第{i}项技术需求"} for i in range(1000)]
    path = tmp_path / "needs.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    settings = make_settings(tmp_path / "data", embed_cache)
    code = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from assistant import manifest
from assistant.knowledge_base import KnowledgeBase
from tests.conftest import make_settings
done = [0]
commit = manifest.Manifest.commit_document
def crash_after_300(self, *a, **kw):
    commit(self, *a, **kw)
    done[0] += 1
    if done[0] == 300:
        os._exit(9)  # the power goes out
manifest.Manifest.commit_document = crash_after_300
KnowledgeBase(make_settings(Path({str(tmp_path / 'data')!r}), Path({str(embed_cache)!r}))).ingest([Path({str(path)!r})])
"""
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=300).returncode == 9
    kb = KnowledgeBase(settings)
    try:
        row = next(r for r in kb.list_files() if r["file"] == "needs.jsonl")
        assert row["status"] == "partial" and "已导入 300/1000 条" in row["note"] and "再次导入" in row["note"]
        again = kb.ingest([path])
        assert again.files[0].documents == 700 and again.files[0].skipped == 300
        row = next(r for r in kb.list_files() if r["file"] == "needs.jsonl")
        assert row["status"] == "complete" and row["documents"] == 1000 and "中断" not in row["note"]
        assert len(kb.records("need")) == 1000 and kb.check()["missing_vectors"] == 0
    finally:
        kb.close()


def _scans(folder, n: int) -> list:
    """``n`` small scanned pages (PNG): each takes the OCR engine a second or so, long enough to stop between."""
    from PIL import Image, ImageDraw, ImageFont

    from tests.test_ui_kb_journey import _font

    font = ImageFont.truetype(_font(), 32)
    out = []
    for i in range(n):
        img = Image.new("RGB", (900, 300), "white")
        ImageDraw.Draw(img).text((40, 100), f"第{i + 1}号通知：科普活动安排在第{i + 3}周举行。", fill="black", font=font)
        out.append(folder / f"scan{i}.png")
        img.save(out[-1])
    return out


def test_an_ingest_stops_between_files_when_asked(kb, tmp_path):
    files = _scans(tmp_path / "in", 3)
    seen: list[str] = []
    report = kb.ingest(files, on_file=lambda r: seen.append(r.file), stop=lambda: len(seen) >= 1)
    assert [f.file for f in report.files] == ["scan0.png"] and report.not_started == ["scan1.png", "scan2.png"]
    assert report.as_dict()["stopped"] and kb.check()["missing_vectors"] == 0
    assert {r["file"] for r in kb.list_files()} == {"kepu.txt", "scan0.png"}


def test_a_web_upload_and_an_api_job_can_be_stopped(tmp_path, embed_cache):
    import threading

    import httpx

    from tests._server import serving
    from ui import handlers as H

    settings = make_settings(tmp_path / "data", embed_cache)
    svc = H.Services.create(settings)
    files = _scans(tmp_path, 4)
    out: list = []
    worker = threading.Thread(target=lambda: out.append(H.upload_files(svc, [str(f) for f in files])))
    worker.start()
    deadline = time.monotonic() + 60
    while "admin" not in svc.stops:  # the upload is under way
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.02)
    assert "正在停止" in H.stop_upload(svc, H.user_of(svc, None))
    worker.join(timeout=120)
    status = out[0][0]
    assert "已停止" in status and "未导入" in status, status
    assert "没有正在进行的导入" in H.stop_upload(svc, H.user_of(svc, None))
    svc.kb.close()
    with serving(settings) as base, httpx.Client(base_url=base + "/api/v1", timeout=120) as c:
        more = _scans(tmp_path / "more", 4) if (tmp_path / "more").mkdir() is None else []
        started = c.post("/documents", files=[("files", (f.name.replace("scan", "api"), f.read_bytes(), "image/png"))
                                              for f in more], data={"wait": "false"}).json()
        stopped = c.delete(f"/documents/jobs/{started['id']}").json()
        assert stopped["stop"] is True
        while (job := c.get(f"/documents/jobs/{started['id']}").json())["state"] == "running":
            time.sleep(0.2)
        assert job["state"] == "stopped" and job["not_started"] and len(job["files"]) < 4, job
        assert c.delete("/documents/jobs/nope").status_code == 404
