"""Metadata the text itself gives: title, publication date, region, document type."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from assistant._text import search_key
from assistant.domain import dates, regions
from assistant.types import Block

_DATE_LABEL = re.compile(r"(发布|印发|成文|发文|公布|更新)(时间|日期)|来源|时间[:：]")


def find_date(text: str) -> date | None:
    """A calendar date written in full in a document (its publication date); relative dates are not read here."""
    return dates.find_absolute_date(text)


def extract_date(blocks: list[Block]) -> date | None:
    """A date in the header lines (labelled or alone on a line) is the publication date."""
    head = blocks[:15]
    for b in head:
        key = search_key(b.text)
        if _DATE_LABEL.search(key) or len(b.text) <= 40:
            d = find_date(key)
            if d:
                return d
    return None


_NOT_A_TITLE = re.compile(r"^【[^】]{0,8}】|示例数据|虚构|^[\s\d]+$|^(?:发布|印发|来源|发文)")


def extract_title(blocks: list[Block], hint: str = "") -> str:
    if hint and hint.strip():
        return hint.strip()[:120]
    for b in blocks[:5]:
        t = b.text.strip()
        if b.kind != "table" and 4 <= len(t) <= 80 and not find_date(t) and not _NOT_A_TITLE.search(t):
            return t
    return blocks[0].text[:60] if blocks else ""


_REGION_LABEL = re.compile(r"(?:适用地区|适用范围|所在地区|地区)[:：]\s*([^\s，,；;。]{2,20})")


def extract_region(title: str, text: str) -> str | None:
    """A region the header states (适用地区：…), else the one in the title, else the one named most often
    (at least twice) in the opening of the text. Returned as the region's display name (巴州, 泰安市)."""
    m = _REGION_LABEL.search(search_key(text[:1500]))
    if m:
        label = m.group(1)
        if label.startswith("全国"):
            return regions.COUNTRY
        r = regions.best_region(label)
        if r is not None:
            return r.label
    r = regions.best_region(title, include_country=False)
    if r is not None:
        return r.label
    counts: Counter[str] = Counter()
    for mention in regions.find_regions(text[:4000]):
        if mention.region.path != regions.COUNTRY:
            counts[mention.region.label] += 1
    if counts:
        region, n = counts.most_common(1)[0]
        return region if n >= 2 else None
    return None


# the line that opens an article of a compilation: "科技创新工作亮点篇一", "第二篇", "范文三", "篇四："
_ARTICLE = re.compile(r"^[^。！？，,]{0,24}?(?:篇|范文|第[一二三四五六七八九十\d]+篇)[一二三四五六七八九十\d]*[:：]?$")


def find_articles(text: str, blocks: list[Block]) -> list[tuple[int, int, str]]:
    """The articles of a compilation — a page that gathers several places' reports under "篇一", "篇二"… — each
    with its place (the one it names most, or the one its first lines name; "" for an article that names none,
    "xx市" or "我市" only). Not a compilation (fewer than two such lines): none."""
    opens = [b.start for b in blocks if b.kind != "table" and len(b.text) <= 30
             and _ARTICLE.match(b.text.strip()) and re.search(r"[篇文][一二三四五六七八九十\d]|第.+篇", b.text)]
    if len(opens) < 2:
        return []
    out = []
    for a, b in zip(opens, [*opens[1:], len(text)], strict=True):
        article = text[a:b]
        first = "\n".join(article.split("\n")[1:3])
        region = extract_region(first, article)
        out.append((a, b, "" if region in (None, regions.COUNTRY) else region))
    return out


_NAME = r"[\u4e00-\u9fff]{2,4}"
# who wrote a news page, the ways Chinese pages say it: a name after the dateline, 作者：/撰稿：/执笔：, 文/, (本报)记者
_BYLINE_AUTHOR = [
    re.compile(rf"^\s*\d{{4}}[-/.年]\d{{1,2}}[-/.月]\d{{1,2}}日?\s*(?:\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*({_NAME})\s*$"),
    re.compile(rf"(?:^|[\s（(])(?:作者|撰稿|撰文|执笔|本报记者|记者)\s*[:：]?\s*({_NAME})(?=$|[\s)）、，,])"),
    re.compile(rf"(?:^|[\s（(])文\s*[/／]\s*({_NAME})(?=$|[\s)）、，,])"),
]
# a name in brackets closing the article: "…中心城市。（谷某某）"
_BYLINE_CLOSING = re.compile(rf"[。！？!?”]\s*[（(]\s*({_NAME})\s*[)）]\s*$")
_NOT_A_NAME = frozenset("全文完 待续 未完 附件 详见 供稿 来源 转载 原创 摄影 图文 编辑 责编 试行 暂行 草案 征求意见稿 节选 摘编 有删节 "
                        "单位万元 单位 资料图 供图".split())


def find_byline(text: str) -> dict[str, str | int]:
    """The author a news page names in its first or last lines, with the offsets of the line (or closing bracket)
    that names them (``author_start``, ``author_end``): {} for a page that names none. (An editor's line,
    "编辑：…", is page furniture the cleaner removes, so it is not read.)"""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    body = [(p, ln) for p, ln in lines if ln.strip()]
    last = body[-12:]
    for at, line in body[:8] + [x for x in last if x not in body[:8]]:
        key = search_key(line)
        found = [(m, 0) for pattern in _BYLINE_AUTHOR if (m := pattern.search(key))]
        if (at, line) in last and (m := _BYLINE_CLOSING.search(key)):
            found.append((m, max(key.rfind("（"), key.rfind("("))))  # the bracket, not the whole paragraph
        for m, offset in found:
            name = line[m.start(1):m.end(1)].strip()
            if name not in _NOT_A_NAME and not regions.find_regions(name):
                return {"author": name, "author_start": at + offset, "author_end": at + len(line.rstrip())}
    return {}


_POLICY_HINT = re.compile(r"办法|通知|意见|细则|规定|措施|政策|公告|指引|条例|申报|认定")


def guess_doc_type(title: str, blocks: list[Block]) -> str:
    clauses = sum(1 for b in blocks if re.match(r"^第[一二三四五六七八九十百\d]+条", b.text))
    if clauses >= 2 or _POLICY_HINT.search(title):
        return "policy"
    return "news"
