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
    sample: bool = False  # whether any counted record is sample data (示例数据)


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
        sample=any(r.sample for r in [*orgs_all, *needs, *experts_all, *achs, *teams]),
    )


class Quote(BaseModel):
    n: int
    source: str
    title: str
    chunk_id: str
    text: str


EMPTY_SECTION = "本期平台记录中暂无相关内容。"
SECTION_TOPICS = {"needs": "需求", "experts": "专家", "teams": "服务团", "organizations": "入驻", "achievements": "成果"}
# Each topic's paragraph opens with its heading (a 工作亮点 section is named by it) and belongs to one task of a
# 试点城市建设进展 report: making that section longer details the topic.
TOPIC_HEADS = {"needs": "聚焦产业需求精准对接", "teams": "组建科技服务团下沉服务", "experts": "汇聚专家智力资源",
               "organizations": "壮大平台入驻主体", "achievements": "推动科技成果转化"}
TOPIC_TASKS = {"needs": "需求征集与解决", "teams": "专家与服务团", "experts": "专家与服务团", "organizations": "组织入驻",
               "achievements": "成果转化"}


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
    length: str = "standard"
    removed: list[str] = Field(default_factory=list)  # sections taken out by a revision ("去掉存在问题")
    detailed: list[str] = Field(default_factory=list)  # topics a revision asked for ("加上专家服务的数据")
    sizes: dict[str, str] = Field(default_factory=dict)  # one section's length ("把第二部分写详细一点"): name → short/long
    issuer: str = ""
    issued: date | None = None

    @property
    def uses_sample_records(self) -> bool:
        return self.aggregates.sample

    def markdown(self) -> str:
        source = "科创中国平台记录统计" + ("（示例数据，仅供演示）" if self.uses_sample_records else "")
        lines = [f"# {self.title}", "", f"> 数据来源：{source}（{self.period.label}，{self.region}）"
                 + ("及所引文件" if self.quotes else "") + "；文中每个数字均注明出处。", ""]
        for heading, paras in self.sections:
            lines += [f"## {heading}", ""]
            lines += [p + "\n" for p in (paras or [EMPTY_SECTION])]
        if self.quotes:
            lines += ["## 引用文件", ""]
            lines += [f"[{q.n}] 《{q.title}》" for q in self.quotes]
            lines.append("")
        if self.issuer:
            lines += [f">> {self.issuer}", f">> {_cn_date(self.issued or date.today())}", ""]
        return "\n".join(lines)

    def docx(self, path: Path) -> Path:
        """The report as a DOCX in 公文 layout (A4, 仿宋/黑体 styles, page numbers): the Markdown's headings and
        paragraphs laid out by ``gongwen`` (its line markup is the same as these Markdown lines)."""
        from assistant import gongwen

        return gongwen.layout(markdown_to_markup(self.markdown()), path, title=self.title)


def markdown_to_markup(markdown: str) -> str:
    """A report's Markdown (as drafted, or as edited by its author) in ``gongwen``'s line markup: references
    without first-line indent, the signature right-aligned."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("[") and re.match(r"\[\d+\]", line):
            line = f"- {line}"
        lines.append(line)
    return "\n".join(lines)


def _record_source(region: str, period: Period, sample: bool) -> str:
    """The source mark of a figure counted from the platform records (示例数据 when they are sample data)."""
    return f"{RECORD_FILES}（{region}，{period.label}{'，示例数据' if sample else ''}）"


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


ORDINALS = "一二三四五六七八九十"


def _counts(counter: dict[str, int], unit: str = "项", n: int | None = None) -> str:
    """"现代农业2项、石油化工2项": a breakdown in the counter's order (the first ``n``)."""
    return "、".join(f"{k}{v}{unit}" for k, v in list(counter.items())[:n])


