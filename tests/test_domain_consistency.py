"""The same amount, date or place gives the same value in every feature and every face: the support profile
(chat text and form), the need posting, the report, the CLI and the UI handlers. Includes every example of
issue 10's first paragraph."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain import dates, quantities, regions
from assistant.drafting.need import extract_need
from assistant.drafting.report import build_report
from assistant.knowledge_base import KnowledgeBase
from assistant.support import EnterpriseProfile, SupportFinder, profile_from_text
from tests.conftest import CORPORA, make_settings

TODAY = date(2026, 11, 23)
AMOUNTS = {"八千万": 8000, "八千万元": 8000, "3000000元": 300, "1.2亿": 12000, "两千五百万": 2500, "一百五十万": 150,
           "８０万": 80, "80w": 80, "500万元": 500, "0.5亿元": 5000}


@pytest.mark.parametrize(("written", "wan"), AMOUNTS.items())
def test_an_amount_reads_the_same_in_profile_form_need_and_parser(written, wan):
    assert quantities.parse_money(written).wan == pytest.approx(wan)
    assert profile_from_text(f"我们去年营收{written}", today=TODAY).revenue_wan == pytest.approx(wan)
    assert profile_from_text(f"研发投入{written}", today=TODAY).rd_expense_wan == pytest.approx(wan)
    assert EnterpriseProfile(revenue_wan=written).revenue_wan == pytest.approx(wan)  # typed into the form
    assert extract_need(f"想解决涂层脱落的问题，预算{written}", today=TODAY).budget_wan == pytest.approx(wan)


@pytest.mark.parametrize(("written", "path"), [
    ("库尔勒市", "新疆维吾尔自治区/巴音郭楞蒙古自治州/库尔勒市"), ("西咸新区", "陕西省/西咸新区"),
    ("滨海新区", "天津市/滨海新区"), ("巴音郭楞", "新疆维吾尔自治区/巴音郭楞蒙古自治州"), ("鎮江", "江苏省/镇江市"),
])
def test_a_place_reads_the_same_in_profile_form_and_need(written, path):
    assert regions.resolve(written).path == path
    assert profile_from_text(f"我们是{written}的企业", today=TODAY).region_path == path
    assert EnterpriseProfile(region=written).region_path == path
    assert extract_need(f"{written}的企业，想解决涂层脱落的问题", today=TODAY).region_path == path


def test_a_date_reads_the_same_in_need_and_parser():
    assert extract_need("想解决涂层脱落的问题，希望明年6月底前完成", today=TODAY).deadline == date(2027, 6, 30)
    assert dates.find_date("明年6月底前", TODAY).value == date(2027, 6, 30)
    past = extract_need("想解决涂层脱落的问题，2025年6月30日前完成", today=TODAY)
    assert past.deadline == date(2025, 6, 30) and any("已经过去" in n for n in past.notes)


def test_issue_examples_profile():
    p = profile_from_text("我们是镇江市的新材料高企，职工一百八十人，营收八千万元，研发投入3000000元", today=TODAY)
    assert (p.employees, p.revenue_wan, p.rd_expense_wan) == (180, 8000, 300)
    assert any("3000000元 = 300 万元" in n for n in p.notes)
    assert profile_from_text("营收两千五百万", today=TODAY).revenue_wan == 2500


def test_issue_examples_need():
    n = extract_need("我们是西咸新区的企业，想开发复合材料低温固化工艺，预算大概80万元", today=TODAY)
    assert (n.budget_wan, n.budget_qualifier, n.region_path) == (80, "about", "陕西省/西咸新区")
    assert extract_need("想解决籽棉清杂的问题，预算一百五十万", today=TODAY).budget_wan == 150


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("consistency"), embed_cache))
    kb.ingest([CORPORA])
    yield kb
    kb.close()


def test_kurla_enterprise_is_offered_bazhou_measures_and_estimate_is_in_wan(kb):
    p = profile_from_text("我们是库尔勒市的纺织企业，职工一百八十人，营收八千万元，研发投入3000000元", today=TODAY)
    rep = SupportFinder(kb).find(p)
    bazhou = [m for m in rep.measures if m.region == "巴州"]
    assert bazhou, "巴州 measures apply to an enterprise in 库尔勒市"
    deduction = next(m for m in rep.measures if m.id == "pol-rd-deduction")
    assert deduction.estimate.value_wan == 300 and deduction.estimate.tax_saving_wan == 75


def test_records_are_typed_and_reports_accept_any_name_of_a_region(kb):
    needs = kb.records("need")
    assert needs and all(n.type == "need" and isinstance(n.region, str) for n in needs)
    a = build_report(kb, "巴州", "2023", today=TODAY)
    b = build_report(kb, "巴音郭楞蒙古自治州", "2023", today=TODAY)
    assert a.aggregates.needs == b.aggregates.needs > 0
    with pytest.raises(Exception, match="尚未开始"):
        build_report(kb, "巴州", "2030", today=TODAY)


def test_cli_reads_the_same_values(kb):
    runner = CliRunner()
    out = runner.invoke(app, ["support", "--text", "库尔勒的纺织企业，营收八千万，研发投入3000000元",
                              "--data-dir", str(kb.settings.data_dir), "--json"],
                        env={"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(kb.settings.cache_dir)})
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["profile"]["revenue_wan"] == 8000 and data["profile"]["rd_expense_wan"] == 300
    out = runner.invoke(app, ["draft", "need", "我们是库尔勒的棉花加工厂，想解决籽棉异性纤维清除的难题，预算大概80万元",
                              "--data-dir", str(kb.settings.data_dir), "--json"],
                        env={"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(kb.settings.cache_dir)})
    assert out.exit_code == 0, out.output
    posting = json.loads(out.output)["posting"]
    assert posting["budget_wan"] == 80 and posting["region"] == "库尔勒市"
