"""A need posting drafted by conversation (需求发布对话): what was asked, answered, declined and inferred.

The state of the conversation lives here, so the chat, the UI tab, the CLI and an HTTP API render the same
thing. Each message is read into the posting (``need.extract_need``, or the LLM path around it):

- a reply to the question just asked is read first as that field's value: "80万" answers 预算, "不限" the
  deadline, "库尔勒" the region, "张工 139…" the contact; anything else the reply says is read as well
  ("库尔勒，预算大概30万");
- a question answered or declined ("不知道", "这个先不填", "跳过") is never asked again;
- one question at a time, the most important missing field first (``ORDER``);
- 所属领域, 需求类型 and 合作方式 inferred from the description (not stated as such) are marked for confirmation;
- a message that corrects a value ("预算改成100万", "不对，截止时间是明年3月底", "预算50万，哦不，80万吧") replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from assistant.domain import dates, quantities, regions, replies, vocab
from assistant.drafting.need import (
    LABELS,
    QUESTIONS,
    NeedPosting,
    budget_shown,
    deadline_shown,
    extract_need,
    read_answer,
    states_contact,
)

# The order questions are asked in: what the need is, where, what kind, how to cooperate, money, time, contact.
ORDER = ("description", "title", "region", "need_type", "field", "cooperation", "budget_wan", "deadline", "contact")
INFERABLE = ("need_type", "field", "cooperation")

# The words that name a field in a correction ("领域不对，应该是节能环保", "预算改成100万").
_FIELD_WORDS = [
    ("budget_wan", r"预算|经费|费用|资金|投入|出资|价钱|多少钱"),
    ("deadline", r"截止|期限|日期|时间|完成|交付|之前|以前"),
    ("region", r"地区|地址|地点|所在地|位置|地方|区县|城市"),
    ("field", r"领域|行业|方向"),
    ("need_type", r"类型|类别|属于"),
    ("cooperation", r"合作方式|合作形式|合作模式|方式"),
    ("contact", r"联系|电话|手机|邮箱|微信"),
    ("title", r"名称|标题|题目|名字|叫做?"),
]

Extractor = Callable[[str, NeedPosting | None, date | None], NeedPosting]


def _filled(p: NeedPosting, key: str) -> bool:
    if key == "budget_wan":
        return p.budget_wan is not None or bool(p.budget_note)
    if key == "deadline":
        return p.deadline is not None or bool(p.deadline_note)
    return getattr(p, key) not in (None, "", [])


def _named_field(text: str) -> str | None:
    for key, words in _FIELD_WORDS:
        if re.search(words, text):
            return key
    return None


def _value_kind(text: str, today: date) -> str | None:
    """The field a bare value belongs to: an amount, a date, a place, a field name, a cooperation mode, a phone."""
    if states_contact(text):
        return "contact"
    if dates.find_date(text, today) is not None:
        return "deadline"
    if quantities.parse_money(text) is not None and re.search(r"\d|[一二两三四五六七八九十百千万]", text):
        return "budget_wan"
    if any(f in text for f in vocab.fields()):
        return "field"
    if vocab.cooperation_modes(text):
        return "cooperation"
    if regions.best_region(text, include_country=False) is not None:
        return "region"
    return None


class NeedTurn(BaseModel):
    """What one message did: the fields it set, what it declined, and the next question (at most one)."""

    posting: NeedPosting
    changed: list[str] = Field(default_factory=list)
    declined: str | None = None
    asking: str | None = None
    question: str | None = None
    inferred: list[str] = Field(default_factory=list)


class NeedSession(BaseModel):
    """The conversation state of one need posting (serialisable: an API keeps it by session id)."""

    posting: NeedPosting = Field(default_factory=NeedPosting)
    asked: list[str] = Field(default_factory=list)  # every field asked so far, in order
    declined: list[str] = Field(default_factory=list)
    pending: str | None = None  # the field the last question asked about
    inferred: list[str] = Field(default_factory=list)  # values inferred from the description, to confirm
    talked_past: list[str] = Field(default_factory=list)  # questions the user answered with something else

    def next_field(self) -> str | None:
        """The most important field still open: empty (or, for 合作方式, only inferred) and not declined. Fields
        never asked come first; a question the user talked past (a correction or an addition instead of an
        answer) is put once more after them, never a third time."""
        def open_(key: str) -> bool:
            return key not in self.declined and (not _filled(self.posting, key)
                                                 or (key == "cooperation" and key in self.inferred))
        for key in ORDER:
            if open_(key) and key not in self.asked:
                return key
        for key in ORDER:
            if open_(key) and key in self.talked_past and self.asked.count(key) < 2:
                return key
        return None

    def question(self, key: str) -> str:
        if key == "cooperation" and key in self.inferred and self.posting.cooperation:
            modes = "、".join(self.posting.cooperation)
            return f"合作方式按描述理解为“{modes}”，对吗？不对请直接说希望的方式（{'、'.join(vocab.cooperation_mode_names()[:6])}）。"
        return QUESTIONS[key]

    def _set(self, values: dict[str, Any], changed: list[str]) -> None:
        """Set what a reply or a correction gives (replacing what was there); notes are added."""
        p = self.posting
        for key, value in values.items():
            if key == "notes":
                p.notes.extend(n for n in value if n not in p.notes)
                continue
            setattr(p, key, value)
            field = "budget_wan" if key.startswith("budget") else ("region" if key == "region_path" else key)
            if field in LABELS and field not in changed:
                changed.append(field)

    def read(self, message: str, today: date | None = None, extract: Extractor = extract_need) -> NeedTurn:
        """Read one message into the posting and decide the next question."""
        today = today or date.today()
        text = (message or "").strip()
        before = self.posting.model_copy(deep=True)
        changed: list[str] = []
        declined = None
        pending, self.pending = self.pending, None
        answered_inferable: set[str] = set()
        answered = False
        names_other = _named_field(text) not in (None, pending)  # "预算先不写了" to the deadline question
        if pending and replies.declines(text) and not names_other \
                and not (pending == "budget_wan" and re.search(r"面议|待定|未定", text)):
            self.declined.append(pending)
            declined = pending
        elif pending == "cooperation" and "cooperation" in self.inferred and replies.confirms(text):
            answered_inferable.add(pending)
            answered = True
        elif pending and not self._interjects(pending, text, today):
            values = read_answer(pending, text, today)
            if values:
                self._set(values, changed)
                answered_inferable.add(pending)
                answered = True
        if declined is None and text and not (replies.confirms(text) and (pending is None or answered)):
            merged = extract(text, self.posting, today)
            for key in LABELS:
                old, new = getattr(self.posting, key), getattr(merged, key)
                if new != old and key not in changed:
                    changed.append(key)
            merged.notes = list(dict.fromkeys([*self.posting.notes, *merged.notes]))
            self.posting = merged
            if replies.corrects(text):
                self._correct(text, today, changed, answered_inferable)
            withdrawn = _named_field(text) if replies.withdraws(text) else None
            if withdrawn and withdrawn != pending:  # "预算先不写了": the value goes, and the question is not put again
                self._clear(withdrawn)
                changed.append(withdrawn)
                if withdrawn not in self.declined:
                    self.declined.append(withdrawn)
        if pending and declined is None and not answered \
                and (not _filled(self.posting, pending) or pending in self.inferred) \
                and (changed or replies.corrects(text)) and pending not in self.talked_past:
            self.talked_past.append(pending)  # "地区写错了，是尉犁县" to "希望以什么方式合作？": asked once more later
        if pending is None and replies.confirms(text):
            self.inferred = []
        for key in INFERABLE:
            if key in answered_inferable or (key in changed and self._stated(key, text)):
                self.inferred = [k for k in self.inferred if k != key]
            elif key in changed and _filled(self.posting, key) and not _filled(before, key):
                self.inferred.append(key)
        nxt = self.next_field()
        if nxt is not None:
            self.asked.append(nxt)
            self.pending = nxt
        return NeedTurn(posting=self.posting, changed=changed, declined=declined, asking=nxt,
                        question=self.question(nxt) if nxt else None, inferred=list(self.inferred))

    def edit(self, values: dict[str, str], today: date | None = None) -> list[str]:
        """Edits typed into the posting form (label or field name → text). Each value is read as an answer to
        its field (预算 "80万左右", 截止日期 "明年6月底", 地区 "库尔勒"); an empty value clears the field. A
        value that cannot be read is not applied and is reported (the posting never holds an invalid value).
        An edited value is confirmed (no longer marked as inferred)."""
        today = today or date.today()
        by_label = {v: k for k, v in LABELS.items()}
        errors: list[str] = []
        changed: list[str] = []
        for name, raw in values.items():
            key = by_label.get(name, name)
            if key not in LABELS or key == "keywords":
                continue
            text = (raw or "").strip()
            shown = {"budget_wan": budget_shown(self.posting, marks=False),
                     "deadline": deadline_shown(self.posting)}.get(key) or ""
            if shown and shown in text:
                continue  # shown as it was: not edited
            if not text or text in ("（未填写）", "待补充", "必填，待补充", "未提供"):
                self._clear(key)
                continue
            if key in ("description", "goals", "organization"):
                if getattr(self.posting, key) != text:
                    setattr(self.posting, key, text)
                continue
            if key == "cooperation":
                modes = [m for m in re.split(r"[、，,;；/\s]+", text) if m]
                bad = [m for m in modes if m not in vocab.cooperation_mode_names()]
                found = vocab.cooperation_modes(text)
                if bad and not found:
                    errors.append(f"合作方式“{text}”无法识别：请写 {'、'.join(vocab.cooperation_mode_names())} 中的一项或几项。")
                    continue
                self.posting.cooperation = found
                changed.append(key)
                continue
            if key == "field" and text not in vocab.fields():
                errors.append(f"所属领域“{text}”不在平台领域中：请写 {'、'.join(vocab.fields())} 之一。")
                continue
            values_read = read_answer(key, text, today)
            if not values_read:
                errors.append(f"{LABELS[key]}“{text}”无法识别，未修改。")
                continue
            if key in ("budget_wan", "deadline"):
                self._clear(key)
            self._set(values_read, changed)
        self.inferred = [k for k in self.inferred if k not in changed]
        self.declined = [k for k in self.declined if not _filled(self.posting, k)]
        if self.pending and _filled(self.posting, self.pending):
            self.pending = None
        return errors

    def _clear(self, key: str) -> None:
        p = self.posting
        if key == "budget_wan":
            p.budget_wan = p.budget_low_wan = p.budget_high_wan = p.budget_note = p.budget_qualifier = None
        elif key == "deadline":
            p.deadline, p.deadline_note = None, None
        elif key == "region":
            p.region, p.region_path = None, None
        else:
            setattr(p, key, [] if key == "cooperation" else None)
        p.notes = [n for n in p.notes if not n.startswith(LABELS[key][:2])]

    @staticmethod
    def _interjects(pending: str, text: str, today: date) -> bool:
        """Whether a reply to the question about ``pending`` says something else instead (a correction, an
        addition): "补充一下，三个月内要出方案" is not a title, "地区写错了，是尉犁县" not a cooperation mode."""
        if replies.corrects(text) and _named_field(replies.after_correction(text) + replies.before_correction(text)[-12:]) \
                not in (None, pending):
            return True
        if pending in ("title", "description"):
            kind = _value_kind(text, today)
            return pending == "title" and (kind not in (None, "field") or len(text) > 30 or bool(re.search(r"补充|对了|另外|还有", text)))
        return False

    def _stated(self, key: str, text: str) -> bool:
        """Whether the message states the value itself rather than describing a need it was inferred from."""
        value = getattr(self.posting, key)
        if key == "cooperation":  # named as such ("方式：委托开发", "想找人合作开发"), not read from the need
            return all(v in text for v in value) or bool(re.search(r"合作|方式|委托", text))
        if key == "field":
            return bool(value) and value in text
        return bool(re.search(r"(?:需求)?(?:类型|属于|是)\s*(?:技术|服务|人才|资金)(?:类|需求)?", text))

    def _correct(self, text: str, today: date, changed: list[str], answered: set[str]) -> None:
        """A message that replaces an earlier value: the field it names (or the kind of value it gives) is set
        from what follows the correction cue."""
        tail = replies.after_correction(text)
        target = _named_field(tail) or _named_field(replies.before_correction(text)[-12:]) or _value_kind(tail, today)
        if target is None:
            return
        values = read_answer(target, tail, today)
        if values:
            self._clear(target)
            self._set(values, changed)
            answered.add(target)


__all__ = ["INFERABLE", "ORDER", "NeedSession", "NeedTurn"]
