"""Revising a staff report by chat: an instruction in plain words ("第2点能不能再写细一点", "问题那块拿掉",
"改成进展那种，再加点需求数据") is read into a structured ``Revision`` and applied by rebuilding the report from
its counts, so every figure stays a counted or quoted one. What the structure cannot express ("语气再正式一点")
is left to an LLM rewrite that may not bring in a number the paragraph did not have.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field

from assistant.drafting.report import (
    LENGTHS,
    NUMBER,
    ORDINALS,
    SECTION_TOPICS,
    TOPIC_HEADS,
    TOPIC_TASKS,
    Report,
    build_report,
)
from assistant.errors import AssistantError, ProviderError
from assistant.knowledge_base import KnowledgeBase
from assistant.llm.gateway import LLM_FAILED_NOTE


class RevisionNotUnderstood(AssistantError):
    """An instruction that names no revision of the structured report (an LLM may still rewrite the wording)."""


REVISIONS_HELP = ("可以这样修改：“把第二部分写详细一点”“问题那块写简短些”“整体写短一点”“加上专家服务的数据”"
                  "“去掉存在问题”“删掉第三部分”“改成工作亮点”“改成试点城市建设进展”。")

# The sections of each type in order (a 工作亮点 has one highlight per topic the records have, so its own report's
# headings are used when it is the type being revised).
STRUCTURES = {"工作总结": ["总体情况", "主要做法和成效", "存在问题", "下一步计划"],
              "工作亮点": ["总体情况", *TOPIC_HEADS.values()],
              "试点城市建设进展": ["总体进展", "组织入驻", "需求征集与解决", "专家与服务团", "成果转化", "排名与成效", "下一步工作"]}
_BASE = ("总体情况", "总体进展")  # the figures every other section stands on: never removed

# Words that point at a section without naming it, most specific first: (pattern, candidate names).
_ALIASES: list[tuple[str, list[str]]] = [
    (r"排名", ["排名与成效"]),
    (r"总体|概况|基本情况|开头|第一段", ["总体情况", "总体进展"]),
    (r"做法|成效|亮点部分|成绩", ["主要做法和成效", "排名与成效"]),
    (r"问题|不足|短板|困难", ["存在问题"]),
    (r"计划|下一步|打算|安排|展望", ["下一步计划", "下一步工作"]),
    (r"服务团|服务队|下沉", [TOPIC_HEADS["teams"], TOPIC_TASKS["teams"]]),
    (r"专家|人才", [TOPIC_HEADS["experts"], TOPIC_TASKS["experts"]]),
    (r"需求", [TOPIC_HEADS["needs"], TOPIC_TASKS["needs"]]),
    (r"入驻|组织|主体|单位", [TOPIC_HEADS["organizations"], TOPIC_TASKS["organizations"]]),
    (r"成果|转化", [TOPIC_HEADS["achievements"], TOPIC_TASKS["achievements"]]),
]
TOPIC_WORDS = {"experts": r"专家|人才", "teams": r"服务团|服务队|下沉服务", "needs": r"需求",
               "organizations": r"入驻|组织|主体|单位", "achievements": r"成果"}
_TYPE_WORDS = [("工作亮点", r"亮点"), ("试点城市建设进展", r"进展"), ("工作总结", r"总结")]

_CHANGE_TYPE = re.compile(r"(?:改成|改为|改写成|换成|换为|换个|写成|弄成|变成|做成|整成|按照?|用|要|出)[^，。；！？]{0,14}?"
                          r"(亮点|进展|总结)(?!那(?:个|条|段|块|部分|节)|部分|这)")
_REMOVE = re.compile(r"去掉|去除|删掉|删了|删除|删去|(?<!不)不要了?|拿掉|省略|省掉|不用写|不写了|先不写|拿走|砍掉|^删|删吧")
_LONGER = re.compile(r"详细|写细|细一点|细点|细致|展开|多写|再写多|丰富|充实|写长|长一点|长些|篇幅不够|内容有点少|内容太少|"
                     r"单薄|多几句|笼统|扩写|具体一点|具体些|太短|不够长|太简单|太简略|多列|多加几|再加几条|多几条|多举")
_SHORTER = re.compile(r"简短|精简|压缩|压一压|短一点|短点|短一些|短些|简洁|少写|简化|删减|缩短|太长|啰嗦|罗嗦|太多了|太细|"
                      r"一页纸|简单列|简要|概括|砍一砍|言简意赅|只留|只保留|只写一|留一两条|留两三条")
_ADD = re.compile(r"加上|加进去|加进来|加入|增加|补充|补上|补一下|添加|添上|写上|写进去|加点|加一个|加一段|加一条|也写|也加|也放")
_WHOLE = re.compile(r"整体|全文|整篇|通篇|全篇|整个|报告|篇幅|总的")
_FABRICATE = re.compile(r"(?:数|数量|数字|数据|人数|家数|项数|名数)[^，。；]{0,5}(?:改成|改为|调成|调到|写成|提到|提高到|改到)\s*"
                        r"[\d一二三四五六七八九十百千万两]|编造|编一|多编|编点|编些|捏造|虚构|凑一?些?数|夸大|多报|注水")
# "第二、三部分", "二、三部分", "第二和第四部分": several sections by number
_ORDINAL_LIST = re.compile(r"第?([一二三四五六七八九十\d])(?:、|和|及|与|,|，)第?([一二三四五六七八九十\d])(?:个)?(?:部分|节|章|块|段)")
_ORDINAL = re.compile(r"第\s*([一二三四五六七八九十\d]{1,2})\s*(?:部分|节|章|点|块|段|条|项|个部分)|"
                      r"(?<![\u4e00-\u9fff])([一二三四五六七八九十]{1,2})、|(?<=[把将])([一二三四五六七八九十]{1,2})、|"
                      r"(最后一?(?:部分|节|段|块|点))")


class Revision(BaseModel):
    """What an instruction asks of the report's structure (names are section names of the resulting type)."""

    report_type: str | None = None  # 改成 another type
    remove: list[str] = Field(default_factory=list)  # section names, or topics (needs …) for one item of a section
    detail_sections: list[str] = Field(default_factory=list)
    brief_sections: list[str] = Field(default_factory=list)
    length: str | None = None  # "longer" / "shorter": the whole report
    add_topics: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.report_type or self.remove or self.detail_sections or self.brief_sections or self.length
                    or self.add_topics)


