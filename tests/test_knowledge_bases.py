"""Several knowledge bases in one index, each readable and writable by some roles or users; chunks a person disables
or edits. Real Chroma, real SQLite, fake (hashing) embeddings."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assistant import usecases
from assistant.accounts import LOCAL_ADMIN, ForbiddenError, User
from assistant.errors import IngestError, InputError, NotFoundError
from assistant.knowledge_base import DEFAULT_BASE, KnowledgeBase
from assistant.retrieval import SearchFilters
from tests.conftest import make_settings

HIGH_TECH = ("关于高新技术企业认定的通知\n一、企业申请认定时须注册成立一年以上。\n"
             "二、研究开发费用总额占同期销售收入总额的比例符合要求。\n")
TALENT = ("市级人才公寓管理办法\n第一条 引进的高层次人才可申请入住人才公寓，租金减半。\n"
          "第二条 申请人须与本市用人单位签订三年以上劳动合同。\n")
ENTERPRISE = User("qiye", "enterprise")
STAFF = User("xiaowang", "staff")
OTHER_STAFF = User("laoli", "staff")


@pytest.fixture
def kb(tmp_path, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path / "data", embed_cache))
    yield kb
    kb.close()


def _write(tmp_path, name, text):
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sources(kb, query, **filters):
    return {c.source for c in kb.search(query, k=10, filters=SearchFilters(**filters) if filters else None)}


def test_default_base_exists_and_cannot_be_deleted(kb):
    assert [b["id"] for b in kb.bases()] == [DEFAULT_BASE]
    with pytest.raises(InputError, match="默认知识库不能删除"):
        kb.delete_base(DEFAULT_BASE)


@pytest.mark.parametrize("name, stored", [
    ("人才政策库", "人才政策库"), ("  人才 政策库 ", "人才 政策库"), ("2024年高企材料", "2024年高企材料"),
    ("巴州科协·内部", "巴州科协·内部"), ("Kechuang docs", "Kechuang docs"),
])
def test_create_base_keeps_the_name_a_person_typed(kb, name, stored):
    base = kb.create_base(name)
    assert base["name"] == stored and base["id"].startswith("kb-")
    assert kb.base(stored)["id"] == base["id"] == kb.base(base["id"])["id"]


@pytest.mark.parametrize("name, message", [("", "不能为空"), ("   ", "不能为空"), ("库" * 41, "过长"),
                                           ("默认知识库", "已存在")])
def test_bad_base_names_are_refused(kb, name, message):
    with pytest.raises(InputError, match=message):
        kb.create_base(name)


def test_unknown_base_names_the_ones_there_are(kb):
    kb.create_base("人才政策库")
    with pytest.raises(NotFoundError, match="人才政策库") as err:
        kb.base("人材政策库")
    assert "默认知识库" in str(err.value)


@pytest.mark.parametrize("principals", [["admin"], ["boss"], ["user:"], ["企业用户"]])
def test_access_names_only_roles_or_users(kb, principals):
    base = kb.create_base("内部库")
    with pytest.raises(InputError, match="授权对象"):
        kb.set_base_access(base["id"], readers=principals)


def test_a_question_searches_only_the_bases_it_is_scoped_to(kb, tmp_path):
    talent = kb.create_base("人才政策库")
    kb.ingest([_write(tmp_path, "gaoqi.txt", HIGH_TECH)])
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)], kb=talent["id"])
    assert _sources(kb, "人才公寓 租金") >= {"rencai.txt"}
    assert "rencai.txt" not in _sources(kb, "人才公寓 租金", kbs=[DEFAULT_BASE])
    assert _sources(kb, "人才公寓 租金", kbs=[talent["id"]]) == {"rencai.txt"}
    assert _sources(kb, "人才公寓 租金", kbs=[]) == set()
    for mode in ("bm25", "dense"):  # both signals honour the scope
        hits = kb.search("人才公寓 租金", k=10, filters=SearchFilters(kbs=[DEFAULT_BASE]), mode=mode)
        assert "rencai.txt" not in {c.source for c in hits}
    rows = {r["file"]: r for r in kb.list_files()}
    assert rows["rencai.txt"]["kb"] == talent["id"] and rows["gaoqi.txt"]["kb"] == DEFAULT_BASE


def test_same_content_in_two_bases_is_indexed_in_both(kb, tmp_path):
    other = kb.create_base("巴州科协")
    kb.ingest([_write(tmp_path, "a.txt", HIGH_TECH)])
    report = kb.ingest([_write(tmp_path, "b.txt", HIGH_TECH)], kb=other["id"])
    assert report.files[0].status == "added"  # not a duplicate of a document the other base's readers can't see
    assert _sources(kb, "注册成立一年以上", kbs=[other["id"]]) == {"b.txt"}
    again = kb.ingest([_write(tmp_path, "c.txt", HIGH_TECH)], kb=other["id"])
    assert again.files[0].status == "duplicate"  # within one base, still recorded once


def test_a_file_name_lives_in_one_base(kb, tmp_path):
    other = kb.create_base("巴州科协")
    kb.ingest([_write(tmp_path, "a.txt", HIGH_TECH)])
    report = kb.ingest([_write(tmp_path, "a.txt", TALENT)], kb=other["id"])
    assert report.files[0].status == "failed" and "默认知识库" in report.files[0].errors[0]
    assert _sources(kb, "人才公寓") == set() or "a.txt" not in _sources(kb, "人才公寓", kbs=[other["id"]])


def test_ingest_into_an_unknown_base_fails_before_reading_anything(kb, tmp_path):
    with pytest.raises(NotFoundError):
        kb.ingest([_write(tmp_path, "a.txt", HIGH_TECH)], kb="没有这个库")
    assert kb.list_files() == []


def test_rename_keeps_documents_and_id_delete_removes_them(kb, tmp_path):
    base = kb.create_base("人才库")
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)], kb=base["id"])
    renamed = kb.rename_base("人才库", "人才政策库")
    assert renamed["id"] == base["id"] and renamed["documents"] == 1 and renamed["chunks"] >= 1
    with pytest.raises(InputError, match="已存在"):
        kb.rename_base(base["id"], "默认知识库")
    assert kb.delete_base("人才政策库") == ["rencai.txt"]
    assert [b["id"] for b in kb.bases()] == [DEFAULT_BASE]
    assert kb.list_files() == [] and _sources(kb, "人才公寓 租金") == set()
    assert kb.stats()["vectors"] == 0


def test_roles_and_users_read_and_write_what_they_are_granted(kb, tmp_path):
    internal = kb.create_base("内部资料", readers=["staff"], writers=["user:xiaowang"])
    open_base = kb.bases()[0]
    assert ENTERPRISE.can_read(open_base) and not ENTERPRISE.can_write(open_base)
    assert STAFF.can_write(open_base) and OTHER_STAFF.can_write(open_base)
    assert not ENTERPRISE.can_read(internal) and STAFF.can_read(internal) and OTHER_STAFF.can_read(internal)
    assert STAFF.can_write(internal) and not OTHER_STAFF.can_write(internal)
    assert LOCAL_ADMIN.can_read(internal) and LOCAL_ADMIN.can_write(internal)
    # an enterprise user named as a writer still may not manage documents: the role decides that
    kb.set_base_access(internal["id"], writers=["user:qiye"])
    assert ENTERPRISE.can_read(kb.base(internal["id"])) and not ENTERPRISE.can_write(kb.base(internal["id"]))


def test_search_scope_follows_the_grants(kb, tmp_path):
    internal = kb.create_base("内部资料", readers=["staff"])
    kb.ingest([_write(tmp_path, "gaoqi.txt", HIGH_TECH)])
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)], kb=internal["id"])
    assert usecases.search_scope(kb, LOCAL_ADMIN) is None  # may read everything: nothing to filter
    assert usecases.search_scope(kb, STAFF) is None
    scope = usecases.search_scope(kb, ENTERPRISE)
    assert scope == [DEFAULT_BASE]
    assert "rencai.txt" not in _sources(kb, "人才公寓 租金", kbs=scope)
    assert usecases.search_scope(kb, STAFF, ["内部资料"]) == [internal["id"]]
    with pytest.raises(ForbiddenError, match="内部资料"):
        usecases.search_scope(kb, ENTERPRISE, ["内部资料"])
    with pytest.raises(NotFoundError):
        usecases.search_scope(kb, STAFF, ["不存在的库"])
    with pytest.raises(ForbiddenError):
        usecases.remove_document(kb, ENTERPRISE, "gaoqi.txt")
    with pytest.raises(NotFoundError):  # a document the user may not read is not there for them
        usecases.document_chunks(kb, "rencai.txt", ENTERPRISE)
    assert usecases.document_chunks(kb, "rencai.txt", STAFF)


def test_a_disabled_chunk_is_not_retrieved_until_enabled(kb, tmp_path):
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)])
    chunks = kb.chunks("rencai.txt")
    target = chunks[0]
    assert "rencai.txt" in _sources(kb, "人才公寓 租金减半")
    kb.set_chunk_disabled(target.chunk_id, True)
    for mode in ("bm25", "dense", "hybrid"):
        hits = kb.search("人才公寓 租金减半", k=10, mode=mode)
        assert target.chunk_id not in {c.chunk_id for c in hits}, mode
    listed = kb.chunks("rencai.txt", disabled=True)
    assert [c.chunk_id for c in listed] == [c.chunk_id for c in chunks]  # still listed, in order, marked
    assert listed[0].metadata["disabled"] is True
    assert target.chunk_id not in {c.chunk_id for c in kb.chunks("rencai.txt")}
    kb.set_chunk_disabled(target.chunk_id, False)
    assert target.chunk_id in {c.chunk_id for c in kb.search("人才公寓 租金减半", k=10, mode="dense")}
    assert target.chunk_id in {c.chunk_id for c in kb.search("人才公寓 租金减半", k=10, mode="bm25")}


def test_an_edited_chunk_is_searched_by_its_new_words_and_marked(kb, tmp_path):
    kb.ingest([_write(tmp_path, "scan.txt", "某县科技局通知\n企业可申领创新券，每家最高2O万元（扫描识别错误）。\n")])
    chunk = kb.chunks("scan.txt")[-1]
    edited = kb.edit_chunk(chunk.chunk_id, "企业可申领创新券，每家最高20万元。")
    assert edited.text == "企业可申领创新券，每家最高20万元。" and edited.metadata["edited"] is True
    hits = kb.search("创新券 20万元", k=5, mode="bm25")
    assert hits and hits[0].chunk_id == chunk.chunk_id and "20万元" in hits[0].text
    assert not any("扫描识别错误" in c.text for c in kb.search("扫描识别错误", k=5))
    row = usecases.document_chunks(kb, "scan.txt")[-1]
    assert row["edited"] and row["text"] == edited.text
    # re-ingesting the unchanged file keeps the correction
    kb.ingest([tmp_path / "in" / "scan.txt"])
    assert kb.chunks("scan.txt")[-1].text == edited.text


@pytest.mark.parametrize("text, message", [("", "不能为空"), ("   \n ", "不能为空"), ("字" * 5000, "过长")])
def test_bad_chunk_edits_are_refused_and_change_nothing(kb, tmp_path, text, message):
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)])
    chunk = kb.chunks("rencai.txt")[0]
    with pytest.raises(InputError, match=message):
        kb.edit_chunk(chunk.chunk_id, text)
    assert kb.chunks("rencai.txt")[0].text == chunk.text


def test_unknown_chunk_is_not_found(kb):
    with pytest.raises(NotFoundError, match="kb chunks"):
        kb.edit_chunk("no-such-chunk", "文字")
    with pytest.raises(NotFoundError):
        kb.set_chunk_disabled("no-such-chunk", True)


def test_chunk_changes_need_write_access(kb, tmp_path):
    internal = kb.create_base("内部资料", readers=["staff"], writers=["user:laoli"])
    kb.ingest([_write(tmp_path, "rencai.txt", TALENT)], kb=internal["id"])
    cid = kb.chunks("rencai.txt")[0].chunk_id
    with pytest.raises(ForbiddenError, match="内部资料"):
        usecases.edit_chunk(kb, STAFF, cid, "改过的文字")
    assert usecases.edit_chunk(kb, OTHER_STAFF, cid, "改过的文字")["edited"]
    assert usecases.set_chunk_disabled(kb, OTHER_STAFF, cid, True)["disabled"]


def test_an_index_written_before_knowledge_bases_is_brought_up_to_date(tmp_path, embed_cache):
    """An older manifest has no kb column, no bases table and chunks without "kb": opening it adds them and the
    scoped search finds its documents."""
    settings = make_settings(tmp_path / "data", embed_cache)
    kb = KnowledgeBase(settings)
    kb.ingest([_write(tmp_path, "gaoqi.txt", HIGH_TECH)])
    path, ids = kb.index_dir / "manifest.sqlite", [c.chunk_id for c in kb.chunks("gaoqi.txt")]
    kb._store.update_metadata(ids, [{k: v for k, v in c.metadata.items() if k not in ("kb", "disabled")}
                                    for c in kb.chunks("gaoqi.txt")])
    kb.close()
    db = sqlite3.connect(path)
    for cid, meta in db.execute("SELECT chunk_id, metadata FROM chunks").fetchall():
        m = json.loads(meta)
        m.pop("kb", None)
        db.execute("UPDATE chunks SET metadata=? WHERE chunk_id=?", (json.dumps(m, ensure_ascii=False), cid))
    db.execute("DROP TABLE bases")
    db.execute("ALTER TABLE documents DROP COLUMN kb")
    db.commit()
    db.close()
    kb = KnowledgeBase(settings)
    try:
        assert [b["id"] for b in kb.bases()] == [DEFAULT_BASE]
        for mode in ("bm25", "dense"):
            hits = kb.search("注册成立一年以上", k=5, filters=SearchFilters(kbs=[DEFAULT_BASE]), mode=mode)
            assert "gaoqi.txt" in {c.source for c in hits}, mode
    finally:
        kb.close()


def test_records_and_support_items_follow_the_scope(kb, tmp_path):
    internal = kb.create_base("内部资料", readers=["staff"])
    needs = [{"id": "N-1", "type": "need", "name": "籽棉异性纤维清理", "description": "棉花加工企业需要清理异性纤维",
              "region": "巴州", "date": "2025-03-20"}]
    kb.ingest([_write(tmp_path, "needs.jsonl", "\n".join(json.dumps(n, ensure_ascii=False) for n in needs))],
              kb=internal["id"])
    assert [r.id for r in kb.records("need")] == ["N-1"]
    assert kb.records("need", [DEFAULT_BASE]) == []
    assert [r.id for r in kb.records("need", [internal["id"]])] == ["N-1"]


def test_ingest_reports_each_file_as_it_finishes(kb, tmp_path):
    _write(tmp_path, "a.txt", HIGH_TECH)
    _write(tmp_path, "b.txt", TALENT)
    _write(tmp_path, "c.txt", "")
    seen: list[tuple[str, str]] = []
    kb.ingest([tmp_path / "in"], on_file=lambda r: seen.append((r.file, r.status)))
    assert seen == [("a.txt", "added"), ("b.txt", "added"), ("c.txt", "failed")]


def test_ingest_error_names_the_other_base_for_records_too(kb, tmp_path):
    other = kb.create_base("巴州科协")
    line = json.dumps({"id": "N-2", "type": "need", "name": "标题", "description": "描述", "region": "巴州",
                       "date": "2025-03-20"}, ensure_ascii=False)
    kb.ingest([_write(tmp_path, "needs.jsonl", line)])
    with pytest.raises(IngestError, match="默认知识库"):
        kb.ingest_file(tmp_path / "in" / "needs.jsonl", other["id"])
