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
    src = _record_source(report.region, report.period, report.aggregates.sample)
    sections = [(h, [f"{text}〔{src}〕"] if i == 0 and h.endswith(("总体情况", "总体进展")) else paras)
                for i, (h, paras) in enumerate(report.sections)]
    return report.model_copy(update={"sections": sections})


# A quoted sentence whose subject is a pronoun ("2022年10月,她荣获…", "该公司…", "其…") says nothing of whom.
_PRONOUN_SUBJECT = re.compile(r"^(?:[^，,。；]{0,14}[，,]\s*)?(?:她们|他们|它们|她|他|它|其|该|此|这|那|上述|以上|前者|后者)")
_LENGTH_ITEMS = {"short": 3, "standard": 6, "long": 9}
LENGTHS = ("short", "standard", "long")  # shortest first


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
                 removed: list[str] | None = None, detailed: list[str] | None = None, issuer: str | None = None) -> Report:
    """A staff report of one type, each with its own structure (the seeds are the model):

    - 工作总结: 总体情况 / 主要做法和成效 (一是……二是……) / 存在问题 / 下一步计划;
    - 工作亮点: 总体情况, then one heading per highlight;
    - 试点城市建设进展: by task — 组织入驻 / 需求征集与解决 / 专家与服务团 / 成果转化 / 排名与成效 / 下一步工作.

    Figures counted from the platform records are labelled 平台记录统计 (示例数据 when the records are sample
    data); figures from documents are quoted with their title. ``removed`` and ``detailed`` carry revisions."""
    if report_type not in get_args(ReportType):
        raise AssistantError(f"报告类型应为：{'、'.join(get_args(ReportType))}（收到 {report_type!r}）。")
    today = today or date.today()
    period = parse_period(period_text, today)
    if regions.resolve(region) is None:
        raise AssistantError(f"无法识别的地区 {region!r}：请写地区名称，如 巴州、泰安市、镇江市。")
    agg = aggregate(kb, region, period)
    if agg.organizations_total == 0 and agg.experts_total == 0 and agg.needs == 0:
        raise AssistantError(f"知识库中没有 {region} 的平台记录，无法统计。请先导入该地区的记录。")
    removed, detailed = list(removed or []), list(detailed or [])
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
        text = (f"聚焦产业需求精准对接。{fig('needs', '征集企业科技需求', agg.needs, '项')}，主要集中在{_top(agg.needs_by_field)}；"
                f"{fig('needs_matched', '其中已对接或已解决', solved, '项')}")
        if agg.needs_budget_wan:
            text += f"，需求方明确的预算合计{fig('needs_budget_wan', '', agg.needs_budget_wan, '万元')}"
        if "needs" in detailed:
            text += "；按状态：" + "、".join(f"{k}{v}项" for k, v in agg.needs_by_status.items())
        topic["needs"] = text + f"。〔{src}〕"
    if agg.teams or "teams" in detailed:
        topic["teams"] = (f"组建科技服务团下沉服务。{fig('teams', '组建科技服务团', agg.teams, '个')}，"
                          f"{fig('teams_members', '成员', agg.teams_members, '人')}，"
                          f"{fig('teams_served', '累计服务企业', agg.teams_served, '家')}。〔{src}〕")
    if agg.experts or "experts" in detailed:
        text = (f"汇聚专家智力资源。{fig('experts', '新入库专家', agg.experts, '名')}，截至期末累计"
                f"{fig('experts_total', '', agg.experts_total, '名')}")
        if agg.experts_by_field:
            text += "，覆盖" + "、".join(f"{k}{v}名" for k, v in list(agg.experts_by_field.items())[:4])
            for k, v in list(agg.experts_by_field.items())[:4]:
                figs.append(Figure(key=f"expert_field:{k}", label=k, value=v, unit="名", source=src))
        topic["experts"] = text + f"。〔{src}〕"
    if agg.organizations:
        topic["organizations"] = (f"壮大平台入驻主体。{fig('organizations', '新入驻组织', agg.organizations, '家')}，其中"
                                  + "、".join(f"{k}{v}家" for k, v in agg.org_by_type.items()) + f"。〔{src}〕")
        for k, v in agg.org_by_type.items():
            figs.append(Figure(key=f"org_type:{k}", label=k, value=v, unit="家", source=src))
    if agg.achievements:
        topic["achievements"] = (f"推动科技成果转化。{fig('achievements', '发布科技成果', agg.achievements, '项')}，按成熟度：" +
                                 "、".join(f"{k}{v}项" for k, v in agg.achievements_by_maturity.items()) + f"。〔{src}〕")
        for k, v in agg.achievements_by_maturity.items():
            figs.append(Figure(key=f"maturity:{k}", label=k, value=v, unit="项", source=src))
    for k, v in list(agg.needs_by_field.items())[:3]:
        figs.append(Figure(key=f"need_field:{k}", label=k, value=v, unit="项", source=src))
    if "experts" not in detailed and "experts" in topic and report_type == "工作总结" and length != "long":
        topic.pop("experts")  # the overview counts experts already; a paragraph when asked for or in long reports

    max_items = _LENGTH_ITEMS[length]
    order = [t for t in ("needs", "teams", "experts", "organizations", "achievements") if t in topic]
    order = [t for t in detailed if t in topic] + [t for t in order if t not in detailed]
    quotes = _quotes(kb, region, period, max_items - min(len(order), max_items))
    quoted = [f"据《{q.title}》（所引文件，非平台记录）：{q.text}[{q.n}]" for q in quotes]

    open_needs = agg.needs_by_status.get("征集中", 0)
    gaps = [f for f in agg.needs_by_field if agg.experts_by_field.get(f, 0) == 0]
    problems: list[str] = []
    if open_needs:
        problems.append(f"部分需求尚未对接：{fig('needs_open', '仍处于征集中的需求', open_needs, '项')}。〔{src}〕")
    if gaps:
        problems.append(f"专家资源与需求结构不匹配：{'、'.join(gaps[:3])}领域有需求，但本地区平台尚无该领域专家入库。〔{src}〕")
    plans = []
    if gaps:
        plans.append(f"围绕{'、'.join(gaps[:3])}等领域，引进全国学会专家资源，补齐专家库短板。")
    if open_needs:
        plans.append("对征集中的需求逐项开展“揭榜挂帅”式对接，推动需求与成果、专家、服务团精准匹配。")
    plans.append("持续推进“科创中国”平台入驻和数据更新，完善需求征集、对接、反馈闭环。")

    if report_type == "工作总结":
        items = ([topic[t] for t in order] + quoted)[:max_items]
        sections = [("一、总体情况", [overall]),
                    ("二、主要做法和成效", [f"{_ORDINALS[i]}是{p}" for i, p in enumerate(items)]),
                    ("三、存在问题", problems or ["平台记录中未发现突出问题；建议结合实地调研补充。"]),
                    ("四、下一步计划", plans)]
    elif report_type == "工作亮点":
        highlights = [(topic[t].split("。", 1)[0], topic[t].split("。", 1)[1]) for t in order]
        highlights += [(f"《{q.title}》所载成效", quoted[i]) for i, q in enumerate(quotes)]
        sections = [("一、总体情况", [overall])]
        sections += [(f"{_ORDINALS[i + 1]}、{head}", [body]) for i, (head, body) in enumerate(highlights[:max_items])]
    else:  # 试点城市建设进展: by task
        team_expert = [topic[t] for t in ("experts", "teams") if t in topic]
        if "experts" not in topic and (agg.experts or agg.experts_total):
            team_expert.insert(0, f"专家库建设。截至期末累计入库专家{fig('experts_total', '', agg.experts_total, '名')}。〔{src}〕")
        tasks = [("总体进展", [overall]), ("组织入驻", [topic["organizations"]] if "organizations" in topic else []),
                 ("需求征集与解决", [topic["needs"]] if "needs" in topic else []),
                 ("专家与服务团", team_expert),
                 ("成果转化", [topic["achievements"]] if "achievements" in topic else []),
                 ("排名与成效", quoted),
                 ("下一步工作", plans)]
        sections = [(f"{_ORDINALS[i]}、{name}", paras) for i, (name, paras) in enumerate(tasks)]
    sections = [(h, ps) for h, ps in sections if not any(r in h for r in removed)]
    sections = [(f"{_ORDINALS[i]}、{h.split('、', 1)[1]}", ps) for i, (h, ps) in enumerate(sections)]
    kind = {"工作总结": "工作总结", "工作亮点": "工作亮点", "试点城市建设进展": "试点城市建设进展"}[report_type]
    title = f"{region}{period.label}“科创中国”{'试点城市建设' if report_type == '工作总结' else ''}{kind}"
    return Report(title=title, region=region, period=period, report_type=report_type, sections=sections,
                  figures=figs, quotes=quotes, aggregates=agg, length=length, removed=removed, detailed=detailed,
                  issuer=issuer if issuer is not None else f"{region}科学技术协会", issued=today)


