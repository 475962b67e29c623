"""The support finder over the sample corpus's structured policy items."""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.knowledge_base import KnowledgeBase
from assistant.support import EnterpriseProfile, SupportFinder, profile_from_text, safe_eval
from tests.conftest import CORPORA, make_settings


@pytest.fixture(scope="module")
def finder(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("support"), embed_cache))
    kb.ingest([CORPORA])
    yield SupportFinder(kb)
    kb.close()


def _by_id(report):
    return {m.id: m for m in report.measures}


def test_high_tech_enterprise_in_zhenjiang(finder):
    p = EnterpriseProfile(region="镇江市", industry="新材料", qualifications=["高新技术企业"], employees=180,
                          revenue_wan=8000, rd_expense_wan=400, founded_year=2016, as_of=date(2026, 1, 10))
    rep = finder.find(p)
    m = _by_id(rep)
    assert m["pol-hte-tax"].status == "eligible"
    # The R&D tier is chosen by revenue: 8000万元 falls in 5000万–2亿, which needs 4%; 5% is met.
    tiers = [c for c in m["pol-hte-cert"].conditions if c.key == "rd_ratio"]
    assert len(tiers) == 1 and "4%" in tiers[0].text and tiers[0].status == "met"
    est = m["pol-rd-deduction"].estimate
    assert est.value_wan == 400 and est.tax_saving_wan == 100
    assert "pol-zj-hte-first" in m and m["pol-zj-hte-first"].region == "镇江市"
    assert not any(x.region in ("巴州", "成都市") for x in rep.measures), "other regions' measures are left out"
    assert rep.excluded_other_regions > 0
    assert m["pol-zj-tech-broker"].status == "expired" and m["pol-zj-tech-broker"].expired
    assert rep.measures[-1].status == "expired"  # expired measures come last, never recommended first


def test_every_condition_is_cited_from_its_source_document(finder):
    p = EnterpriseProfile(region="巴州", as_of=date(2026, 1, 10))
    for m in finder.find(p).measures:
        for c in m.conditions:
            assert c.citation is not None, (m.id, c.text)
            assert c.citation.source == m.source_doc
            assert c.citation.quote == c.text, "the condition's wording is quoted from the document"


def test_missing_facts_are_named(finder):
    p = EnterpriseProfile(region="成都市", as_of=date(2026, 1, 10))
    rep = finder.find(p)
    m = _by_id(rep)["pol-tsme-eval"]
    assert m.status == "possible"
    assert "职工总数" in m.missing_facts and "上年度销售（营业）收入" in m.missing_facts
    assert rep.missing_facts


def test_negative_industry_list(finder):
    p = EnterpriseProfile(region="天津市", industry="批发和零售业", rd_expense_wan=100, as_of=date(2026, 1, 10))
    m = _by_id(finder.find(p))["pol-rd-deduction"]
    assert m.status == "not_eligible"
    assert any(c.key == "not_industry" and c.status == "not_met" for c in m.conditions)


def test_form_profile_with_complete_qualifications(finder):
    p = EnterpriseProfile(region="镇江市", qualifications=[], qualifications_complete=True, as_of=date(2026, 1, 10))
    assert _by_id(finder.find(p))["pol-hte-tax"].status == "not_eligible"
    p2 = EnterpriseProfile(region="镇江市", qualifications=[], as_of=date(2026, 1, 10))
    assert _by_id(finder.find(p2))["pol-hte-tax"].status == "possible"


def test_profile_from_chat_text():
    p = profile_from_text("我们是巴州一家做棉花加工的科技型中小企业，职工120人，年营收8000万元，研发投入400万元，2015年成立",
                          EnterpriseProfile(as_of=date(2026, 1, 1)))
    assert p.region == "巴州" and p.industry == "纺织服装"
    assert p.qualifications == ["科技型中小企业"]
    assert (p.employees, p.revenue_wan, p.rd_expense_wan, p.founded_year) == (120, 8000, 400, 2015)
    assert p.value("rd_ratio") == 5.0 and p.value("years_since_founded") == 11
    q = profile_from_text("镇江的专精特新小巨人，营收1.5亿，研发占比6%，成立8年", EnterpriseProfile(as_of=date(2026, 1, 1)))
    assert q.region == "镇江市" and q.revenue_wan == 15000 and q.rd_ratio == 6 and q.founded_year == 2018
    assert "专精特新“小巨人”企业" in q.qualifications


def test_safe_eval_refuses_code():
    assert safe_eval("rd_expense_wan * 1.0", {"rd_expense_wan": 3}) == 3
    assert safe_eval("a * 2", {"a": None}) is None
    with pytest.raises(ValueError):
        safe_eval("__import__('os').system('true')", {})


def test_cli_support_json(tmp_path):
    env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(tmp_path / "c")}
    data = str(tmp_path / "idx")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(CORPORA / "records" / "policy_items.json"), str(CORPORA / "policies"),
                               "--data-dir", data], env=env).exit_code == 0
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"region": "天津市", "industry": "生物医药", "qualifications": ["高新技术企业"]},
                               ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["support", "--profile", str(prof), "--data-dir", data, "--json"], env=env)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {m["id"] for m in out["measures"]} >= {"pol-hte-tax", "pol-tj-jbgs"}
    r = runner.invoke(app, ["support", "--text", "天津的高企", "--data-dir", data], env=env)
    assert r.exit_code == 0 and "符合" in r.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"employees": "很多"}', encoding="utf-8")
    r = runner.invoke(app, ["support", "--profile", str(bad), "--data-dir", data], env=env)
    assert r.exit_code == 1 and "职工人数" in r.output and "很多" in r.output  # the field and what was typed


def test_cli_ask_json(tmp_path):
    env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(tmp_path / "c")}
    data = str(tmp_path / "idx")
    runner = CliRunner()
    runner.invoke(app, ["ingest", str(CORPORA / "policies"), "--data-dir", data], env=env)
    r = runner.invoke(app, ["ask", "高新技术企业认定需要满足哪些条件", "--data-dir", data, "--json"], env=env)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["refused"] is False and out["answer"]
    assert out["citations"] and {"source", "chunk_id", "quote"} <= set(out["citations"][0])
    r = runner.invoke(app, ["ask", "火星上的住房公积金比例", "--data-dir", data, "--json"], env=env)
    out = json.loads(r.stdout)
    assert out["refused"] is True and out["citations"] == []
    r = runner.invoke(app, ["ask", "研发费用加计扣除比例", "--data-dir", data, "--stream"], env=env)
    assert r.exit_code == 0 and "100%" in r.stdout
