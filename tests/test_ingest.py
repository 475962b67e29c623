"""Idempotent, incremental ingest with the deterministic fake embeddings and a real embedded Chroma."""

import json
import shutil
from pathlib import Path

import pytest

from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters

POLICY_MD = """# 某市科技创新券管理办法

发布日期：2024-03-01

## 第一章 总则

第一条 为降低中小企业研发成本，设立科技创新券。

## 第二章 支持标准

第二条 每家企业每年申领创新券额度不超过20万元。

第三条 创新券可用于购买检验检测、技术开发等服务。
"""


def _write(p: Path, text: str, enc: str = "utf-8") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(enc))
    return p


@pytest.fixture
def kb(fake_settings):
    kb = KnowledgeBase(fake_settings)
    yield kb
    kb.close()


def test_reingest_is_a_no_op_and_a_change_replaces_chunks(kb, tmp_path):
    src = _write(tmp_path / "docs" / "quan.md", POLICY_MD)
    r1 = kb.ingest([src.parent])
    assert r1.files[0].status == "added" and r1.chunks > 0
    n = kb.stats()["chunks"]
    assert kb.stats()["vectors"] == n
    r2 = kb.ingest([src.parent])
    assert r2.files[0].status == "unchanged" and r2.chunks == 0
    assert kb.stats()["chunks"] == n
    _write(src, POLICY_MD.replace("20万元", "30万元"))
    r3 = kb.ingest([src.parent])
    assert r3.files[0].status == "updated"
    s = kb.stats()
    assert s["chunks"] == s["vectors"]  # old chunks are gone from Chroma too
    hits = kb.search("创新券额度", k=3)
    assert any("30万元" in c.text for c in hits) and not any("20万元" in c.text for c in hits)


def test_same_content_under_another_name_is_indexed_once(kb, tmp_path):
    _write(tmp_path / "a" / "policy.md", POLICY_MD)
    _write(tmp_path / "a" / "policy-repost.md", POLICY_MD + "\n\n分享到：\n")  # footer differs only
    report = kb.ingest([tmp_path / "a"])
    statuses = sorted(f.status for f in report.files)
    assert statuses == ["added", "duplicate"]
    s = kb.stats()
    assert s["duplicates"] == 1 and s["documents"] == 1
    ids = [c.chunk_id for c in kb.search("科技创新券", k=20)]
    assert len(ids) == len(set(ids))


def test_embeddings_are_cached_by_content(fake_settings, tmp_path):
    src = _write(tmp_path / "d" / "quan.md", POLICY_MD)
    fake_settings = fake_settings.model_copy(update={"cache_dir": tmp_path / "fresh-cache"})
    kb1 = KnowledgeBase(fake_settings)
    kb1.ingest([src])
    assert kb1.embeddings.misses > 0
    other = fake_settings.model_copy(update={"data_dir": tmp_path / "other"})
    kb2 = KnowledgeBase(other)
    kb2.ingest([src])
    assert kb2.embeddings.misses == 0 and kb2.embeddings.hits > 0


def test_remove_and_list(kb, tmp_path):
    _write(tmp_path / "d" / "quan.md", POLICY_MD)
    kb.ingest([tmp_path / "d"])
    assert [f["file"] for f in kb.list_files()] == ["quan.md"]
    kb.remove("quan.md")
    assert kb.list_files() == [] and kb.stats()["vectors"] == 0
    with pytest.raises(Exception, match="kb list"):
        kb.remove("quan.md")


def test_broken_folder_gives_a_per_file_report_and_loses_nothing_good(kb, tmp_path):
    d = tmp_path / "mixed"
    _write(d / "good.md", POLICY_MD)
    _write(d / "gbk.txt", "某县科技特派员工作简报\n今年共选派科技特派员120名，服务农户3000户。\n", "gbk")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "corrupt.docx").write_bytes(b"PK\x03\x04 this is not a real docx")
    (d / "corrupt.pdf").write_bytes(b"%PDF-1.4 garbage")
    _write(d / "needs.csv", "id,name,region,field,budget_wan\nneed-a,除杂技术,巴州,纺织服装,50\n"
                            "need-b,,巴州,纺织服装,10\nneed-c,节水灌溉,巴州,现代农业,很多\nneed-d,香梨保鲜,巴州,现代农业,\n")
    report = kb.ingest([d])
    by = {f.file: f for f in report.files}
    assert by["good.md"].status == "added"
    assert by["gbk.txt"].status == "added"
    assert by["empty.txt"].status == "failed" and "空" in by["empty.txt"].errors[0]
    assert by["binary.txt"].status == "failed" and "二进制" in by["binary.txt"].errors[0]
    assert by["corrupt.docx"].status == "failed" and "DOCX" in by["corrupt.docx"].errors[0]
    assert by["corrupt.pdf"].status == "failed" and "PDF" in by["corrupt.pdf"].errors[0]
    assert by["needs.csv"].status == "partial" and by["needs.csv"].documents == 2
    assert any("第 3 行" in e and "name" in e for e in by["needs.csv"].errors)
    assert any("第 4 行" in e and "budget_wan" in e for e in by["needs.csv"].errors)
    hits = kb.search("科技特派员 服务农户", k=3)
    assert hits[0].source == "gbk.txt"
    hits = kb.search("香梨保鲜", k=3, filters=SearchFilters(types=["need"]))
    assert hits[0].source == "need-d"


