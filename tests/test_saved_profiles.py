"""Issue 11, item 4: what a policy-calculator user expects — saved enterprise profiles, "新匹配" (measures that
appeared since the profile was last checked) and a checklist per enterprise as a DOCX (公文 layout)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.shared import Mm

from assistant import usecases
from assistant.errors import AssistantError, NotFoundError
from assistant.knowledge_base import KnowledgeBase
from assistant.profiles import ProfileStore
from assistant.support import AwardReceived, EnterpriseProfile, profile_from_text
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT / "tests" / "fixtures" / "policies_extra"
TODAY = date(2026, 11, 23)


@pytest.fixture
def store(tmp_path):
    s = ProfileStore(tmp_path / "profiles.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("saved"), embed_cache))
    kb.ingest([ROOT / "corpora"])
    yield kb
    kb.close()


# -- the store ---------------------------------------------------------------------------------------------
def test_a_saved_profile_comes_back_by_id_and_by_name_and_survives_a_restart(tmp_path):
    path = tmp_path / "p.sqlite"
    s = ProfileStore(path)
    p = profile_from_text("镇江市新材料高企，职工一百八十人，营收八千万，研发500万", today=TODAY)
    saved = s.save("  镇江某新材料公司 ", p)
    assert saved.name == "镇江某新材料公司" and saved.checked_at is None
    s.close()
    s = ProfileStore(path)
    for ref in (saved.id, "镇江某新材料公司"):
        got = s.get(ref)
        assert got.profile.employees == 180 and got.profile.revenue_wan == 8000
        assert got.profile.region == p.region and got.profile.qualifications == p.qualifications
    assert [x.name for x in s.list()] == ["镇江某新材料公司"]
    s.close()


def test_saving_again_under_the_same_name_updates_and_keeps_the_history_of_checks(store):
    first = store.save("甲公司", EnterpriseProfile(region="镇江市", employees=100))
    store.mark_checked(first.id, {"pol-a": "possible"}, datetime(2026, 11, 1, 9, 0))
    again = store.save("甲公司", EnterpriseProfile(region="镇江市", employees=120))
    assert again.id == first.id and len(store.list()) == 1
    assert store.get(first.id).profile.employees == 120
    assert store.get(first.id).seen == {"pol-a": "possible"}  # updating facts does not forget what was seen


@pytest.mark.parametrize("name", ["", "   ", "\n", "名" * 81])
def test_a_profile_needs_a_usable_name(store, name):
    with pytest.raises(AssistantError, match="名称"):
        store.save(name, EnterpriseProfile(region="镇江市"))


def test_unknown_profiles_say_so_and_removing_one_removes_only_it(store):
    with pytest.raises(NotFoundError, match="不存在"):
        store.get("nope")
    with pytest.raises(NotFoundError):
        store.remove("nope")
    a = store.save("甲", EnterpriseProfile(region="镇江市"))
    store.save("乙", EnterpriseProfile(region="巴州"))
    store.remove(a.id)
    assert [x.name for x in store.list()] == ["乙"]


def test_hostile_and_odd_names_are_kept_verbatim(store):
    for name in ("<script>alert(1)</script>", "Robert'); DROP TABLE profiles;--", "镇江 ＡＢＣ 科技（集团）"):
        assert store.get(store.save(name, EnterpriseProfile()).id).name == name
    assert len(store.list()) == 3


def test_a_row_another_version_wrote_does_not_hide_the_others(store):
    good = store.save("甲", EnterpriseProfile(region="镇江市"))
    bad = store.save("乙", EnterpriseProfile(region="巴州"))
    store._db.execute("UPDATE profiles SET data=? WHERE id=?", ('{"employees": "很多"}', bad.id))
    assert [p.name for p in store.list()] == ["甲"] and store.get(good.id).name == "甲"
    with pytest.raises(AssistantError, match="无法读取"):
        store.get("乙")


# -- 新匹配 ---------------------------------------------------------------------------------------------------
def test_new_matches_are_the_measures_that_appeared_since_the_last_check(tmp_path, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path / "kb", embed_cache))
    store = ProfileStore(tmp_path / "profiles.sqlite")
    try:
        kb.ingest([ROOT / "corpora" / "records" / "policy_items.json", EXTRA / "hefei_tech_voucher.html"])
        p = EnterpriseProfile(region="合肥市肥西县", employees=80, revenue_wan="3000万", founded_year=2018,
                              qualifications=["科技型中小企业"])
        saved = store.save("肥西某企业", p)
        first = usecases.check_saved_profile(kb, store, saved.id, today=TODAY)
        assert first.first_check and first.new == [] and not any(m.new for m in first.report.measures)
        assert first.report.measures  # national measures apply to 合肥
        # a 科协 reviews the drafted 合肥 item: the next check shows it as 新匹配, once
        draft = next(d for d in kb.policy_drafts("hefei_tech_voucher.html") if d.item.apply_mode == "免申即享")
        kb.review_policy_draft(draft.id, "accept")
        second = usecases.check_saved_profile(kb, store, "肥西某企业", today=TODAY)
        assert not second.first_check and second.since is not None
        assert [m.id for m in second.new] == [draft.item.id]
        assert [m.id for m in second.report.measures if m.new] == [draft.item.id]
        third = usecases.check_saved_profile(kb, store, saved.id, today=TODAY)
        assert third.new == []
        # a measure whose verdict changed since the last check says what it was
        store.save("肥西某企业", p.model_copy(update={"employees": None}))
        fourth = usecases.check_saved_profile(kb, store, saved.id, today=TODAY)
        changed = {m.id: m.previous_status for m in fourth.report.measures if m.previous_status}
        assert all(was != m.status for m in fourth.report.measures if (was := changed.get(m.id)))
    finally:
        kb.close()
        store.close()


def test_a_measure_not_eligible_before_is_not_new_when_it_stays_not_eligible(kb, store):
    p = profile_from_text("镇江市新材料企业，职工五百人", today=TODAY)
    saved = store.save("镇江乙", p)
    store.mark_checked(saved.id, {}, datetime(2026, 1, 1))  # checked when nothing was known
    check = usecases.check_saved_profile(kb, store, saved.id, today=TODAY)
    assert check.new and all(m.status in ("eligible", "possible", "alternative") for m in check.new)


def test_the_check_uses_the_day_of_the_check_not_the_day_of_saving(kb, store):
    p = profile_from_text("镇江市新材料企业，职工100人", today=date(2026, 3, 10))
    saved = store.save("镇江丙", p)
    march = usecases.check_saved_profile(kb, store, saved.id, today=date(2026, 3, 10))
    april = usecases.check_saved_profile(kb, store, saved.id, today=date(2026, 4, 10))
    soon = lambda c: {m.id for m in c.report.measures if m.deadline_soon}  # noqa: E731
    assert "pol-zj-hte-cultivation" in soon(march) and "pol-zj-hte-cultivation" not in soon(april)


# -- the checklist ---------------------------------------------------------------------------------------------
def _text(d: docx.document.Document) -> str:
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_the_checklist_docx_is_an_a4_document_with_every_measure_its_conditions_and_sources(kb, tmp_path):
    p = profile_from_text("镇江市新材料高企，2026年首次认定，职工一百八十人，营收八千万，研发500万", today=TODAY)
    p = p.model_copy(update={"name": "镇江某新材料有限公司"})
    report = usecases.find_support(kb, profile=p)
    out = usecases.support_checklist_docx(report, tmp_path / "清单.docx", today=TODAY)
    d = docx.Document(str(out))
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)
    text = _text(d)
    assert "镇江某新材料有限公司" in text and "政策申报清单" in text and "2026年11月23日" in text
    assert "8,000 万元" in text and "180人" in text
    shown = [m for m in report.measures if m.status != "expired"]
    for m in shown:
        assert m.name in text, m.name
    for label in ("符合", "可能符合", "暂不符合"):
        assert label in text
    assert "✓" in text and "?" in text
    assert "请补充" in text or "请确认" in text
    assert any(m.source_doc and m.source_doc in text for m in shown)
    assert "示例数据" in text  # the sample corpus is said to be sample data
    footer = "".join(p.text for p in sec.footer.paragraphs) + sec.footer._element.xml
    assert "PAGE" in footer  # a page number field
    body = d.styles["KC Body"]
    assert 'w:eastAsia="仿宋_GB2312"' in body.element.xml and body.font.size.pt == 16  # 仿宋 三号
    assert {p.style.name for p in d.paragraphs} >= {"KC Title", "KC Heading 1", "KC Heading 2", "KC Item", "KC Body"}


def test_the_checklist_of_a_profile_without_a_name_and_with_contradictions_still_reads(kb, tmp_path):
    p = profile_from_text("镇江企业，职工0人，营收500万，研发费用800万", today=TODAY)
    report = usecases.find_support(kb, profile=p)
    out = usecases.support_checklist_docx(report, tmp_path / "x.docx", today=TODAY)
    text = _text(docx.Document(str(out)))
    assert "企业政策申报清单" in text
    for w in p.warnings():
        assert w in text


def test_typed_text_cannot_add_structure_to_the_checklist(kb, tmp_path):
    p = profile_from_text("镇江企业，职工100人", today=TODAY).model_copy(
        update={"name": "甲公司\n## 伪造的标题\n| 假 | 表 |", "awards_received": [AwardReceived(name="奖励\n# 假标题", year=2026)]})
    out = usecases.support_checklist_docx(usecases.find_support(kb, profile=p), tmp_path / "x.docx", today=TODAY)
    d = docx.Document(str(out))
    headings = [x.text for x in d.paragraphs if x.style.name.startswith("KC Heading") or x.style.name == "KC Title"]
    assert not any("伪造" in h or "假标题" in h for h in headings[1:])
    assert "伪造的标题" in headings[0]  # kept, as text of the title line
    assert all(len(t.columns) in (2, 6) for t in d.tables)


def test_the_cli_saves_lists_checks_and_exports_a_profile(tmp_path, embed_cache):
    from typer.testing import CliRunner

    from assistant.cli import app

    env = {"KECHUANG_DATA_DIR": str(tmp_path / "data"), "KECHUANG_CACHE_DIR": str(embed_cache),
           "KECHUANG_EMBEDDING__PROVIDER": "fake"}
    run = CliRunner().invoke
    r = run(app, ["ingest", str(ROOT / "corpora" / "records" / "policy_items.json")], env=env)
    assert r.exit_code == 0, r.output
    r = run(app, ["profile", "save", "镇江某公司", "--text", "镇江市新材料企业，职工一百八十人，营收八千万"], env=env)
    assert r.exit_code == 0, r.output
    assert "已保存" in r.output and "8,000 万元" in r.output
    r = run(app, ["profile", "list", "--json"], env=env)
    rows = json.loads(r.output)
    assert [x["name"] for x in rows] == ["镇江某公司"] and rows[0]["checked_at"] is None
    out = tmp_path / "清单.docx"
    r = run(app, ["profile", "check", "镇江某公司", "--docx", str(out)], env=env)
    assert r.exit_code == 0, r.output
    assert "首次检查" in r.output and out.exists()
    r = run(app, ["profile", "check", "镇江某公司"], env=env)
    assert "没有新匹配" in r.output
    r = run(app, ["profile", "check", "不存在的公司"], env=env)
    assert r.exit_code != 0 and "不存在" in r.output and "kechuang profile list" in r.output
    r = run(app, ["profile", "save", "坏", "--json", str(tmp_path / "missing.json")], env=env)
    assert r.exit_code != 0 and "missing.json" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    r = run(app, ["profile", "save", "坏", "--json", str(bad)], env=env)
    assert r.exit_code != 0 and "JSON" in r.output
    r = run(app, ["profile", "remove", "镇江某公司"], env=env)
    assert r.exit_code == 0 and json.loads(run(app, ["profile", "list", "--json"], env=env).output) == []
