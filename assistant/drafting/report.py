"""Staff reports (工作总结 / 工作亮点 / 试点城市建设进展) from platform records and cited documents.

Every figure comes either from an aggregate computed here over the records (counted, never generated) or
from a sentence quoted from a cited document. A figure without a source is not written.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field

from assistant.domain import dates, regions
from assistant.domain.dates import Period
from assistant.errors import AssistantError, ProviderError
from assistant.knowledge_base import KnowledgeBase
from assistant.llm.gateway import LLM_FAILED_NOTE
from assistant.records import RecordBase
from assistant.retrieval import SearchFilters

ReportType = Literal["工作总结", "工作亮点", "试点城市建设进展"]
RECORD_FILES = "平台记录统计"


def parse_period(text: str, today: date | None = None) -> Period:
    """The report period (see ``assistant.domain.dates``): a future period is refused, one in progress marked."""
    return dates.report_period(text, today)


class Figure(BaseModel):
    """One number in the report and where it comes from."""

    key: str
    label: str
    value: float
    unit: str
    source: str  # "平台记录统计：…" or a document citation

    @property
    def text(self) -> str:
        v = f"{self.value:g}"
        return f"{self.label}{v}{self.unit}"


class Aggregates(BaseModel):
    region: str
    period: Period
    organizations: int
    organizations_total: int
    org_by_type: dict[str, int]
    needs: int
    needs_by_field: dict[str, int]
    needs_by_status: dict[str, int]
    needs_budget_wan: float
    experts: int
    experts_total: int
    experts_by_field: dict[str, int]
    achievements: int
    achievements_by_maturity: dict[str, int]
    teams: int
    teams_members: int
    teams_served: int


def _in_region(r: RecordBase, region: str) -> bool:
    """Whether a record lies in the report's region (a county's record counts for its prefecture)."""
    return bool(regions.contains(region, r.region) or (r.province and regions.contains(region, r.province)
                                                       and regions.resolve(r.region) is None))


def _when(r: RecordBase) -> date | None:
    return getattr(r, "joined_date", None) or r.date


def aggregate(kb: KnowledgeBase, region: str, period: Period) -> Aggregates:
    """Counted over the records; ``date`` (or ``joined_date`` for organizations) decides the period, and the
    cumulative figures count what existed by the period's end."""
    def recs(t: str) -> list[RecordBase]:
        return [r for r in kb.records(t) if _in_region(r, region)]

    def upto(rs: list[RecordBase]) -> list[RecordBase]:
        return [r for r in rs if _when(r) is None or _when(r) <= period.end]

    orgs_all = upto(recs("organization"))
    orgs = [o for o in orgs_all if period.contains(_when(o))]
    needs = [n for n in recs("need") if period.contains(n.date)]
    experts_all = upto(recs("expert"))
    experts = [e for e in experts_all if period.contains(e.date)]
    achs = [a for a in recs("achievement") if period.contains(a.date)]
    teams = [t for t in recs("service_team") if period.contains(t.date)]
    return Aggregates(
        region=region, period=period, organizations=len(orgs), organizations_total=len(orgs_all),
        org_by_type=dict(Counter(getattr(o, "org_type", None) or "其他" for o in orgs).most_common()),
        needs=len(needs), needs_by_field=dict(Counter(n.field or "其他" for n in needs).most_common()),
        needs_by_status=dict(Counter(getattr(n, "status", None) or "未标注" for n in needs).most_common()),
        needs_budget_wan=round(sum(getattr(n, "budget_wan", None) or 0 for n in needs), 2),
        experts=len(experts), experts_total=len(experts_all),
        experts_by_field=dict(Counter(e.field or "其他" for e in experts_all).most_common()),
        achievements=len(achs),
        achievements_by_maturity=dict(Counter(getattr(a, "maturity", None) or "未标注" for a in achs).most_common()),
        teams=len(teams), teams_members=sum(getattr(t, "members", None) or 0 for t in teams),
        teams_served=sum(getattr(t, "served_enterprises", None) or 0 for t in teams),
    )


class Quote(BaseModel):
    n: int
    source: str
    title: str
    chunk_id: str
    text: str


