"""Follow-up or new topic: what a message in a conversation asks, as a question that stands on its own.

Decided by what the message says, not by its length. A message continues the conversation when it points back
(它 / 这个 / 该政策 / 其), leads in as a continuation (那…, 那如果…, 还有…), is an ellipsis (…呢: "那科小呢",
"成都的呢", "申报时间呢") or asks only for an attribute with nothing of its own to be about ("最多给多少钱",
"要几个人") or names no programme or place of its own while the conversation is about one ("提前完成指标还有奖吗"
after a 揭榜挂帅 question). It starts a new topic when it names a support programme of its own ("科小评价的条件" after a
加计扣除 question), however short; naming the conversation's programme again ("我们去年请过特派员") goes on with it.
A continuation is rewritten from the conversation's last standalone question: an ellipsis naming another
programme or place swaps it in ("高企认定要什么条件" + "那科小呢" → "科小认定要什么条件"); a continuation with an aspect of its own keeps the programme with the place and year the conversation is
about ("2024年镇江高企奖励多少" + "截止日期是哪天" → "2024年镇江高企 截止日期是哪天"); one that names nothing new
("那要多少分才算过", "我们收入8000万，够不够") keeps the earlier question whole."""

from __future__ import annotations

import re

from assistant._text import search_key, tokenize
from assistant.domain import regions, vocab, wording

_POINTS_BACK = re.compile(r"它们?|这个|那个|这项|那项|这些|那些|此项|上述|该(?:政策|项|办法|措施|认定|奖励|补助|补贴|文件|资格)|"
                          r"其(?=中|他条件|申报|条件|要求|有效期)|这种|那种|这类")
_LEADS_IN = re.compile(r"^\s*(?:那么?|那如果|如果是|还有|另外|此外|以及|同时|再问一?下|顺便问一?下|对了)")
_ELLIPSIS = re.compile(r"呢\s*[？?]?\s*$")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?|今年|去年|明年|前年")
_TIME = re.compile(_YEAR.pattern + r"|现在|目前|如今|当前|眼下|下半年|上半年")
_NAMED_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")  # a year the topic is about; "我们去年贷了款" is the asker's story



def is_follow_up(question: str, context: str) -> bool:
    if not context:
        return False
    if _POINTS_BACK.search(question) or _LEADS_IN.match(question) or _ELLIPSIS.search(question):
        return True
    if programmes := vocab.find_programs(question):
        # the conversation's own programme named again ("我们去年请过特派员" after 巴州科技特派员) goes on with it
        return not regions.find_regions(question) and {p for p, _, _ in programmes} <= {
            p for p, _, _ in vocab.find_programs(context)}
    if vocab.find_programs(context) and not regions.find_regions(question):
        return True  # names no subject of its own: it continues the conversation's programme
    return not wording.names_a_topic(tokenize(question))  # asks only about an aspect (补助多少, 截止时间呢)


def _swap(context: str, question: str) -> str | None:
    """"那科小呢" / "成都的呢" / "那2024年呢" after a question about another programme, place or year: the earlier
    question with the new one swapped in (None when there is nothing to swap)."""
    ctx = search_key(context)
    q = search_key(question)
    mine, theirs = vocab.find_programs(q), vocab.find_programs(ctx)
    if mine and theirs and {p for p, _, _ in mine} != {p for p, _, _ in theirs}:
        _, s, e = theirs[0]
        new = q[mine[0][1]:mine[0][2]]
        return ctx[:s] + new + ctx[e:]
    here, there = regions.find_regions(q), regions.find_regions(ctx)
    if here and there:
        m = there[0]
        return ctx[:m.start] + here[0].alias + ctx[m.end:]
    y_here, y_there = _YEAR.search(q), _YEAR.search(ctx)
    if y_here and y_there:
        return ctx[:y_there.start()] + y_here.group() + ctx[y_there.end():]
    return None


def rewrite(question: str, context: str) -> str:
    """``question`` as a question that stands on its own, given the conversation's last standalone question."""
    if not is_follow_up(question, context):
        return question
    short_ellipsis = _ELLIPSIS.search(question) and len(re.sub(r"^(?:那么?|那如果)|呢\s*[？?]?\s*$", "", question)) <= 12
    if short_ellipsis and (swapped := _swap(context, question)):
        return swapped
    asked = _bare(question)
    if vocab.find_programs(context) and not _POINTS_BACK.search(question) and not wording.names_nothing_new(tokenize(asked)):
        # an aspect of its own of the same programme ("研发投入要多少"): carry what the conversation is about (year,
        # place and programme), not the earlier question's own aspect
        return f"{_subject(context, question)} {asked}"
    return f"{context} {asked}"  # "那要多少分才算过", "我们收入8000万，够不够": the earlier question as it stood


def _subject(context: str, question: str) -> str:
    """What the conversation is about: the programme the last question names, with the place and year it names
    unless the follow-up names its own ("2024年镇江高企奖励多少" → "2024年镇江高企")."""
    key = search_key(context)
    spans = [vocab.find_programs(key)[0][1:]]
    if not regions.find_regions(question) and (places := [m for m in regions.find_regions(key)
                                                           if m.region.path != regions.COUNTRY]):
        spans.append((places[0].start, places[0].end))
    if not _TIME.search(question) and (year := _NAMED_YEAR.search(key)):
        spans.append(year.span())
    spans.sort()
    out, end = "", spans[0][0]
    for start, stop in spans:
        if stop > end:  # a short gap is kept ("库尔勒的科技特派员"), a longer one left out
            out += key[start if start - end > 2 else end:stop]
            end = stop
    return out


def _bare(question: str) -> str:
    """The follow-up without its lead-in and ellipsis particle ("那申报时间呢？" → "申报时间")."""
    q = _ELLIPSIS.sub("", _LEADS_IN.sub("", question)).strip(" ，,")
    return q or question


def standalone(question: str, earlier_questions: list[str]) -> str:
    """The standalone form of the last message of a conversation whose earlier user messages are given."""
    context = ""
    for q in earlier_questions:
        context = rewrite(q, context)
    return rewrite(question, context)
