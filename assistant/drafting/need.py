"""Technology-need postings (科技需求发布) from a free-text description.

Extraction is rule-based offline (and merges what each chat turn adds); it never invents a budget, a date or
a contact: a value is taken only when the text states it, otherwise the field stays empty and is asked for.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from assistant._text import search_key, tokenize
from assistant.domain import dates, quantities, regions, vocab
from assistant.errors import ProviderError
from assistant.llm.gateway import LLM_FAILED_NOTE
from assistant.records import Need

FIELDS = tuple(vocab.fields())  # the controlled list of 所属领域
COOPERATION = tuple(vocab.cooperation_mode_names())
BUDGET_LABELS = ("预算", "经费", "投入资金", "资金", "费用", "出资", "投入", "花费", "拿出", "能出", "可出", "愿意出",
                 "可以出", "最多出", "最高出", "只能出")
REQUIRED = ("title", "need_type", "field", "region", "description", "cooperation", "contact")
LABELS = {"title": "需求名称", "need_type": "需求类型", "field": "所属领域", "region": "所在地区", "description": "需求描述",
          "goals": "预期目标与技术指标", "cooperation": "合作方式", "budget_wan": "预算（万元）", "deadline": "截止日期",
          "contact": "联系人及联系方式", "keywords": "关键词", "organization": "需求单位"}
QUESTIONS = {
    "title": "这项需求用一句话怎么概括？（例如“籽棉异性纤维自动清除技术”）",
    "need_type": "需求属于哪一类：技术、服务、人才还是资金？",
    "field": f"所属领域是哪一个？（{'、'.join(FIELDS)}）",
    "region": "企业在哪个地区？（如 巴州、泰安市）",
    "description": "请简单说说背景、现状和技术难点。",
    "cooperation": f"希望以什么方式合作？（{'、'.join(COOPERATION[:6])}）",
    "contact": "联系人和联系电话是什么？（发布时电话会部分隐藏）",
    "budget_wan": "预算大约多少万元？不确定可以回答“面议”。",
    "deadline": "希望在什么日期前解决？（如 2026年6月30日；没有可回答“不限”）",
}


class NeedPosting(BaseModel):
    title: str | None = None
    need_type: Literal["技术", "服务", "人才", "资金"] | None = None
    field: str | None = None
    region: str | None = None
    organization: str | None = None
    description: str | None = None
    goals: str | None = None
    cooperation: list[str] = Field(default_factory=list)
    budget_wan: float | None = Field(None, ge=0)
    budget_qualifier: str | None = None  # exact | about | at_most | at_least | range | negotiable
    budget_low_wan: float | None = None
    budget_high_wan: float | None = None
    budget_note: str | None = None  # "面议" when the poster declined to give a figure
    deadline: date | None = None
    deadline_note: str | None = None  # "不限"
    region_path: str | None = None
    notes: list[str] = Field(default_factory=list)  # how values were read, and warnings (a past deadline)
    contact: str | None = None
    keywords: list[str] = Field(default_factory=list)

    @field_validator("field")
    @classmethod
    def _field(cls, v: str | None) -> str | None:
        if v is not None and v not in FIELDS:
            raise ValueError(f"所属领域应为：{'、'.join(FIELDS)}")
        return v

    def missing(self) -> list[str]:
        return [k for k in REQUIRED if getattr(self, k) in (None, "", [])]

    def questions(self) -> list[str]:
        keys = self.missing()
        if self.budget_wan is None and not self.budget_note:
            keys.append("budget_wan")
        if self.deadline is None and not self.deadline_note:
            keys.append("deadline")
        return [QUESTIONS[k] for k in keys]

    def public_json(self) -> dict:
        """The stable JSON shape (scripts outside the project rely on these names)."""
        return {"title": self.title, "need_type": self.need_type, "field": self.field, "region": self.region,
                "organization": self.organization, "description": self.description, "goals": self.goals,
                "cooperation": self.cooperation, "budget_wan": self.budget_wan,
                "deadline": self.deadline.isoformat() if self.deadline else None, "contact": self.contact,
                "keywords": self.keywords}


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def mask_contact(contact: str | None) -> str | None:
    """Phone numbers and e-mail addresses are partly hidden where a posting is shown publicly."""
    if not contact:
        return contact
    out = _PHONE.sub(lambda m: m.group(1)[:3] + "****" + m.group(1)[-4:], contact)
    return _EMAIL.sub(lambda m: m.group(0)[0] + "***@" + m.group(0).split("@", 1)[1], out)


def _budget(text: str) -> quantities.Money | None:
    return quantities.find_money(text, BUDGET_LABELS)


def _contact(text: str) -> str | None:
    phone = _PHONE.search(text)
    email = _EMAIL.search(text)
    name = re.search(r"(?:联系人|请联系|联系)[:：\s]*([\u4e00-\u9fff]{1,3}?(?:先生|女士|经理|工|总|老师|主任)|"
                     r"(?<=联系人)[:：\s]*[\u4e00-\u9fff]{2,3})", text)
    parts = [p for p in [name.group(1).strip(":： ") if name else None, phone.group(1) if phone else None,
                         email.group(0) if email else None] if p]
    if not phone and not email:
        return None  # a name alone cannot be contacted
    return " ".join(parts)


def _need_type(key: str) -> str | None:
    if re.search(r"引进.{0,10}(?:人才|博士|工程师|专家)|招聘|引才|人才引进|需要.{0,10}(?:人才|博士|工程师)", key):
        return "人才"
    if re.search(r"融资|贷款|投资|资金需求|股权|找资金", key):
        return "资金"
    if re.search(r"检测|认证|咨询|培训|评估|代理|知识产权布局|标准制定", key) and not re.search(r"研发|攻关|工艺|技术难题", key):
        return "服务"
    if re.search(r"技术|工艺|研发|难题|攻关|解决|提高|降低|改进|开发|设备|装置", key):
        return "技术"
    return None


_PROBLEM = re.compile(r"(?:想|希望|需要|亟需|急需|寻求|寻找|准备|计划)(?:解决|攻克|突破|开发|研发|引进|找到|实现|提高|降低)?"
                      r"([^，。；！？,;!?]{4,40})")


def _title(text: str, need_type: str | None) -> str | None:
    m = _PROBLEM.search(text)
    if not m:
        return None
    core = re.sub(r"(?:的)?(?:问题|难题|事情)$", "", m.group(1).strip("“”\"'：: "))
    core = re.sub(r"^(?:一下|一个|一项|一些)", "", core)
    if len(core) < 4:
        return None
    suffix = {"技术": "技术需求", "服务": "服务需求", "人才": "人才需求", "资金": "融资需求"}.get(need_type or "", "需求")
    if core.endswith(("需求", "技术")):
        return core
    if core.endswith(suffix[:2]):  # "检测服务" + "服务需求" → "检测服务需求"
        return core + "需求"
    return core + suffix


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，。；！？,;!?\n]", text) if c.strip()]


def _goals(text: str) -> str | None:
    goals = [c for c in _clauses(text) if re.search(r"目标|指标|达到|提高|降低|提升|不低于|不超过|以上|以下|%|％", c)
             and re.search(r"\d", c) and not re.search(r"预算|经费|万元|联系|电话", c)]
    return "；".join(goals) or None


_ADMIN = re.compile(r"预算|经费|万元|联系|电话|手机|邮箱|截止|之前|前完成")


def _description(text: str) -> str:
    """Background, status and difficulty: the text without its budget, deadline and contact clauses."""
    keep = [c for c in _clauses(_EMAIL.sub("", _PHONE.sub("", text)))
            if not _ADMIN.search(c) and dates.find_date(c) is None and quantities.find_money(c, BUDGET_LABELS) is None]
    return "，".join(keep) + ("。" if keep else "")


def _organization(text: str) -> str | None:
    m = re.search(r"([\u4e00-\u9fff（）()]{2,30}(?:有限公司|股份公司|集团|研究院|研究所|合作社|厂))", text)
    return m.group(1) if m else None


def _keywords(text: str, k: int = 6) -> list[str]:
    import jieba.analyse

    from assistant._text import jieba_tokenizer

    jieba_tokenizer()
    words = [w for w in jieba.analyse.extract_tags(search_key(text), topK=k * 2) if len(w) >= 2 and not w.isdigit()]
    return words[:k]


def extract_need(text: str, draft: NeedPosting | None = None, today: date | None = None) -> NeedPosting:
    """Fill a posting from what the text states; merge into ``draft`` without overwriting known values.
    Budgets, deadlines and places are read by the domain layer (as in the support profile and reports)."""
    text = (text or "").strip()
    today = today or date.today()
    key = search_key(text)
    d = (draft or NeedPosting()).model_copy(deep=True)
    place = regions.best_region(text, include_country=False)
    if place is not None and d.region is None:
        d.region, d.region_path = place.label, place.path
    money = _budget(text)
    if money is None and draft is not None and draft.budget_wan is None and not draft.budget_note:
        money = quantities.parse_money(text) if len(text) <= 20 else None  # the answer to "预算多少？": "80万"
    if money is not None and d.budget_wan is None and not d.budget_note:
        d.budget_qualifier = money.qualifier
        if money.qualifier == "negotiable":
            d.budget_note = "面议"
        else:
            d.budget_wan, d.budget_low_wan, d.budget_high_wan = money.wan, money.low_wan, money.high_wan
            if money.note:
                d.notes.append(f"预算：{money.note}")
    when = dates.find_date(text, today)
    if when is not None and d.deadline is None:
        d.deadline = when.value
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", when.text):
            d.notes.append(f"截止日期：{when.note}")
        warn = dates.deadline_warning(when.value, today)
        if warn:
            d.notes.append(warn)
    found: dict = {
        "need_type": _need_type(key), "field": vocab.classify_field(text),
        "organization": _organization(text), "contact": _contact(text), "goals": _goals(text),
    }
    found["title"] = _title(text, found["need_type"] or d.need_type)
    for k, v in found.items():
        if v is not None and getattr(d, k) in (None, "", []):
            setattr(d, k, v)
    if re.search(r"面议|不确定|待定|暂无预算", key) and d.budget_wan is None:
        d.budget_note, d.budget_qualifier = "面议", "negotiable"
    if re.search(r"不限|没有截止|无截止|长期有效", key) and d.deadline is None:
        d.deadline_note = "不限"
    coop = vocab.cooperation_modes(text)
    if coop:
        d.cooperation = list(dict.fromkeys([*d.cooperation, *coop]))
    if len(text) >= 15:
        desc = _description(text)
        if len(desc) >= 10 and not (d.description and desc in d.description):
            d.description = f"{d.description}\n{desc}" if d.description else desc
    if d.description:
        d.keywords = _keywords(d.description + " " + (d.title or ""))
    return d


def render_posting(p: NeedPosting) -> str:
    """The text a platform would publish (contact details masked)."""
    budget = f"{p.budget_wan:g} 万元" if p.budget_wan is not None else (p.budget_note or "（待补充）")
    deadline = p.deadline.isoformat() if p.deadline else (p.deadline_note or "（待补充）")
    rows = [
        f"【科技需求】{p.title or '（待补充）'}",
        f"需求类型：{p.need_type or '（待补充）'}　所属领域：{p.field or '（待补充）'}　所在地区：{p.region or '（待补充）'}",
        f"需求单位：{p.organization or '（未填写）'}",
        f"需求描述：{p.description or '（待补充）'}",
        f"预期目标与技术指标：{p.goals or '（未填写）'}",
        f"合作方式：{'、'.join(p.cooperation) or '（待补充）'}",
        f"预算：{budget}　截止日期：{deadline}",
        f"联系方式：{mask_contact(p.contact) or '（待补充）'}",
        f"关键词：{'、'.join(p.keywords) or '—'}",
    ]
    return "\n".join(rows)


def near_duplicates(p: NeedPosting, needs: list[Need], threshold: float = 0.45) -> list[dict]:
    """Existing need records that say nearly the same thing (token overlap of title and description)."""
    mine = set(tokenize(f"{p.title or ''} {p.description or ''}"))
    out = []
    for r in needs:
        theirs = set(tokenize(f"{r.name} {r.description}"))
        if not mine or not theirs:
            continue
        sim = len(mine & theirs) / min(len(mine), len(theirs))
        if sim >= threshold:
            out.append({"id": r.id, "name": r.name, "similarity": round(sim, 3), "region": r.region})
    return sorted(out, key=lambda x: -x["similarity"])[:5]


def extract_need_llm(assistant, text: str, draft: NeedPosting | None = None, today: date | None = None) -> NeedPosting:
    """With an LLM: better titles, descriptions and field choices. Budget, deadline and contact always come
    from the rule-based extraction of the text itself, so the model can never invent them; anything the
    model returns that does not validate is ignored in favour of the offline result."""
    import json as _json

    from langchain_core.messages import HumanMessage

    from assistant.prompts import render

    base = extract_need(text, draft, today)
    if not getattr(assistant, "use_llm", False):
        return base
    prompt = render("extract_need", fields="、".join(FIELDS), cooperation="、".join(COOPERATION),
                    draft=_json.dumps(draft.public_json() if draft else {}, ensure_ascii=False), text=text)
    try:
        data = assistant.gateway.structured([HumanMessage(prompt)], dict)
    except ProviderError:
        base.notes.append(LLM_FAILED_NOTE)
        return base
    merged = base.model_dump()
    for key in ("title", "need_type", "field", "region", "organization", "description", "goals"):
        value = data.get(key)
        if isinstance(value, str) and value.strip() and value.strip().lower() != "null":
            merged[key] = value.strip()
    coop = [c for c in data.get("cooperation") or [] if c in COOPERATION]
    if coop:
        merged["cooperation"] = list(dict.fromkeys([*base.cooperation, *coop]))
    kws = [k for k in data.get("keywords") or [] if isinstance(k, str) and 1 < len(k) <= 12]
    if kws:
        merged["keywords"] = kws[:6]
    try:
        return NeedPosting.model_validate(merged)
    except ValueError:
        return base