class Report(BaseModel):
    title: str
    region: str
    period: Period
    report_type: str
    sections: list[tuple[str, list[str]]]
    figures: list[Figure] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    aggregates: Aggregates
    notes: list[str] = Field(default_factory=list)  # e.g. the LLM failed and the offline overview was kept

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", f"> 数据来源：科创中国平台记录统计（{self.period.label}，{self.region}）"
                 "及所引文件；文中每个数字均注明出处。示例数据仅供演示。", ""]
        for heading, paras in self.sections:
            lines += [f"## {heading}", ""]
            lines += [p + "\n" for p in paras]
        if self.quotes:
            lines += ["## 引用文件", ""]
            lines += [f"[{q.n}] 《{q.title}》（{q.source}）" for q in self.quotes]
            lines.append("")
        return "\n".join(lines)

    def docx(self, path: Path) -> Path:
        """The report as a DOCX in 公文 layout (A4, 仿宋/黑体 styles, page numbers): the Markdown's headings and
        paragraphs laid out by ``gongwen`` (its line markup is the same as these Markdown lines)."""
        from assistant import gongwen

        lines = []
        for line in self.markdown().splitlines():
            lines.append(f"- {line}" if line.startswith("[") else line)  # references: no first-line indent
        return gongwen.layout("\n".join(lines), path, title=self.title)


_ORDINALS = "一二三四五六七八九十"


def _top(counter: dict[str, int], n: int = 3) -> str:
    return "、".join(f"{k}{v}项" for k, v in list(counter.items())[:n])


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def polish_overview(assistant, report: Report) -> Report:
    """With an LLM, rewrite the overview paragraph in a report's register. Every number in the new text
    must be one of the report's counted figures; otherwise the template paragraph stays."""
    from langchain_core.messages import HumanMessage

    from assistant.prompts import render

    if not getattr(assistant, "use_llm", False):
        return report
    facts = [f"{f.label or f.key}：{f.value:g}{f.unit}" for f in report.figures if not f.key.startswith(("org_type:",
                                                                                                        "maturity:",
                                                                                                        "need_field:"))]
    prompt = render("report_overview", region=report.region, period=report.period.label,
                    report_type=report.report_type, figures=facts)
    try:
        text = assistant.complete([HumanMessage(prompt)]).content.strip()
    except ProviderError:
        return report.model_copy(update={"notes": [*report.notes, LLM_FAILED_NOTE]})
    allowed = {f"{f.value:g}" for f in report.figures} | set(_NUMBER.findall(report.period.label))
    if not text or any(n not in allowed for n in _NUMBER.findall(text)):
        return report
    src = f"{RECORD_FILES}（{report.region}，{report.period.label}）"
    sections = [(h, [f"{text}〔{src}〕"] if h == "一、总体情况" else paras) for h, paras in report.sections]
    return report.model_copy(update={"sections": sections})