def test_records_removed_from_a_file_leave_the_index(kb, tmp_path):
    p = tmp_path / "r" / "needs.json"
    recs = [{"id": f"need-{i}", "name": f"需求{i}", "region": "巴州", "field": "新能源"} for i in range(3)]
    _write(p, json.dumps(recs, ensure_ascii=False))
    kb.ingest([p])
    assert kb.stats()["records"] == 3
    _write(p, json.dumps(recs[:2], ensure_ascii=False))
    kb.ingest([p])
    assert kb.stats()["records"] == 2 and kb.stats()["vectors"] == 2
    kb.remove("needs.json")
    assert kb.stats()["records"] == 0


def test_interrupted_ingest_is_cleaned_up_and_completed(fake_settings, tmp_path):
    src = _write(tmp_path / "d" / "quan.md", POLICY_MD)
    kb = KnowledgeBase(fake_settings)
    from assistant.ingest.documents import build_document

    doc = build_document(src, "quan.md", 10**6)
    chunks = kb._chunker.chunk(doc)
    # Simulate a crash after the vectors were written but before the manifest commit.
    kb._manifest.mark_pending(doc, "quan.md")
    kb._store.upsert([c.chunk_id for c in chunks], kb.embeddings.embed_documents([c.embed_text() for c in chunks]),
                    [c.text for c in chunks], [c.metadata for c in chunks])
    assert kb.search("创新券", k=5) == []  # a pending document is never visible
    kb.close()
    kb2 = KnowledgeBase(fake_settings)  # reopening removes the half-ingested document
    assert kb2.stats()["vectors"] == 0 and kb2.stats()["pending"] == 0
    assert kb2.ingest([src]).files[0].status == "added"
    assert kb2.search("创新券", k=5)


def test_filters(kb, tmp_path):
    p = tmp_path / "r" / "experts.json"
    recs = [{"id": "exp-1", "name": "张某某", "region": "巴州", "field": "石油化工", "date": "2022-01-01",
             "description": "炼化催化剂专家"},
            {"id": "exp-2", "name": "李某某", "region": "泰安市", "field": "石油化工", "date": "2024-01-01",
             "description": "炼化催化剂专家"}]
    _write(p, json.dumps(recs, ensure_ascii=False))
    kb.ingest([p])
    s = kb
    assert [c.source for c in s.search("催化剂", filters=SearchFilters(regions=["泰安市"]))] == ["exp-2"]
    from datetime import date

    got = s.search("催化剂", filters=SearchFilters(date_to=date(2023, 1, 1)))
    assert [c.source for c in got] == ["exp-1"]
    for mode in ("bm25", "dense"):
        got = s.search("催化剂", filters=SearchFilters(regions=["巴州"]), mode=mode)
        assert [c.source for c in got] == ["exp-1"]


def test_missing_path_reports_failure(kb, tmp_path):
    report = kb.ingest([tmp_path / "nope.txt"])
    assert report.files[0].status == "failed" and "不存在" in report.files[0].errors[0]


def test_copy_of_seed_folder_twice_same_count(fake_settings, seeds_dir, tmp_path):
    d = tmp_path / "seeds"
    shutil.copytree(seeds_dir, d)
    kb = KnowledgeBase(fake_settings)
    kb.ingest([d])
    n = kb.stats()["chunks"]
    kb.ingest([d])
    assert kb.stats()["chunks"] == n and kb.stats()["vectors"] == n


def test_the_next_file_is_read_while_one_is_written(fake_settings, tmp_path):
    """Reading (parsing, OCR, in the worker process) of file n+1 overlaps embedding and writing of file n (issue 15,
    item 2); a stop still leaves the file read ahead out whole."""
    import threading
    import time

    from assistant.knowledge_base import KnowledgeBase

    d = tmp_path / "docs"
    d.mkdir()
    for i in range(3):
        (d / f"通知{i}.md").write_text(f"# 第{i}号通知\n\n第一条 本年度举办科普活动{i + 10}场。\n", encoding="utf-8")
    kb = KnowledgeBase(fake_settings)
    spans: dict[tuple[str, str], list[float]] = {}
    read, index = kb._read_file, kb._index_file

    def timed(kind, fn):
        def run(path, *a):
            spans[(kind, path.name)] = [time.monotonic()]
            try:
                return fn(path, *a)
            finally:
                spans[(kind, path.name)].append(time.monotonic())
        return run

    kb._read_file, kb._index_file = timed("read", read), timed("index", index)
    report = kb.ingest([d], on_batch=lambda *_: time.sleep(0.5))  # embedding a file takes half a second
    assert [f.status for f in report.files] == ["added"] * 3
    for i in (1, 2):  # file i was read before file i-1 was written
        assert spans[("read", f"通知{i}.md")][1] < spans[("index", f"通知{i - 1}.md")][1], spans
    assert threading.active_count() < 50
    kb.remove("通知1.md"), kb.remove("通知2.md")
    stopped = threading.Event()  # stopped once 通知1 is written, while 通知2 has been read ahead
    report = kb.ingest([d], stop=stopped.is_set, on_batch=lambda *_: time.sleep(0.5),
                       on_file=lambda r: r.file == "通知1.md" and stopped.set())
    assert [(f.file, f.status) for f in report.files] == [("通知0.md", "unchanged"), ("通知1.md", "added")]
    assert report.not_started == ["通知2.md"], report.as_dict()
    assert {r["file"] for r in kb.list_files()} == {"通知0.md", "通知1.md"}
    kb.close()
