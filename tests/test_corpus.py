"""The sample corpus in corpora/: enough of it, every parser exercised, everything ingests cleanly."""

from collections import Counter
from pathlib import Path

import pytest

from assistant.ingest.documents import build_document
from assistant.knowledge_base import KnowledgeBase
from assistant.records import load_records
from assistant.retrieval import SearchFilters

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
POLICIES = CORPORA / "policies"
RECORDS = CORPORA / "records"


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory, embed_cache):
    from tests.conftest import make_settings

    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("corpus"), embed_cache))
    report = kb.ingest([CORPORA])
    yield kb, report
    kb.close()


def test_policy_digests_cover_every_format():
    files = [p for p in POLICIES.iterdir() if p.is_file()]
    assert len(files) >= 12
    exts = Counter(p.suffix for p in files)
    for ext in (".md", ".docx", ".html", ".pdf"):
        assert exts[ext] >= 1, ext


@pytest.mark.parametrize("path", sorted(p for p in POLICIES.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_each_policy_parses_with_title_date_and_structure(path):
    doc = build_document(path, path.name, 10**8)
    assert len(doc.text) > 400
    assert doc.title and len(doc.title) <= 80
    assert doc.published is not None, "every digest states 发布日期"
    assert any(b.kind == "heading" or b.level for b in doc.blocks), "policy structure was not recognised"
    assert "<script" not in doc.text and "function(" not in doc.text
    assert "版权所有" not in doc.text and "备案号" not in doc.text and "分享到" not in doc.text


def test_records_volume_types_and_regions():
    recs = []
    for p in RECORDS.iterdir():
        if p.suffix in {".json", ".jsonl", ".csv", ".xlsx"}:
            got, errors = load_records(p)
            assert not errors, [str(e) for e in errors[:5]]
            recs.extend(got)
    platform = [r for r in recs if r.type != "policy"]
    assert len(platform) >= 300
    assert {r.type for r in platform} == {"need", "expert", "achievement", "organization", "service_team"}
    assert len({r.region for r in platform}) >= 6
    assert all(r.sample for r in platform), "sample records are labelled as sample data"
    assert len({r.id for r in recs}) == len(recs)


def test_corpus_ingests_without_failures(corpus_kb):
    kb, report = corpus_kb
    assert not report.failed, [(f.file, f.errors[:3]) for f in report.failed]
    stats = kb.stats()
    assert stats["records"] >= 300 and stats["documents"] >= 12
    assert stats["chunks"] == stats["vectors"]


def test_record_filters_on_the_corpus(corpus_kb):
    kb, _ = corpus_kb
    hits = kb.search("棉花", k=5, filters=SearchFilters(types=["need"], regions=["巴州"]))
    assert hits and all(h.metadata["type"] == "need" and h.metadata["region"] == "巴州" for h in hits)