NUMBER = re.compile(r"\d+(?:\.\d+)?")


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
    allowed = {f"{f.value:g}" for f in report.figures} | set(NUMBER.findall(report.period.label))
    if not text or any(n not in allowed for n in NUMBER.findall(text)):
        return report
    src = _record_source(report.region, report.period, report.aggregates.sample)
    sections = [(h, [f"{text}〔{src}〕"] if i == 0 and h.endswith(("总体情况", "总体进展")) else paras)
                for i, (h, paras) in enumerate(report.sections)]
    return report.model_copy(update={"sections": sections})


# A quoted sentence whose subject is a pronoun ("2022年10月,她荣获…", "该公司…", "其…") says nothing of whom.
_PRONOUN_SUBJECT = re.compile(r"^(?:[^，,。；]{0,14}[，,]\s*)?(?:她们|他们|它们|她|他|它|其|该|此|这|那|上述|以上|前者|后者)")
_LENGTH_ITEMS = {"short": 3, "standard": 6, "long": 9}
LENGTHS = ("short", "standard", "long")  # shortest first


def _brief(paragraph: str) -> str:
    """A paragraph cut to its first clause, its source mark kept ("写简短一点" on one highlight)."""
    mark = re.search(r"〔[^〕]*〕$", paragraph)
    head = re.split(r"[；;，,]", paragraph, maxsplit=1)[0].rstrip("。")
    return head + "。" + (mark.group(0) if mark else "")


def _quotes(kb: KnowledgeBase, region: str, period: Period, limit: int) -> list[Quote]:
    """Sentences with figures from documents about the region (news, published reports), each with its source."""
    from assistant._text import split_sentences

    quotes: list[Quote] = []
    if limit <= 0:
        return quotes
    hits = kb.search(f"{region} 科创中国 试点 成效 {period.label}", k=12, filters=SearchFilters(types=["news", "document"]))
    place = regions.resolve(region)
    for h in hits:
        if len(quotes) >= limit:
            break
        if not regions.contains(place, h.metadata.get("region") or None) and not any(
                m.region.within(place) for m in regions.find_regions(h.text)):
            continue
        for st, en in split_sentences(h.text):
            sent = h.text[st:en].strip()
            if re.search(r"\d", sent) and 20 <= len(sent) <= 160 and "20xx" not in sent and not sent.endswith("：") \
                    and not _PRONOUN_SUBJECT.match(sent):
                quotes.append(Quote(n=len(quotes) + 1, source=h.source, title=h.title, chunk_id=h.chunk_id, text=sent))
                break
    return quotes


