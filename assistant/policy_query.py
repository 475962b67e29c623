"""A question about policies ("成都有哪些科技金融政策？", "2024年新实施的政策有哪些？", "我们能申请哪些贷款贴息？"):
what it names — a place, a topic, a year, valid or expired — read once, then used to filter the measures.
Places, years and topic words come from the domain layer; nothing here guesses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from assistant._text import search_key
from assistant.domain import dates, regions, vocab
from assistant.records import PolicyItem

Validity = Literal["valid", "expired", "all"]

_LISTING = re.compile(r"(?:哪些|什么|有没有|有无|啥|几项|多少项|列出|列一下|汇总|盘点|梳理|介绍一下|都有).{0,16}"
                      r"(?:政策|支持|补贴|优惠|奖励|措施|扶持|奖补|资助|补助|贴息)|"
                      r"(?:政策|支持|补贴|优惠|奖励|措施|扶持|奖补|资助|补助)(?:有哪些|有什么|都有啥|清单|汇总|一览)")
_REFERS_TO_ME = re.compile(r"我们|我司|本公司|我公司|本企业|我(?:能|可以|适合|可|该)|适合我|适用于我|对我|给我们|咱们|咱")
_NEW_SINCE = re.compile(r"新(?:实施|出台|发布|施行|出的|颁布)|(?:实施|出台|发布|施行|颁布)的")
_ENDING = re.compile(r"到期|截止|结束|失效")
_EXPIRED = re.compile(r"过期|已失效|失效了|到期了|已经到期|不再有效|废止")
_ALL = re.compile(r"全部|所有|包括过期|包含过期|含过期|历史上")
_VALID = re.compile(r"有效期内|还在有效|仍然有效|现行|正在实施|还能申请|可以申请的")


@dataclass
class PolicyQuery:
    text: str
    region: regions.Region | None = None
    topics: list[str] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)  # topic → the word the question used for it
    level: str | None = None  # 国家级 / 省级 / 市级 / 区县级
    year: int | None = None
    year_of: Literal["start", "end"] | None = None  # 2024年新实施的 / 今年到期的
    validity: Validity = "valid"
    refers_to_profile: bool = False

    def describe(self) -> str:
        """The filters in words, shown above the list ("按此理解：成都市 · 科技金融 · 有效期内")."""
        parts = [self.region.label if self.region else "", self.level or "", "、".join(self.words.get(t, t) for t in self.topics)]
        if self.year:
            parts.append(f"{self.year}年{'开始实施' if self.year_of == 'start' else '到期'}")
        parts.append({"valid": "有效期内", "expired": "已失效", "all": "含已失效"}[self.validity])
        return " · ".join(p for p in parts if p)

    @property
    def filters_anything(self) -> bool:
        return bool(self.region or self.topics or self.year or self.level)


@lru_cache(maxsize=1)
def _topics() -> dict[str, dict]:
    return vocab.section("policy_topics")


def topics() -> list[str]:
    return list(_topics())


def find_topics(text: str) -> list[str]:
    """The policy topics a question names (科技金融, 税收优惠 …), longest words first so 研发费用加计扣除 is 税收."""
    return list(find_topic_words(text))


def find_topic_words(text: str) -> dict[str, str]:
    """Topic → the word the question names it by (科技特派员 → 人才与专家: 特派员)."""
    key = search_key(text)
    found: dict[str, str] = {}
    words = sorted(((w, t) for t, spec in _topics().items() for w in spec["names"]), key=lambda p: -len(p[0]))
    taken = [False] * len(key)
    for w, t in words:
        for m in re.finditer(re.escape(search_key(w)), key):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.setdefault(t, w)
    return found


def is_listing_question(text: str) -> bool:
    return bool(_LISTING.search(text or ""))


def refers_to_profile(text: str) -> bool:
    return bool(_REFERS_TO_ME.search(text or ""))


def parse(text: str, today: date | None = None) -> PolicyQuery:
    today = today or date.today()
    q = PolicyQuery(text=text)
    q.region = regions.best_region(text, include_country=False)
    q.words = find_topic_words(text)
    q.topics = list(q.words)
    lv = re.search(r"国家层面|国家级|全国性|中央(?:层面)?|省级|省里|市级|市里|区县级|区级|县级", text)
    if lv:
        q.level = {"省里": "省级", "市里": "市级", "区级": "区县级", "县级": "区县级"}.get(lv.group(0), lv.group(0))
        if q.level in ("国家层面", "全国性", "中央", "中央层面"):
            q.level = "国家级"
    year = dates.find_year(text, today) if re.search(r"(?:19|20)\d{2}|今年|去年|前年|本年|明年|后年", text) else None
    if year is not None and (_NEW_SINCE.search(text) or _ENDING.search(text)):
        q.year = year
        q.year_of = "end" if _ENDING.search(text) and not _NEW_SINCE.search(text) else "start"
    if _ALL.search(text):
        q.validity = "all"
    elif _EXPIRED.search(text) and not _VALID.search(text):
        q.validity = "expired"
    if q.year_of == "end":
        q.validity = "all"  # 今年到期的 includes those already ended this year
    q.refers_to_profile = refers_to_profile(text)
    return q


def _hay(item: PolicyItem) -> str:
    return search_key(" ".join([item.name, " ".join(item.keywords)]))


def matches_topic(item: PolicyItem, topic: str) -> bool:
    spec = _topics().get(topic)
    if spec is None:
        return False
    return any(search_key(w) in _hay(item) for w in spec["matches"])


def select(items: list[PolicyItem], q: PolicyQuery, today: date | None = None) -> list[PolicyItem]:
    """The measures a question asks for: every one that passes all named filters (never capped)."""
    today = today or date.today()
    out = []
    for it in items:
        if q.level and (it.level or "") != q.level:
            continue
        if q.region is not None and regions.applies(it.region, q.region.path) is False:
            continue
        if q.region is not None and regions.applies(it.region, q.region.path) is None and \
                not regions.contains(q.region.path, it.region):
            continue
        if not all(matches_topic(it, t) for t in q.topics):
            continue  # every topic named must hold (研发费用加计扣除 = 研发投入 and 税收优惠)
        if q.year is not None:
            if q.year_of == "start":
                start = it.valid_from or it.date
                if start is None or start.year != q.year:
                    continue
            elif it.valid_to is None or it.valid_to.year != q.year:
                continue
        expired = bool(it.valid_to and it.valid_to < today)
        if (q.validity == "valid" and expired) or (q.validity == "expired" and not expired):
            continue
        out.append(it)
    return out
