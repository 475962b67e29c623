"""Questions that ask the same thing of several entities, split into one question per entity.

"泰安和巴州分别引进了多少人才" is two questions: "泰安…引进了多少人才" and "巴州…引进了多少人才". Each is retrieved and
answered on its own (the passages about 泰安 rarely mention 巴州), then the answers are put side by side. A
question splits only when it asks of each (分别、各、比较、对比、相比); one that merely names two things ("高企和科小
有什么区别", "申报时间和截止时间") is one question.
"""

from __future__ import annotations

import re

from assistant.domain import regions

# the words that ask of each entity, and what each becomes in a question about one of them
_MARKERS = re.compile(r"分别|各自|各(?=[是有能为占要给多几拿补奖])|比较一下|比较|对比一下|对比|相比")
_PREFIX_MARKER = re.compile(r"^\s*(?:请)?(?:比较一下|比较|对比一下|对比)")
_DROP = re.compile(r"比较一下|对比一下|分别|各自|各(?=[是有能为占要给多几拿补奖])|相比[，,]?|(?:谁|哪个|哪家|哪里)更[高多低少大好强快长]?")
_COORD = re.compile(r"以及|[和与跟及、]")
_YEAR = r"\d{4}\s*年度?"
_CLAUSE_END = re.compile(r"[，,。？?；;！!：:]")


def per_entity(question: str) -> list[str]:
    """One question per entity the question asks about, in its order; [] when it does not ask of each."""
    q = (question or "").strip()
    if not q or not _MARKERS.search(q):
        return []
    return _same_kind(q) or _conjuncts(q)


def _clean(sub: str) -> str:
    sub = _PREFIX_MARKER.sub("", sub)
    sub = _DROP.sub("", sub)
    return re.sub(r"\s{2,}", " ", sub).strip()


def _entities(q: str) -> list[tuple[int, int]]:
    """Spans of places and years, the entities a question most often lines up ("泰安和巴州", "2023年和2024年")."""
    spans = [(m.start, m.end) for m in regions.find_regions(q) if m.region.path != regions.COUNTRY]
    spans += [(m.start(), m.end()) for m in re.finditer(_YEAR, q)]
    return sorted(spans)


def _same_kind(q: str) -> list[str]:
    """A run of places or years joined by 和/与/、 ("镇江、泰安、巴州各有…"): each takes the run's place."""
    spans = _entities(q)
    best: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for span in spans:
        if run and _COORD.fullmatch(q[run[-1][1]:span[0]]) and _kind(q, run[-1]) == _kind(q, span):
            run.append(span)
        else:
            run = [span]
        if len(run) > len(best):
            best = list(run)
    if len(best) < 2:
        return []
    start, end = best[0][0], best[-1][1]
    return [_clean(q[:start] + q[s:e] + q[end:]) for s, e in best]


def _kind(q: str, span: tuple[int, int]) -> str:
    return "year" if re.fullmatch(_YEAR, q[span[0]:span[1]]) else "place"


def _word_spans(q: str) -> set[tuple[int, int]]:
    """(start, end) of every word of the question as jieba cuts it, to tell a coordinator that is a word of its
    own from the 和 of 和静县, the 与 of 参与, the 及 of 普及."""
    from assistant import _jieba

    spans, at = set(), 0
    for token in _jieba.cut(q):
        spans.add((at, at + len(token)))
        at += len(token)
    return spans


def _conjuncts(q: str) -> list[str]:
    """"A和B分别…" with A and B any phrases: B is read as long as A is ("工学类和经管类专业学费": 经管类), or up to
    a year or place that follows it, its 的 or the asking word; a place or year that opens A holds for B too ("巴州2026年院士站申报和特派员选派")."""
    marker = _MARKERS.search(q)
    words = _word_spans(q)
    coords = [m for m in _COORD.finditer(q) if m.group(0) != "、" and m.span() in words]
    if _PREFIX_MARKER.match(q):
        coords = [m for m in coords if m.start() > marker.end()]
        coord = coords[0] if coords else None
    else:
        before = [m for m in coords if m.end() <= marker.start()]
        coord = before[-1] if before else None
    if coord is None:
        return []
    prefix_end = _PREFIX_MARKER.match(q).end() if _PREFIX_MARKER.match(q) else 0
    clause_start = max([prefix_end] + [m.end() for m in _CLAUSE_END.finditer(q, 0, coord.start())])
    left = q[clause_start:coord.start()]
    rest_start = coord.end()
    stop = len(q)
    if (m := _CLAUSE_END.search(q, rest_start)) is not None:
        stop = m.start()
    if marker.start() > rest_start:
        stop = min(stop, marker.start())
    right_span = q[rest_start:stop]
    if not left.strip() or not right_span.strip():
        return []
    # B is as long as A: it ends where A's last character recurs ("高新技术企业和科技型中小企业的…" → 科技型中小企业)
    last = left[-1]
    cut = right_span.find(last, 1)
    later = [m.start() for m in re.finditer(_YEAR, right_span) if m.start() > 0]
    if cut >= 0:
        right = right_span[:cut + 1]
    elif later and not re.search(_YEAR, left):  # "A和B2024年在江苏的…": the year (and what follows) holds for A too
        right = right_span[:later[0]]
    elif "的" not in left and "的" in right_span:
        right = right_span[:right_span.index("的")]
    else:
        right = right_span
    tail = q[rest_start + len(right):]
    pre = q[:clause_start]
    # the place and year that open A ("巴州2026年") hold for B when B names none
    lead_end = 0
    for s, e in _entities(left):
        if s == lead_end:  # a run of places and years at A's start
            lead_end = e
    lead = left[:lead_end] if not _entities(right) else ""
    # A and B are alike ("院士专家工作站申报" / "科技特派员选派"); a long A against a short B ("…综合分文化课" / "专业")
    # means A's boundary is unknown: better one question than two wrong ones
    a, b = len(left) - lead_end, len(right)
    if min(a, b) < 2 or max(a, b) > 2.5 * min(a, b):
        return []
    return [_clean(pre + left + tail), _clean(pre + lead + right + tail)]