# -- revision by chat ---------------------------------------------------------------------------------------
_TYPE_WORDS = {"亮点": "工作亮点", "进展": "试点城市建设进展", "总结": "工作总结"}
_TOPIC_WORDS = [("experts", r"专家"), ("teams", r"服务团|服务队|下沉服务"), ("needs", r"需求"),
                ("organizations", r"入驻|组织|企业数"), ("achievements", r"成果")]
class RevisionNotUnderstood(AssistantError):
    """An instruction that names no revision of the structured report (an LLM may still rewrite the wording)."""


REVISIONS_HELP = ("可以这样修改：“把第二部分写详细一点”“写简短一点”“加上专家服务的数据”“去掉存在问题”“删掉第三部分”"
                  "“改成工作亮点”“改成试点城市建设进展”。")


def _section_named(report: Report, text: str) -> str | None:
    m = re.search(r"第([一二三四五六七八九十\d]+)(?:部分|节|章|点)", text)
    if m:
        n = m.group(1)
        i = int(n) - 1 if n.isdigit() else _ORDINALS.index(n) if n in _ORDINALS else -1
        if 0 <= i < len(report.sections):
            return report.sections[i][0].split("、", 1)[1]
    for heading, _ in report.sections:
        name = heading.split("、", 1)[1]
        if name in text or (len(name) >= 4 and name[:4] in text):
            return name
    return None


