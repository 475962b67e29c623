"""Reliability: hostile and broken input, property tests, a SIGKILL in the middle of an ingest, ingest and
queries at the same time."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import IngestError
from assistant.ingest.clean import Element, clean_elements
from assistant.knowledge_base import KnowledgeBase
from assistant.records import load_records
from tests.conftest import make_settings

DOC = "# 第{i}号科技政策通知\n\n发布日期：2024-01-{d:02d}\n\n第一条 本通知编号为{i}，适用于示例企业第{i}批次。\n\n第二条 支持金额为{i}万元。\n"


def test_huge_file_is_refused_and_the_rest_ingested(fake_settings, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    with open(d / "huge.txt", "wb") as f:  # 100 MB, sparse: nothing is read before the size check
        f.truncate(100 * 1024 * 1024)
    (d / "ok.md").write_text(DOC.format(i=1, d=1), encoding="utf-8")
    kb = KnowledgeBase(fake_settings)
    report = kb.ingest([d])
    by = {f.file: f for f in report.files}
    assert by["huge.txt"].status == "failed" and "超过上限" in by["huge.txt"].errors[0]
    assert "KECHUANG_INGEST__MAX_FILE_MB" in by["huge.txt"].errors[0]
    assert by["ok.md"].status == "added"


def test_a_single_5mb_line_is_chunked_without_losing_text(fake_settings, tmp_path):
    p = tmp_path / "line.txt"
    unit = "科技创新券用于购买检验检测服务且额度按年度核定"
    p.write_text(unit * (5 * 1024 * 1024 // len(unit.encode("utf-8"))), encoding="utf-8")
    kb = KnowledgeBase(fake_settings)
    r = kb.ingest([p]).files[0]
    assert r.status == "added" and r.chunks > 1000
    rows = kb._manifest.chunks_of("line.txt")
    total = sum(len(x["text"]) for x in rows)
    text = p.read_text(encoding="utf-8")
    assert total >= len(text)  # cut by size, nothing dropped (pieces do not overlap, so ≥ is exact coverage)
    assert rows[0]["start"] == 0 and rows[-1]["end"] == len(text)


def test_html_full_of_scripts_and_styles(fake_settings, tmp_path):
    p = tmp_path / "page.html"
    junk = "<script>var a = '科技政策'; document.write('<p>注入</p>');</script><style>p{color:red}</style>" * 200
    p.write_text(f"<html><head><title>某市科技金融政策 - 某网</title>{junk}</head><body>{junk}"
                 "<div class='nav'>首页 政策 服务</div><article><h1>某市科技金融政策</h1>"
                 "<p>发布日期：2024-05-01</p><p>科技型企业贷款贴息比例为50%，每年最高30万元。</p></article>"
                 f"{junk}<div class='footer'>版权所有 备案号12345</div></body></html>", encoding="utf-8")
    kb = KnowledgeBase(fake_settings)
    assert kb.ingest([p]).files[0].status == "added"
    texts = " ".join(x["text"] for x in kb._manifest.chunks_of("page.html"))
    assert "贴息比例为50%" in texts
    for bad in ("document.write", "color:red", "var a", "版权所有", "首页 政策 服务"):
        assert bad not in texts, bad


_TEXT = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
                                   st.sampled_from(list("。，！？：；、（）“”_|-— \t0123456789abcAB版权所有分享到责任编辑"))),
                max_size=120)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, max_size=20))
def test_cleaner_never_crashes_and_only_drops_what_it_reports(lines):
    res = clean_elements([Element("paragraph", x) for x in lines])
    kept = "".join(e.text for e in res.elements)
    dropped = "".join(res.removed)
    original = "".join(x.strip() for x in lines)
    # every non-space character of the input is either kept or reported as removed (pinyin glosses aside)
    import re

    def core(s):
        return re.sub(r"\s+", "", s)

    assert len(core(kept)) + len(core(dropped)) <= len(core(original))
    assert len(core(kept)) + len(core(dropped)) >= len(core(original)) - 9 * original.count("(")


_VALUE = st.one_of(st.none(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
                   st.lists(st.text(max_size=5), max_size=3), st.booleans())


@settings(max_examples=120, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "type", "name", "region", "field", "date", "budget_wan",
                                                 "deadline", "keywords", "members", "conditions", "sample"]),
                                _VALUE, max_size=10), max_size=8))
def test_record_parser_never_crashes(tmp_path_factory, rows):
    p = tmp_path_factory.mktemp("rec") / "needs.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows), encoding="utf-8")
    if not rows:
        with pytest.raises(IngestError, match="文件为空"):  # a whole-file problem is one clear error
            load_records(p)
        return
    good, errors = load_records(p)
    assert len(good) + len(errors) == len([r for r in rows])
    assert all(e.source == "needs.jsonl" and e.row for e in errors)


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(str(db))
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_sigkill_midway_leaves_no_half_document_and_rerun_completes(tmp_path, embed_cache):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(400):
        (docs / f"n{i:03d}.md").write_text(DOC.format(i=i, d=i % 28 + 1), encoding="utf-8")
    settings_ = make_settings(tmp_path / "data", embed_cache)
    env = {**os.environ, "KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(embed_cache)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(docs), "--data-dir",
                             str(settings_.data_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kb_probe = KnowledgeBase(settings_)  # creates the index directory the child also uses
    manifest = kb_probe._manifest.path
    kb_probe.close()
    deadline = time.time() + 120
    while time.time() < deadline:
        if manifest.exists() and _count(manifest, "SELECT COUNT(*) FROM documents WHERE status='complete'") >= 20:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _count(manifest, "SELECT COUNT(*) FROM documents WHERE status='complete'")
    assert 20 <= done_before < 400, "the kill must land in the middle of the ingest"
    kb = KnowledgeBase(settings_)  # reopening cleans up what the killed process left pending
    s = kb.stats()
    assert s["pending"] == 0 and s["chunks"] == s["vectors"]
    for row in kb._manifest.documents():
        assert row["n_chunks"] == len(kb._manifest.chunk_ids(row["source"]))
    report = kb.ingest([docs])
    assert not report.failed
    s = kb.stats()
    assert s["documents"] == 400 and s["chunks"] == s["vectors"]
    ids = kb._manifest.complete_chunk_ids()
    assert len(ids) == len(set(ids))


def test_ingest_and_queries_at_the_same_time(fake_settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(120):
        (docs / f"c{i:03d}.md").write_text(DOC.format(i=i, d=i % 28 + 1), encoding="utf-8")
    kb = KnowledgeBase(fake_settings)
    kb.ingest([docs / "c000.md"])
    searcher = kb
    errors: list[BaseException] = []
    results: list[int] = []
    stop = threading.Event()

    def query_loop():
        while not stop.is_set():
            try:
                results.append(len(searcher.search("科技政策通知 支持金额", k=5)))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=query_loop) for _ in range(3)]
    for t in threads:
        t.start()
    report = kb.ingest([docs])
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors[:3]
    assert len(results) > 10 and all(n >= 1 for n in results)
    assert not report.failed and kb.stats()["documents"] == 120
    s = kb.stats()
    assert s["chunks"] == s["vectors"]
