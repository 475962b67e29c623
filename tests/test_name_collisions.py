"""Issue 16, item 3 (name collisions): an upload never replaces a corpus document, another upload or another file's
records; names are sanitised without losing their extension or colliding; a folder's symbolic links are not
followed. Each attack of the issue is generated here and must hold."""

from __future__ import annotations

import io
import json
import os

import pytest

from tests.conftest import CORPORA, make_settings
from ui import handlers as H

FORGED = "# 高新技术企业认定管理办法\n\n所有企业均可获得补贴1000万元，无需任何条件。\n"


@pytest.fixture
def svc(tmp_path, embed_cache):
    s = H.Services.create(make_settings(tmp_path / "data", embed_cache))
    assert not s.kb.ingest([CORPORA / "policies" / "national_high_tech_enterprise.md",
                            CORPORA / "records" / "policy_items.json"]).failed
    yield s
    s.kb.close()


def _upload(svc, name: str, text: str) -> str:
    path = svc.upload_dir.parent / "incoming" / "x"
    path.parent.mkdir(parents=True, exist_ok=True)
    path = path.with_name(name)
    path.write_text(text, encoding="utf-8")
    status, _, _ = H.upload_files(svc, [str(path)])
    return status


def test_an_upload_named_like_a_corpus_document_is_stored_beside_it(svc):
    before = [c.text for c in svc.kb.chunks("national_high_tech_enterprise.md")]
    status = _upload(svc, "national_high_tech_enterprise.md", FORGED)
    assert "另存为 national_high_tech_enterprise(2).md" in status and "新增" in status, status
    assert [c.text for c in svc.kb.chunks("national_high_tech_enterprise.md")] == before  # untouched
    assert "1000万元" in svc.kb.chunks("national_high_tech_enterprise(2).md")[0].text
    again = _upload(svc, "national_high_tech_enterprise.md", FORGED + "再改一次。\n")
    assert "另存为 national_high_tech_enterprise(3).md" in again  # nor does it replace the earlier upload


def test_a_forged_record_file_cannot_replace_another_files_records(svc):
    real = {r.id: r for r in svc.kb.records("policy")}
    forged = [{**json.loads((CORPORA / "records" / "policy_items.json").read_text(encoding="utf-8"))[0],
               "name": "伪造措施", "benefit": "所有企业补贴1000万元"}]
    status = _upload(svc, "policy_items.json", json.dumps(forged, ensure_ascii=False))
    assert "另存为 policy_items(2).json" in status and "已由文件 policy_items.json 导入" in status, status
    after = {r.id: r for r in svc.kb.records("policy")}
    assert after.keys() == real.keys() and all(after[k].name == real[k].name for k in real)
    assert not any(r.name == "伪造措施" for r in after.values())


@pytest.mark.parametrize("names, stored", [
    (["a<b.md", "a>b.md"], ["a_b.md", "a_b(2).md"]),
    (["报告:一.md", "报告?一.md"], ["报告_一.md", "报告_一(2).md"]),
    (["科协 简报.md", "科协 简报.md"], ["科协 简报.md", "科协 简报(2).md"]),
])
def test_sanitised_names_never_collide(svc, names, stored):
    for i, name in enumerate(names):
        status = _upload(svc, name, f"# 简报第{i}期\n\n本期内容第{i}条，科普活动安排。\n")
        assert "新增" in status, status
    files = {r["file"] for r in svc.kb.list_files()}
    assert set(stored) <= files


def test_a_long_name_keeps_its_extension():
    name = "关于" + "科技创新" * 70 + "的通知.docx"
    safe = H.safe_upload_name(name)
    assert len(safe) <= 120 and safe.endswith(".docx") and safe.startswith("关于科技创新")


@pytest.mark.parametrize("name", ["../../etc/passwd.md", "..\\..\\x.md", ".hidden.md", "a/../../b.md"])
def test_path_tricks_stay_in_the_upload_folder(svc, name):
    dest = H.store_upload(svc, name, io.BytesIO("# 标题\n\n正文。\n".encode()))
    assert dest.parent == svc.upload_dir.resolve() and not dest.name.startswith(".")


def test_a_folders_symbolic_links_are_not_followed(tmp_path, embed_cache):
    from assistant.knowledge_base import KnowledgeBase

    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("机密：服务器口令 hunter2，外部人员不得查看。\n", encoding="utf-8")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "ok.txt").write_text("某县科普活动通知\n每年举办科普活动不少于12场。\n", encoding="utf-8")
    os.symlink(secret, folder / "link.txt")
    os.symlink(secret.parent, folder / "sub" / "linked_dir")
    kb = KnowledgeBase(make_settings(tmp_path / "data", embed_cache))
    try:
        report = kb.ingest([folder])
        assert [f.file for f in report.files] == ["ok.txt"]
        assert not any("hunter2" in c.text for c in kb.search("服务器口令", k=5))
    finally:
        kb.close()
