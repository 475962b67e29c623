"""Staff reports a 科协 can hand in: each type with its own structure, figures recomputed from the raw records
files (cumulative ones too), sample records and document figures labelled apart, pronoun-led quotes left out,
empty sections said so, revisions by chat, and a DOCX in 公文 layout."""

from __future__ import annotations

import csv
import json
from datetime import date

import docx
import pytest
from docx.shared import Mm

from assistant.drafting.report import EMPTY_SECTION, build_report
from assistant.drafting.report_revision import revise_report
from assistant.errors import AssistantError
from assistant.knowledge_base import KnowledgeBase
from tests.conftest import CORPORA, make_settings

TODAY = date(2026, 11, 24)
NEWS = """巴州“科创中国”试点城市建设取得新进展

（2023年12月20日）2023年，巴州新增入驻“科创中国”平台组织445家，入驻专家17268名，在全国试点城市排名中位列第12位。
"""
PROFILE = """巴州科协2023年科技人才工作综述

2022年10月,她荣获“最美科技工作者”称号，带领团队攻克技术难题6项。该公司2023年实现产值3.2亿元。巴州科协2023年组建院士专家工作站12个，引进高层次人才团队5个。
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embed_cache):
    root = tmp_path_factory.mktemp("reports")
    (root / "docs").mkdir()
    (root / "docs" / "f3a9c1d2e4b5a6978812.txt").write_text(NEWS, encoding="utf-8")  # an upload with a hashed name
    (root / "docs" / "talent.txt").write_text(PROFILE, encoding="utf-8")
    kb = KnowledgeBase(make_settings(root / "data", embed_cache))
    kb.ingest([CORPORA / "records", root / "docs"])
    yield kb
    kb.close()


def _raw(region: str) -> dict[str, list[dict]]:
    rec = CORPORA / "records"
    needs = [json.loads(x) for x in (rec / "needs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    orgs = json.loads((rec / "organizations.json").read_text(encoding="utf-8"))
    teams = json.loads((rec / "service_teams.json").read_text(encoding="utf-8"))
    with (rec / "experts.csv").open(encoding="utf-8", newline="") as f:
        experts = list(csv.DictReader(f))
    import openpyxl

    ws = openpyxl.load_workbook(rec / "achievements.xlsx", read_only=True).active
    rows = list(ws.values)
    achs = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    return {k: [x for x in v if x["region"] == region] for k, v in
            {"needs": needs, "orgs": orgs, "teams": teams, "experts": experts, "achs": achs}.items()}


def _day(x: dict, key: str = "date") -> str:
    v = x.get(key) or x["date"]
    return v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)[:10]


@pytest.mark.parametrize(("region", "period", "start", "end"), [
    ("巴州", "2023", "2023-01-01", "2023-12-31"), ("泰安市", "2022-2023", "2022-01-01", "2023-12-31"),
    ("镇江市", "2024H1", "2024-01-01", "2024-06-30"), ("成都市", "2022Q3", "2022-07-01", "2022-09-30"),
])
def test_every_figure_is_recomputed_from_the_raw_records(kb, region, period, start, end):
    raw = _raw(region)
    within = lambda x, key="date": start <= _day(x, key) <= end  # noqa: E731
    expected = {
        "organizations": sum(within(o, "joined_date") for o in raw["orgs"]),
        "organizations_total": sum(_day(o, "joined_date") <= end for o in raw["orgs"]),
        "needs": sum(within(n) for n in raw["needs"]),
        "experts": sum(within(e) for e in raw["experts"]),
        "experts_total": sum(_day(e) <= end for e in raw["experts"]),
        "achievements": sum(within(a) for a in raw["achs"]),
        "teams": sum(within(t) for t in raw["teams"]),
    }
    for report_type in ("工作总结", "工作亮点", "试点城市建设进展"):
        report = build_report(kb, region, period, report_type, today=TODAY)
        figs = {f.key: f.value for f in report.figures}
        for key, value in expected.items():
            assert figs[key] == value, (report_type, key)


def test_each_type_has_its_own_structure_and_title(kb):
    summary = build_report(kb, "巴州", "2023", "工作总结", today=TODAY)
    assert [h for h, _ in summary.sections] == ["一、总体情况", "二、主要做法和成效", "三、存在问题", "四、下一步计划"]
    assert summary.title == "巴州2023年“科创中国”试点城市建设工作总结"
    assert all(p[1] == "是" for p in summary.sections[1][1])  # 一是……二是……
    progress = build_report(kb, "巴州", "2023", "试点城市建设进展", today=TODAY)
    assert [h.split("、")[1] for h, _ in progress.sections] == ["总体进展", "组织入驻", "需求征集与解决", "专家与服务团",
                                                              "成果转化", "排名与成效", "下一步工作"]
    assert progress.title == "巴州2023年“科创中国”试点城市建设进展" and "建设试点城市建设" not in progress.title
    highlights = build_report(kb, "巴州", "2023", "工作亮点", today=TODAY)
    assert highlights.title.endswith("工作亮点") and "存在问题" not in highlights.markdown()
    assert len(highlights.sections) >= 3


def test_sources_are_labelled_apart_and_pronoun_quotes_left_out(kb):
    report = build_report(kb, "巴州", "2023", "试点城市建设进展", "long", today=TODAY)
    md = report.markdown()
    assert "平台记录统计（巴州，2023年，示例数据）" in md and "示例数据，仅供演示" in md
    assert any("17268" in q.text for q in report.quotes)
    assert "（所引文件，非平台记录）" in md  # a published figure is never mistaken for a counted one
    assert "她荣获" not in md and "该公司" not in md
    assert any("院士专家工作站12个" in q.text for q in report.quotes)  # the next sentence, with its subject, is used
    assert "f3a9c1d2e4b5a6978812" not in md  # references by title, not by the stored file name


def test_an_empty_section_says_so_and_bad_periods_are_refused(kb):
    report = build_report(kb, "泰安市", "2021Q1", "试点城市建设进展", today=TODAY)
    md = report.markdown()
    assert EMPTY_SECTION in md
    assert all(paras or True for _, paras in report.sections)
    with pytest.raises(AssistantError, match="尚未开始"):
        build_report(kb, "巴州", "2030", today=TODAY)
    with pytest.raises(AssistantError):
        build_report(kb, "巴州", "去年夏天那会儿", today=TODAY)


def test_sample_note_only_when_sample_records_are_used(tmp_path, embed_cache):
    rec = [{"id": "org-x-1", "type": "organization", "name": "昆山某科技有限公司", "region": "昆山市", "province": "江苏省",
            "field": "电子信息", "date": "2023-03-01", "joined_date": "2023-03-01", "org_type": "企业"},
           {"id": "exp-x-1", "type": "expert", "name": "李某", "region": "昆山市", "province": "江苏省",
            "field": "电子信息", "date": "2023-05-01", "expertise": ["芯片封测"]}]
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "real.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rec), encoding="utf-8")
    kb = KnowledgeBase(make_settings(tmp_path / "d", embed_cache))
    kb.ingest([tmp_path / "r"])
    md = build_report(kb, "昆山市", "2023", today=TODAY).markdown()
    kb.close()
    assert "示例数据" not in md and "平台记录统计（昆山市，2023年）" in md


def test_revisions_by_chat(kb):
    report = build_report(kb, "巴州", "2023", "工作总结", "short", today=TODAY)
    longer, said = revise_report(kb, report, "把第二部分写详细一点", today=TODAY)
    assert "主要做法和成效" in said and longer.length == "short"  # that section only, not the whole report
    assert len("".join(longer.sections[1][1])) > len("".join(report.sections[1][1]))
    assert longer.sections[0] == report.sections[0] and longer.sections[3] == report.sections[3]
    whole, said = revise_report(kb, report, "整体再写详细一点", today=TODAY)
    assert whole.length == "standard"
    with_experts, said = revise_report(kb, report, "加上专家服务的数据", today=TODAY)
    assert "专家" in said and any("专家" in p for p in with_experts.sections[1][1])
    without, said = revise_report(kb, with_experts, "去掉存在问题", today=TODAY)
    assert "存在问题" not in without.markdown() and [h for h, _ in without.sections][-1] == "三、下一步计划"
    assert any("专家" in p for p in without.sections[1][1])  # earlier revisions are kept
    highlights, said = revise_report(kb, without, "改成工作亮点", today=TODAY)
    assert highlights.report_type == "工作亮点" and highlights.title.endswith("工作亮点")
    with pytest.raises(AssistantError, match="可以这样修改"):
        revise_report(kb, report, "帮我润色成诗歌", today=TODAY)
    with pytest.raises(AssistantError, match="不能去掉"):
        revise_report(kb, report, "去掉总体情况", today=TODAY)


def test_one_section_made_longer_or_shorter(kb):
    report = build_report(kb, "泰安市", "2023", "试点城市建设进展", today=TODAY)
    text = {h.split("、")[1]: "".join(ps) for h, ps in report.sections}
    revised, said = revise_report(kb, report, "第三部分写详细点，组织入驻那部分精简一下，总体进展再充实一下", today=TODAY)
    new = {h.split("、")[1]: "".join(ps) for h, ps in revised.sections}
    assert "按状态" in new["需求征集与解决"] and len(new["需求征集与解决"]) > len(text["需求征集与解决"])
    assert len(new["组织入驻"]) < len(text["组织入驻"]) and "〔" in new["组织入驻"]  # still says where it comes from
    assert "从结构看" in new["总体进展"] and new["成果转化"] == text["成果转化"]
    back, _ = revise_report(kb, revised, "需求那块太细了，简洁些", today=TODAY)
    assert "按状态" not in "".join(back.sections[2][1])
    summary = build_report(kb, "泰安市", "2023", "工作总结", today=TODAY)
    detail, _ = revise_report(kb, summary, "问题那块写得太笼统了，多写几句", today=TODAY)
    assert len(detail.sections[2][1]) > len(summary.sections[2][1])
    figures = {f.key: f.value for f in detail.figures}
    assert all(figures[k] == v for k, v in {f.key: f.value for f in summary.figures}.items())  # the same counts
    without, _ = revise_report(kb, summary, "第二部分的服务团那条删掉", today=TODAY)
    assert not any("科技服务团" in p for p in without.sections[1][1]) and len(without.sections) == 4
    with pytest.raises(AssistantError, match="没有“存在问题”部分"):
        revise_report(kb, report, "问题那块多写几句", today=TODAY)
    with pytest.raises(AssistantError, match="不能改写或编造"):
        revise_report(kb, summary, "把专家数改成100名", today=TODAY)


def test_revision_instructions_as_staff_type_them(kb):
    """tests/tables/report_revisions.jsonl: every dev row is read as the revision it asks for; the held-out
    rows stay above a floor (their rate is in eval/RESULTS.md)."""
    from assistant.evaluation.revisions import run
    from assistant.evaluation.tables import summary

    reports = {t: build_report(kb, "巴州", "2023", t, today=TODAY) for t in ("工作总结", "工作亮点", "试点城市建设进展")}
    results = run(reports)
    dev_failures = [r.describe() for r in results if r.row["split"] == "dev" and not r.ok]
    assert not dev_failures, "\n".join(dev_failures)
    assert summary(results)["holdout"]["rate"] >= 0.7, summary(results)


def test_docx_is_in_gongwen_layout(kb, tmp_path):
    report = build_report(kb, "巴州", "2023", "试点城市建设进展", "long", today=TODAY)
    path = report.docx(tmp_path / "r.docx")
    d = docx.Document(str(path))
    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)  # A4, not US Letter
    assert [round(x / Mm(1)) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]

    def east_asian(style) -> str:
        fonts = style.element.rPr.find(docx.oxml.ns.qn("w:rFonts"))
        return fonts.get(docx.oxml.ns.qn("w:eastAsia"))

    paras = d.paragraphs
    title = next(p for p in paras if p.text == report.title)
    assert "小标宋" in east_asian(title.style) or "宋" in east_asian(title.style)
    body = next(p for p in paras if p.text.startswith("2023年，巴州"))
    assert "仿宋" in east_asian(body.style) and body.style.font.size.pt == 16  # 三号
    h1 = next(p for p in paras if p.text.endswith("组织入驻"))
    assert "黑体" in east_asian(h1.style)
    footer = sec.footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer  # a page-number field, "— 1 —"
    text = "\n".join(p.text for p in paras)
    assert "f3a9c1d2e4b5a6978812" not in text and "《" in text  # references by title
    sign = [p for p in paras if p.text in ("巴州科学技术协会", "2026年11月24日")]
    assert len(sign) == 2 and all(p.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT for p in sign)  # 落款
    assert "示例数据" in text


def test_llm_rewrite_keeps_only_numbers_already_in_the_text(kb):
    from assistant.chains import Assistant
    from assistant.usecases import revise_report as revise
    from tests.fake_openai import FakeOpenAIServer

    report = build_report(kb, "巴州", "2023", "工作总结", "short", today=TODAY)
    with FakeOpenAIServer() as server:
        settings = kb.settings.model_copy(update={"llm": kb.settings.llm.model_copy(update={
            "provider": "custom", "base_url": server.base_url, "max_retries": 0})})
        assistant = Assistant(settings, kb=kb)
        overview = report.sections[0][1][0]
        n = next(f for f in report.figures if f.key == "needs")
        server.replies += [f"巴州扎实推进“科创中国”试点建设，全年发布科技需求{n.value:g}项，各项工作有序推进。"]
        revised, said = revise(assistant, report, "把总体情况的语气改得更正式")
        assert said.startswith("已按意见改写1段")
        new = revised.sections[0][1][0]
        assert new.startswith("巴州扎实推进") and new.endswith("〔平台记录统计（巴州，2023年，示例数据）〕")
        assert revised.sections[1:] == report.sections[1:]  # only the section named
        server.replies += ["巴州全年带动产值9999万元，成效显著。"]
        revised, said = revise(assistant, report, "把总体情况的语气改得更正式")
        assert revised.sections[0][1][0] == overview and "保留原文" in said  # 9999 is in no record: rejected
        assert "改写" not in server.requests[-1]["body"]["messages"][0]["content"][:2]
    offline = Assistant(kb.settings, kb=kb)
    with pytest.raises(AssistantError, match="离线模式只能按结构修改"):
        revise(offline, report, "把总体情况的语气改得更正式")