def build_report(kb: KnowledgeBase, region: str, period_text: str, report_type: str = "工作总结",
                 length: Literal["short", "standard", "long"] = "standard", today: date | None = None,
                 removed: list[str] | None = None, detailed: list[str] | None = None, issuer: str | None = None,
                 sizes: dict[str, str] | None = None) -> Report:
    """A staff report of one type, each with its own structure (the seeds are the model):

    - 工作总结: 总体情况 / 主要做法和成效 (一是……二是……) / 存在问题 / 下一步计划;
    - 工作亮点: 总体情况, then one heading per highlight;
    - 试点城市建设进展: by task — 组织入驻 / 需求征集与解决 / 专家与服务团 / 成果转化 / 排名与成效 / 下一步工作.

    Figures counted from the platform records are labelled 平台记录统计 (示例数据 when the records are sample
    data); figures from documents are quoted with their title. ``removed``, ``detailed`` and ``sizes`` (one
    section made longer or shorter) carry revisions."""
    if report_type not in get_args(ReportType):
        raise AssistantError(f"报告类型应为：{'、'.join(get_args(ReportType))}（收到 {report_type!r}）。")
    today = today or date.today()
    period = parse_period(period_text, today)
    if regions.resolve(region) is None:
        raise AssistantError(f"无法识别的地区 {region!r}：请写地区名称，如 巴州、泰安市、镇江市。")
    agg = aggregate(kb, region, period)
    if agg.organizations_total == 0 and agg.experts_total == 0 and agg.needs == 0:
        raise AssistantError(f"知识库中没有 {region} 的平台记录，无法统计。请先导入该地区的记录。")
    asked = list(detailed or [])
    removed, detailed, sizes = list(removed or []), list(asked), dict(sizes or {})

    def size(*names: str) -> str:
        """The length of a section: its own when a revision set one, else the report's."""
        return next((sizes[n] for n in names if n in sizes), length)

    works = "主要做法和成效" if report_type == "工作总结" else ""
    for t in TOPIC_HEADS:  # a section a revision made longer details its topics
        if t not in detailed and "long" in (sizes.get(TOPIC_HEADS[t]), sizes.get(TOPIC_TASKS[t]), sizes.get(works)):
            detailed.append(t)
    src = _record_source(region, period, agg.sample)
    figs: list[Figure] = []

    def fig(key: str, label: str, value: float, unit: str, source: str = src) -> str:
        f = Figure(key=key, label=label, value=value, unit=unit, source=source)
        if not any(g.key == key for g in figs):
            figs.append(f)
        return f.text

    overall = (
        f"{period.label}，{region}依托“科创中国”平台推进科技经济融合。平台记录显示："
        f"{fig('organizations', '新入驻组织', agg.organizations, '家')}（截至期末累计入驻{fig('organizations_total', '', agg.organizations_total, '家')}），"
        f"{fig('needs', '发布科技需求', agg.needs, '项')}，"
        f"{fig('experts', '新入库专家', agg.experts, '名')}（截至期末累计{fig('experts_total', '', agg.experts_total, '名')}），"
        f"{fig('achievements', '发布科技成果', agg.achievements, '项')}，"
        f"{fig('teams', '组建科技服务团', agg.teams, '个')}。〔{src}〕"
    )
    topic: dict[str, str] = {}
    solved = agg.needs_by_status.get("已解决", 0) + agg.needs_by_status.get("已对接", 0)
    if agg.needs:
        text = (f"{TOPIC_HEADS['needs']}。{fig('needs', '征集企业科技需求', agg.needs, '项')}，主要集中在{_counts(agg.needs_by_field, n=3)}；"
                f"{fig('needs_matched', '其中已对接或已解决', solved, '项')}")
        if agg.needs_budget_wan:
            text += f"，需求方明确的预算合计{fig('needs_budget_wan', '', agg.needs_budget_wan, '万元')}"
        if "needs" in detailed:
            text += "；按状态：" + _counts(agg.needs_by_status)
        topic["needs"] = text + f"。〔{src}〕"
    if agg.teams or "teams" in detailed:
        topic["teams"] = (f"{TOPIC_HEADS['teams']}。{fig('teams', '组建科技服务团', agg.teams, '个')}，"
                          f"{fig('teams_members', '成员', agg.teams_members, '人')}，"
                          f"{fig('teams_served', '累计服务企业', agg.teams_served, '家')}。〔{src}〕")
    if agg.experts or "experts" in detailed:
        text = (f"{TOPIC_HEADS['experts']}。{fig('experts', '新入库专家', agg.experts, '名')}，截至期末累计"
                f"{fig('experts_total', '', agg.experts_total, '名')}")
        if agg.experts_by_field:
            text += "，覆盖" + _counts(agg.experts_by_field, "名", 4)
            for k, v in list(agg.experts_by_field.items())[:4]:
                figs.append(Figure(key=f"expert_field:{k}", label=k, value=v, unit="名", source=src))
        topic["experts"] = text + f"。〔{src}〕"
    if agg.organizations:
        text = (f"{TOPIC_HEADS['organizations']}。{fig('organizations', '新入驻组织', agg.organizations, '家')}，其中"
                + _counts(agg.org_by_type, "家"))
        if "organizations" in detailed:
            text += f"；截至期末累计入驻{fig('organizations_total', '', agg.organizations_total, '家')}"
        topic["organizations"] = text + f"。〔{src}〕"
        for k, v in agg.org_by_type.items():
            figs.append(Figure(key=f"org_type:{k}", label=k, value=v, unit="家", source=src))
    if agg.achievements:
        topic["achievements"] = (f"{TOPIC_HEADS['achievements']}。{fig('achievements', '发布科技成果', agg.achievements, '项')}，按成熟度：" +
                                 _counts(agg.achievements_by_maturity) + f"。〔{src}〕")
        for k, v in agg.achievements_by_maturity.items():
            figs.append(Figure(key=f"maturity:{k}", label=k, value=v, unit="项", source=src))
    for k, v in list(agg.needs_by_field.items())[:3]:
        figs.append(Figure(key=f"need_field:{k}", label=k, value=v, unit="项", source=src))
    if "experts" not in detailed and "experts" in topic and report_type == "工作总结" and length != "long":
        topic.pop("experts")  # the overview counts experts already; a paragraph when asked for or in long reports

    overview = "总体进展" if report_type == "试点城市建设进展" else "总体情况"
    overall_paras = [overall]
    if size(overview) == "long":  # the structure behind the totals, from the same counts
        parts = []
        if agg.org_by_type:
            parts.append("新入驻组织中" + _counts(agg.org_by_type, "家"))
        if agg.needs_by_field:
            parts.append("科技需求主要集中在" + _counts(agg.needs_by_field, n=3))
        if agg.achievements_by_maturity:
            parts.append("科技成果按成熟度" + _counts(agg.achievements_by_maturity))
        if parts:
            overall_paras.append("从结构看，" + "；".join(parts) + f"。〔{src}〕")

    for t in removed:  # one item taken out of its section ("第二部分的服务团那条删掉")
        topic.pop(t, None)
    max_items = _LENGTH_ITEMS[size(works or "")]
    order = [t for t in ("needs", "teams", "experts", "organizations", "achievements") if t in topic]
    order = [t for t in detailed if t in topic] + [t for t in order if t not in detailed]
    n_quotes = (_LENGTH_ITEMS[size("排名与成效")] // 2 if report_type == "试点城市建设进展"
                else max_items - min(len(order), max_items))
    quotes = _quotes(kb, region, period, n_quotes)
    quoted = [f"据《{q.title}》（所引文件，非平台记录）：{q.text}[{q.n}]" for q in quotes]

    problems_size, plans_size = size("存在问题"), size("下一步计划", "下一步工作")
    open_needs = agg.needs_by_status.get("征集中", 0)
    gaps = [f for f in agg.needs_by_field if agg.experts_by_field.get(f, 0) == 0]
    problems: list[str] = []
    if open_needs:
        problems.append(f"部分需求尚未对接：{fig('needs_open', '仍处于征集中的需求', open_needs, '项')}。〔{src}〕")
    if gaps and problems_size == "long":  # one problem per field, with its count of needs
        problems += [f"{g}领域有{fig(f'need_field:{g}', f'{g}领域需求', agg.needs_by_field[g], '项')}，"
                     f"本地区平台尚无该领域专家入库，需求对接依赖外部资源。〔{src}〕" for g in gaps[:5]]
    elif gaps:
        problems.append(f"专家资源与需求结构不匹配：{'、'.join(gaps[:3])}领域有需求，但本地区平台尚无该领域专家入库。〔{src}〕")
    if problems_size == "long":  # what the counts themselves show
        if agg.needs and agg.achievements < agg.needs:
            problems.append(f"成果供给不足：本期{fig('achievements', '发布科技成果', agg.achievements, '项')}，"
                            f"少于{fig('needs', '征集企业科技需求', agg.needs, '项')}。〔{src}〕")
        if agg.needs and not agg.teams:
            problems.append(f"本期未组建科技服务团，{fig('needs', '征集企业科技需求', agg.needs, '项')}的对接主要依靠专家个人。〔{src}〕")
        problems.append("以上问题依据平台记录统计得出；企业反映的其他困难，建议结合实地调研补充。")
    plans = []
    if gaps and plans_size == "long":
        plans += [f"围绕{g}领域需求，对接全国学会和高校院所的{g}专家，力争实现该领域专家入库零的突破。" for g in gaps[:5]]
    elif gaps:
        plans.append(f"围绕{'、'.join(gaps[:3])}等领域，引进全国学会专家资源，补齐专家库短板。")
    if open_needs:
        plans.append("对征集中的需求逐项开展“揭榜挂帅”式对接，推动需求与成果、专家、服务团精准匹配。")
    if plans_size == "long":
        if agg.achievements:
            plans.append("组织成果发布和路演对接活动，推动已发布科技成果在本地企业转化落地。")
        if agg.teams or agg.experts_total:
            plans.append("发挥科技服务团和入库专家作用，建立常态化走访企业机制，跟踪需求解决成效。")
    plans.append("持续推进“科创中国”平台入驻和数据更新，完善需求征集、对接、反馈闭环。")
    if problems_size == "short":
        problems = problems[:1]
    if plans_size == "short":
        plans = plans[:2]

    if report_type == "工作总结":
        items = ([topic[t] for t in order] + quoted)[:max_items]
        sections = [("一、总体情况", overall_paras),
                    ("二、主要做法和成效", [f"{ORDINALS[i]}是{p}" for i, p in enumerate(items)]),
                    ("三、存在问题", problems or ["平台记录中未发现突出问题；建议结合实地调研补充。"]),
                    ("四、下一步计划", plans)]
    elif report_type == "工作亮点":
        heads_bodies = [(t, *topic[t].split("。", 1)) for t in order]
        highlights = [(head, _brief(body) if size(TOPIC_HEADS[t]) == "short" else body) for t, head, body in heads_bodies]
        highlights += [(f"《{q.title}》所载成效", quoted[i]) for i, q in enumerate(quotes)]
        sections = [("一、总体情况", overall_paras)]
        sections += [(f"{ORDINALS[i + 1]}、{head}", [body]) for i, (head, body) in enumerate(highlights[:max_items])]
    else:  # 试点城市建设进展: by task
        team_expert = [topic[t] for t in ("experts", "teams") if t in topic]
        if "experts" not in topic and (agg.experts or agg.experts_total):
            team_expert.insert(0, f"专家库建设。截至期末累计入库专家{fig('experts_total', '', agg.experts_total, '名')}。〔{src}〕")
        tasks = [("总体进展", overall_paras), ("组织入驻", [topic["organizations"]] if "organizations" in topic else []),
                 ("需求征集与解决", [topic["needs"]] if "needs" in topic else []),
                 ("专家与服务团", team_expert),
                 ("成果转化", [topic["achievements"]] if "achievements" in topic else []),
                 ("排名与成效", quoted),
                 ("下一步工作", plans)]
        sections = [(f"{ORDINALS[i]}、{name}", [_brief(p) for p in paras[:1]] if size(name) == "short" and name
                     not in ("下一步工作",) else paras) for i, (name, paras) in enumerate(tasks)]
    sections = [(h, ps) for h, ps in sections if not any(r in h for r in removed)]
    sections = [(f"{ORDINALS[i]}、{h.split('、', 1)[1]}", ps) for i, (h, ps) in enumerate(sections)]
    kind = {"工作总结": "工作总结", "工作亮点": "工作亮点", "试点城市建设进展": "试点城市建设进展"}[report_type]
    title = f"{region}{period.label}“科创中国”{'试点城市建设' if report_type == '工作总结' else ''}{kind}"
    return Report(title=title, region=region, period=period, report_type=report_type, sections=sections,
                  figures=figs, quotes=quotes, aggregates=agg, length=length, removed=removed, detailed=asked,
                  sizes=sizes, issuer=issuer if issuer is not None else f"{region}科学技术协会", issued=today)