def _clauses(text: str) -> list[str]:
    parts = re.split(r"[，,。；;！!？?\n]+|\s+|(?:另外|然后|顺便|同时|再把|并且|还有)", text)
    return [p for p in parts if p and p.strip()]


def _shown(report: Report, rtype: str) -> list[str]:
    """The sections as numbered for the user: the report's own, or the structure of the type it becomes."""
    return [h.split("、", 1)[1] for h, _ in report.sections] if rtype == report.report_type else list(STRUCTURES[rtype])


def _names(report: Report, rtype: str) -> list[str]:
    shown = _shown(report, rtype)
    return shown + [n for n in STRUCTURES[rtype] if n not in shown]  # a removed section can be named again


def _sections_in(clause: str, report: Report, rtype: str) -> tuple[list[str], list[str]]:
    """(sections a clause points at, ordinals that name no section)."""
    names, shown = _names(report, rtype), _shown(report, rtype)
    found: list[str] = []
    missing: list[str] = []

    def at(n: str) -> None:
        i = _ordinal(n) - 1
        (found.append(shown[i]) if 0 <= i < len(shown) else missing.append(f"第{n}"))

    for m in _ORDINAL_LIST.finditer(clause):
        for n in m.groups():
            at(n)
    clause = _ORDINAL_LIST.sub("", clause)
    for m in _ORDINAL.finditer(clause):
        if m.group(4):
            found.append(shown[-1])
        else:
            at(m.group(1) or m.group(2) or m.group(3))
    rest = _ORDINAL.sub("", clause)
    for name in sorted(names, key=len, reverse=True):
        if name in rest or (len(name) >= 4 and name[:4] in rest):
            found.append(name)
            rest = rest.replace(name, "").replace(name[:4], "")
    if not found:
        for pattern, candidates in _ALIASES:
            if re.search(pattern, rest):
                hit = next((c for c in candidates if c in names), None)
                if hit is not None:
                    found.append(hit)
                    break
                if not any(c in TOPIC_HEADS.values() for c in candidates):  # "问题那块" in a report without one
                    missing.append(f"“{candidates[0]}”")
                    break
    return list(dict.fromkeys(found)), missing


def _ordinal(n: str) -> int:
    """一 → 1, 十二 → 12, 3 → 3."""
    if n.isdigit():
        return int(n)
    if len(n) == 1:
        return ORDINALS.index(n) + 1
    return 10 + ORDINALS.index(n[1]) + 1 if n[0] == "十" else (ORDINALS.index(n[0]) + 1) * 10


def _new_type(text: str, current: str) -> str | None:
    for m in _CHANGE_TYPE.finditer(text):
        word = m.group(1)
        rtype = next(t for t, w in _TYPE_WORDS if re.fullmatch(w, word))
        return rtype if rtype != current else None
    return None