def revise_report(kb: KnowledgeBase, report: Report, instruction: str, today: date | None = None) -> tuple[Report, str]:
    """A revision asked for in words, applied to the structured report offline (every figure stays a counted
    or quoted one): (the revised report, what was done). An instruction it cannot apply is an error that lists
    what it can."""
    text = (instruction or "").strip()
    if not text:
        raise AssistantError("修改意见是空的。" + REVISIONS_HELP)
    rtype, length = report.report_type, report.length
    removed, detailed = list(report.removed), list(report.detailed)
    done: list[str] = []
    m = re.search(r"(?:改成|改为|换成|写成)(?:一[份篇])?(?:“)?([^”，。]{0,12}?)(亮点|进展|总结)", text)
    if m:
        rtype = _TYPE_WORDS[m.group(2)]
        removed = []
        done.append(f"改为{rtype}")
    if re.search(r"去掉|删掉|删除|不要|拿掉|省略", text):
        name = _section_named(report, text)
        if name is None:
            raise AssistantError("没有找到要去掉的部分：请写出部分名称或序号，如“去掉存在问题”“删掉第三部分”。")
        if name == "总体情况":
            raise AssistantError("总体情况是报告的基础数据，不能去掉；可以去掉其他部分。")
        removed.append(name)
        done.append(f"去掉“{name}”")
    if re.search(r"详细|展开|多写|丰富|充实", text):
        length = LENGTHS[min(LENGTHS.index(length) + 1, 2)]
        done.append("写得更详细" + ("（已是最详细篇幅）" if report.length == "long" else ""))
    if re.search(r"简短|精简|压缩|短一点|简洁|少写", text):
        length = LENGTHS[max(LENGTHS.index(length) - 1, 0)]
        done.append("写得更简短")
    if re.search(r"加上|增加|补充|加入|添加|写上|详细|展开", text):
        for key, words in _TOPIC_WORDS:
            if re.search(words, text) and key not in detailed:
                detailed.append(key)
                done.append(f"加上{SECTION_TOPICS[key]}方面的数据")
    if not done:
        raise RevisionNotUnderstood(f"没有看懂修改意见“{text}”。" + REVISIONS_HELP)
    revised = build_report(kb, report.region, report.period.label, rtype, length, today=today or report.issued,  # type: ignore[arg-type]
                           removed=removed, detailed=detailed, issuer=report.issuer)
    return revised, "已" + "，".join(done) + "。"


_MARK = re.compile(r"〔[^〕]*〕|\[\d+\]$")


def rewrite_llm(assistant, report: Report, instruction: str) -> tuple[Report, str]:
    """With an LLM, a revision the structured report cannot express ("语气再正式一点", "润色一下第二部分"): each
    paragraph of the named section (or of every section) is rewritten, and kept only if every number in the new
    text is already in the paragraph it replaces; its source mark is put back. Without an LLM: an error."""
    from langchain_core.messages import HumanMessage

    from assistant.prompts import render

    if not getattr(assistant, "use_llm", False):
        raise RevisionNotUnderstood(f"没有看懂修改意见“{instruction}”（离线模式只能按结构修改）。" + REVISIONS_HELP)
    target = _section_named(report, instruction)
    sections, kept, rejected = [], 0, 0
    for heading, paras in report.sections:
        if target is not None and not heading.endswith(target):
            sections.append((heading, paras))
            continue
        out = []
        for para in paras:
            marks = "".join(_MARK.findall(para))
            plain = _MARK.sub("", para)
            prompt = render("report_revise", instruction=instruction, title=report.title, heading=heading, text=plain)
            try:
                text = assistant.complete([HumanMessage(prompt)]).content.strip()
            except ProviderError:
                return report.model_copy(update={"notes": [*report.notes, LLM_FAILED_NOTE]}), LLM_FAILED_NOTE
            if text and set(_NUMBER.findall(text)) <= set(_NUMBER.findall(plain)):
                out.append(text + marks)
                kept += 1
            else:
                out.append(para)  # a number the paragraph did not have: the counted text stays
                rejected += 1
        sections.append((heading, out))
    said = f"已按意见改写{kept}段" + (f"（{rejected}段改写后出现了原文没有的数字，保留原文）" if rejected else "") + "。"
    return report.model_copy(update={"sections": sections}), said