def build_report(kb: KnowledgeBase, region: str, period_text: str, report_type: str = "工作总结",
                 length: Literal["short", "standard", "long"] = "standard", today: date | None = None) -> Report:
    if report_type not in get_args(ReportType):
        raise AssistantError(f"报告类型应为：{'、'.join(get_args(ReportType))}（收到 {report_type!r}）。")
    period = parse_period(period_text, today)
    if regions.resolve(region) is None:
        raise AssistantError(f"无法识别的地区 {region!r}：请写地区名称，如 巴州、泰安市、镇江市。")
    agg = aggregate(kb, region, period)
    if agg.organizations_total == 0 and agg.experts_total == 0 and agg.needs == 0:
        raise AssistantError(f"知识库中没有 {region} 的平台记录，无法统计。请先导入该地区的记录。")
    src = f"{RECORD_FILES}（{region}，{period.label}）"
    figs: list[Figure] = []

    def fig(key: str, label: str, value: float, unit: str, source: str = src) -> str:
        f = Figure(key=key, label=label, value=value, unit=unit, source=source)
        figs.append(f)
        return f.text

    overall = (
        f"{period.label}，{region}依托“科创中国”平台推进科技经济融合。平台记录显示："
        f"{fig('organizations', '新入驻组织', agg.organizations, '家')}（累计入驻{fig('organizations_total', '', agg.organizations_total, '家')}），"
        f"{fig('needs', '发布科技需求', agg.needs, '项')}，"
        f"{fig('experts', '新入库专家', agg.experts, '名')}（累计{fig('experts_total', '', agg.experts_total, '名')}），"
        f"{fig('achievements', '发布科技成果', agg.achievements, '项')}，"
        f"{fig('teams', '组建科技服务团', agg.teams, '个')}。〔{src}〕"
    )
    practices: list[str] = []
    if agg.needs:
        solved = agg.needs_by_status.get("已解决", 0) + agg.needs_by_status.get("已对接", 0)
        text = (f"聚焦产业需求精准对接。{fig('needs', '征集企业科技需求', agg.needs, '项')}，主要集中在{_top(agg.needs_by_field)}；"
                f"{fig('needs_matched', '其中已对接或已解决', solved, '项')}")
        if agg.needs_budget_wan:
            text += f"，需求方明确的预算合计{fig('needs_budget_wan', '', agg.needs_budget_wan, '万元')}"
        practices.append(text + f"。〔{src}〕")
    if agg.teams:
        practices.append(f"组建科技服务团下沉服务。{fig('teams', '组建科技服务团', agg.teams, '个')}，"
                         f"{fig('teams_members', '成员', agg.teams_members, '人')}，"
                         f"{fig('teams_served', '累计服务企业', agg.teams_served, '家')}。〔{src}〕")
    if agg.organizations:
        practices.append(f"壮大平台入驻主体。{fig('organizations', '新入驻组织', agg.organizations, '家')}，其中"
                         + "、".join(f"{k}{v}家" for k, v in agg.org_by_type.items()) + f"。〔{src}〕")
        for k, v in agg.org_by_type.items():
            figs.append(Figure(key=f"org_type:{k}", label=k, value=v, unit="家", source=src))
    if agg.achievements:
        practices.append(f"推动科技成果转化。{fig('achievements', '发布科技成果', agg.achievements, '项')}，按成熟度：" +
                         "、".join(f"{k}{v}项" for k, v in agg.achievements_by_maturity.items()) + f"。〔{src}〕")
        for k, v in agg.achievements_by_maturity.items():
            figs.append(Figure(key=f"maturity:{k}", label=k, value=v, unit="项", source=src))
    for k, v in list(agg.needs_by_field.items())[:3]:
        figs.append(Figure(key=f"need_field:{k}", label=k, value=v, unit="项", source=src))

    # Figures stated in documents about the region and period, quoted with their citation.
    max_items = {"short": 3, "standard": 6, "long": 9}[length]
    items: list[str] = practices[:max_items]
    quotes: list[Quote] = []
    hits = kb.search(f"{region} 科创中国 试点 成效 {period.label}", k=12,
                                     filters=SearchFilters(types=["news", "document"]))
    from assistant._text import split_sentences

    place = regions.resolve(region)
    for h in hits:
        if len(items) >= max_items:
            break
        if not regions.contains(place, h.metadata.get("region") or None) and not any(
                m.region.within(place) for m in regions.find_regions(h.text)):
            continue
        for s, e in split_sentences(h.text):
            sent = h.text[s:e].strip()
            if re.search(r"\d", sent) and 20 <= len(sent) <= 160 and "20xx" not in sent and not sent.endswith("："):
                q = Quote(n=len(quotes) + 1, source=h.source, title=h.title, chunk_id=h.chunk_id, text=sent)
                quotes.append(q)
                items.append(f"据《{q.title}》：{sent}[{q.n}]")
                break
    practices = [f"{_ORDINALS[i]}是{p}" for i, p in enumerate(items)]

    problems: list[str] = []
    open_needs = agg.needs_by_status.get("征集中", 0)
    if open_needs:
        problems.append(f"部分需求尚未对接：{fig('needs_open', '仍处于征集中的需求', open_needs, '项')}。〔{src}〕")
    gaps = [f for f in agg.needs_by_field if agg.experts_by_field.get(f, 0) == 0]
    if gaps:
        problems.append(f"专家资源与需求结构不匹配：{'、'.join(gaps[:3])}领域有需求，但本地区平台尚无该领域专家入库。〔{src}〕")
    if not problems:
        problems.append("平台记录中未发现突出问题；建议结合实地调研补充。")
    plans = []
    if gaps:
        plans.append(f"围绕{'、'.join(gaps[:3])}等领域，引进全国学会专家资源，补齐专家库短板。")
    if open_needs:
        plans.append("对征集中的需求逐项开展“揭榜挂帅”式对接，推动需求与成果、专家、服务团精准匹配。")
    plans.append("持续推进“科创中国”平台入驻和数据更新，完善需求征集、对接、反馈闭环。")
    title = f"{region}{period.label}“科创中国”{'试点城市建设' if report_type != '工作亮点' else ''}{report_type}"
    sections = [("一、总体情况", [overall]), ("二、主要做法和成效", practices), ("三、存在问题", problems),
                ("四、下一步计划", plans)]
    if report_type == "工作亮点":
        sections = [("一、总体情况", [overall]), ("二、工作亮点", practices)]
    return Report(title=title, region=region, period=period, report_type=report_type, sections=sections,
                  figures=figs, quotes=quotes, aggregates=agg)