def parse_revision(report: Report, instruction: str) -> Revision:
    """Read an instruction into a ``Revision``. A request to invent or change figures, to remove the overview,
    or naming a section the report does not have is an ``AssistantError`` that says why; an instruction with no
    structural request is a ``RevisionNotUnderstood`` (an LLM may still rewrite the wording)."""
    text = (instruction or "").strip()
    if not text:
        raise AssistantError("修改意见是空的。" + REVISIONS_HELP)
    if _FABRICATE.search(text):
        raise AssistantError("报告中的每个数字都来自平台记录统计或所引文件，不能改写或编造；"
                             "如果数字有误，请更正平台记录后重新生成报告。")
    rev = Revision()
    rtype = _new_type(text, report.report_type)
    if rtype is not None:
        rev.report_type = rtype
    kind = rtype or report.report_type
    carried: list[str] = []  # sections named in a clause without a request ("三、那部分太啰嗦了 精简下")
    last: tuple[list[str], str | None] = ([], None)
    for clause in _clauses(text):
        if _CHANGE_TYPE.search(clause) and rtype is not None:
            clause = _CHANGE_TYPE.sub("", clause)
        sections, missing = _sections_in(clause, report, kind)
        if missing:
            have = "、".join(f"{ORDINALS[i]}、{n}" for i, n in enumerate(_shown(report, kind)))
            raise AssistantError(f"这份{kind}没有{missing[0]}部分：现在的部分是 {have}。")
        op = ("remove" if _REMOVE.search(clause) and "删减" not in clause else
              "add" if _ADD.search(clause) and any(re.search(w, clause) for w in TOPIC_WORDS.values()) else
              "shorter" if _SHORTER.search(clause) else
              "longer" if _LONGER.search(clause) else None)
        if op is None:
            if sections:
                carried = sections
            continue
        if not sections and carried:
            sections, carried = carried, []
        if not sections and last[1] == op and last[0]:
            continue  # "问题那块写得太笼统了，多写几句", "下一步计划不用写，删掉": the same request said twice
        last = (sections, op)
        if op == "add":
            rev.add_topics += [t for t, w in TOPIC_WORDS.items() if re.search(w, clause) and t not in rev.add_topics]
            continue
        topics = [t for t, w in TOPIC_WORDS.items() if re.search(w, clause)]
        if op == "remove" and kind == "工作总结" and topics and sections in ([], ["主要做法和成效"]):
            rev.remove += [t for t in topics if t not in rev.remove]  # "第二部分的服务团那条删掉": one item
            continue
        if op == "remove":
            if not sections:
                raise AssistantError("没有找到要去掉的部分：请写出部分名称或序号，如“去掉存在问题”“删掉第三部分”。")
            if any(s in _BASE for s in sections):
                raise AssistantError(f"{sections[0] if sections[0] in _BASE else '总体情况'}是报告的基础数据，"
                                     "不能去掉；可以去掉其他部分。")
            rev.remove += [s for s in sections if s not in rev.remove]
            continue
        if not sections and kind == "工作总结" and topics and op == "longer":
            rev.add_topics += [t for t in topics if t not in rev.add_topics]  # "需求那块多写点" on a 工作总结
            continue
        if not sections or (_WHOLE.search(clause) and not _ORDINAL.search(clause)):
            rev.length = op
            continue
        target = rev.detail_sections if op == "longer" else rev.brief_sections
        target += [s for s in sections if s not in target]
    if rev.empty:
        raise RevisionNotUnderstood(f"没有看懂修改意见“{text}”。" + REVISIONS_HELP)
    return rev


def revise_report(kb: KnowledgeBase, report: Report, instruction: str, today: date | None = None) -> tuple[Report, str]:
    """A revision asked for in words, applied to the structured report offline (every figure stays a counted
    or quoted one): (the revised report, what was done)."""
    rev = parse_revision(report, instruction)
    rtype, length = rev.report_type or report.report_type, report.length
    removed, detailed, sizes = list(report.removed), list(report.detailed), dict(report.sizes)
    done: list[str] = []
    if rev.report_type:
        removed, sizes = [], {k: v for k, v in sizes.items() if k in STRUCTURES[rtype]}
        done.append(f"改为{rtype}")
    for name in rev.remove:
        removed.append(name)
        done.append(f"去掉“{name}”")
    for name in rev.detail_sections:
        sizes[name] = "long"
        done.append(f"把“{name}”写得更详细")
    for name in rev.brief_sections:
        sizes[name] = "short"
        done.append(f"把“{name}”写得更简短")
    if rev.length == "longer":
        length = LENGTHS[min(LENGTHS.index(length) + 1, len(LENGTHS) - 1)]
        done.append("整体写得更详细" + ("（已是最详细篇幅）" if report.length == LENGTHS[-1] else ""))
    elif rev.length == "shorter":
        length = LENGTHS[max(LENGTHS.index(length) - 1, 0)]
        done.append("整体写得更简短" + ("（已是最简短篇幅）" if report.length == LENGTHS[0] else ""))
    for topic in rev.add_topics:
        if topic not in detailed:
            detailed.append(topic)
        done.append(f"加上{SECTION_TOPICS[topic]}方面的数据")
    revised = build_report(kb, report.region, report.period.label, rtype, length, today=today or report.issued,  # type: ignore[arg-type]
                           removed=removed, detailed=detailed, issuer=report.issuer, sizes=sizes)
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
    named = [s for clause in _clauses(instruction) for s in _sections_in(clause, report, report.report_type)[0]]
    target = named[0] if named else None
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
            if text and set(NUMBER.findall(text)) <= set(NUMBER.findall(plain)):
                out.append(text + marks)
                kept += 1
            else:
                out.append(para)  # a number the paragraph did not have: the counted text stays
                rejected += 1
        sections.append((heading, out))
    said = f"已按意见改写{kept}段" + (f"（{rejected}段改写后出现了原文没有的数字，保留原文）" if rejected else "") + "。"
    return report.model_copy(update={"sections": sections}), said
