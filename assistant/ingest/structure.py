"""Assemble cleaned elements into a Document's display text and structural blocks (headings found
from Chinese policy numbering: 第X章 / 第X条 / 一、 / （一） / 1.)."""

from __future__ import annotations

import re

from assistant._text import SENTENCE_END
from assistant.ingest.clean import Element
from assistant.types import Block

_NUM = "一二三四五六七八九十百零〇两"
HEADING_PATTERNS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"^第[{_NUM}\d]+[编]"), 1),
    (re.compile(rf"^第[{_NUM}\d]+[章]"), 1),
    (re.compile(rf"^第[{_NUM}\d]+[节]"), 2),
    (re.compile(rf"^[{_NUM}]+、"), 2),
    (re.compile(rf"^第[{_NUM}\d]+条"), 3),
    (re.compile(rf"^（[{_NUM}]+）|^\([{_NUM}]+\)"), 4),
    (re.compile(r"^\d{1,2}[\.．、](?!\d)"), 5),
]
# Numbered paragraphs up to this level (章, 节, 一、, 第X条) open a section; deeper ones — the （一） and 1.
# items of a clause — belong to the section they are in, so a clause with its items stays whole.
SECTION_LEVEL = 3
CLAUSE_RE = re.compile(rf"^(第[{_NUM}\d]+条)")
HEADING_MAX = 40
_DATELINE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}")
_LABEL = re.compile(r"^[^:：]{1,6}[:：]")  # "发布时间:", "关键词:" are labels, not headings


def heading_level(text: str) -> int:
    """Numbering level of a line that opens a section, or 0."""
    for pattern, level in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return 0


def _looks_like_heading(el: Element, nxt: Element | None) -> int:
    if el.kind == "heading":
        return el.level or 2
    text = el.text
    if _DATELINE.search(text) or _LABEL.match(text):
        return 0
    level = heading_level(text)
    short = len(text) <= HEADING_MAX and text[-1] not in SENTENCE_END + "，,："
    if level and short:
        return level
    # A short unnumbered line before a longer paragraph reads as a heading in news and reports.
    if short and len(text) <= 30 and nxt is not None and nxt.kind == "paragraph" and len(nxt.text) > 2 * len(text):
        return 2
    return 0


def assemble(elements: list[Element]) -> tuple[str, list[Block]]:
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for i, el in enumerate(elements):
        nxt = elements[i + 1] if i + 1 < len(elements) else None
        if el.kind == "table":
            rows = [r for r in (el.rows or el.text.splitlines()) if r.strip()]
            text = "\n".join(rows)
            kind, level = "table", 0
        else:
            text = el.text
            level = _looks_like_heading(el, nxt)
            kind = "heading" if level else "paragraph"
            if kind == "paragraph":
                level = heading_level(text)  # a long numbered paragraph still opens a section (第X条 …)
        if not text:
            continue
        if parts:
            pos += 1  # the "\n" separator
        blocks.append(Block(kind=kind, text=text, start=pos, end=pos + len(text), level=level,
                            rows=rows if kind == "table" else None))
        parts.append(text)
        pos += len(text)
    return "\n".join(parts), blocks
