"""Remove what Chinese web pages and PDFs carry besides the text: spam and SEO lines, site footers,
page-break debris, repeated headings, pinyin glosses; re-join paragraphs broken by a page break."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant._text import CLOSERS, SENTENCE_END, search_key


@dataclass
class Element:
    """A raw piece of a document before cleaning: a line, paragraph, heading or table."""

    kind: str  # "paragraph" | "heading" | "table"
    text: str
    level: int = 0
    rows: list[str] | None = None


@dataclass
class CleanResult:
    elements: list[Element]
    removed: list[str] = field(default_factory=list)


_SPAM_WORDS = re.compile(
    r"无码|毛片|色情|成人(?:视频|电影|网站)|av(?:免费|在线|片)|一区二区|三级片|博彩|赌场|百家乐|时时彩|"
    r"六合彩|棋牌|网赌|娱乐城|代孕|裸聊|约炮|无碼|視頻免費|亞洲|國產", re.I)
# Filler that article-farm sites put around copied text.
_FILLER = re.compile(
    r"希望对大家有所帮助|下面我们就来了解一下|下面小编|小编整理|本文由.*整理|范文网|欢迎阅读|仅供参考|"
    r"点击(?:这里|此处)下载|更多相关内容|精选范文|每个人都曾试图在平淡的学习")
_FOOTER = re.compile(
    r"版权所有|copyright|©|备案号|icp备|icp证|公网安备|京公网|分享到|责任编辑|编辑[:：]\s*\S{1,6}$|"
    r"扫一扫|打印本页|关闭窗口|【字体|字号[:：]|上一篇|下一篇|返回顶部|网站地图|联系我们|"
    r"主办单位[:：]|承办单位[:：]|技术支持[:：]|浏览次数|阅读量[:：]|来源[:：]\s*$|\[打印\]|\[关闭\]|"
    r"网站标识码|政府网站找错|适老化|无障碍浏览|相关热词|相关阅读|相关新闻|热点推荐|^编辑[:：]|"
    r"^当前位置|^您现在的位置|^首页\s*(?:>|»|＞|/|›)", re.I)
_PAGE_DEBRIS = re.compile(
    r"^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|"
    r"page\s*\d+(?:\s*of\s*\d+)?|\d+\s*/\s*\d+)$", re.I)
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)")
_SEO_SEPARATORS = re.compile(r"[_|｜]")

FOOTER_MAX_LEN = 80
SHORT_LINE = 40


def _is_spam(line: str) -> bool:
    if _SPAM_WORDS.search(line):
        return True
    parts = [p for p in _SEO_SEPARATORS.split(line) if p.strip()]
    # Keyword-stuffed titles: several short segments joined by _ or |, no sentence in sight.
    return len(parts) >= 4 and not any(ch in line for ch in "。，,") and max(map(len, parts)) <= 20


def _ends_sentence(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and (t[-1] in SENTENCE_END or t[-1] in CLOSERS or t[-1] in "：:…")


def clean_elements(elements: list[Element], title_hint: str = "") -> CleanResult:
    removed: list[str] = []
    kept: list[Element] = []
    seen_short: set[str] = set()
    title_key = re.sub(r"\s+", "", title_hint)
    for el in elements:
        if el.kind == "table":
            kept.append(el)
            continue
        text = _PINYIN_GLOSS.sub("", el.text.replace("\u00a0", " ").replace("\ufeff", "")).strip()
        if not text:
            continue
        compact = re.sub(r"\s+", "", text)
        key = search_key(text)  # patterns are written in simplified script; match traditional pages too
        if _is_spam(key) or _FILLER.search(key):
            removed.append(text)
            continue
        if len(text) <= FOOTER_MAX_LEN and _FOOTER.search(key):
            removed.append(text)
            continue
        if _PAGE_DEBRIS.match(text):
            removed.append(text)
            continue
        if len(compact) <= SHORT_LINE:
            # Page headers repeat the title (often truncated) and section headings on every page.
            if compact in seen_short or (
                title_key and kept and len(compact) >= 6 and title_key.startswith(compact)
                and any(re.sub(r"\s+", "", k.text) == title_key for k in kept)
            ):
                removed.append(text)
                continue
            seen_short.add(compact)
        kept.append(Element(el.kind, text, el.level, el.rows))
    return CleanResult(_rejoin(kept), removed)


_HEADING_START = re.compile(r"^(?:第[一二三四五六七八九十百零〇两\d]+[章节条]|[一二三四五六七八九十]+[、是]|（[一二三四五六七八九十\d]+）|\d+[\.．、])")


def _cut_mid_paragraph(text: str) -> bool:
    """A paragraph of several sentences that stops mid-sentence was cut by a page break; a single
    unpunctuated line is a title or label and is left alone."""
    if _ends_sentence(text) or len(text) < 25:
        return False
    return any(ch in text[:-1] for ch in SENTENCE_END + "，,")


def _rejoin(elements: list[Element]) -> list[Element]:
    """Join a paragraph cut by a page break: a long line with no sentence end, followed by a line that
    does not start a new section."""
    out: list[Element] = []
    for el in elements:
        if (
            out
            and el.kind == "paragraph"
            and out[-1].kind == "paragraph"
            and _cut_mid_paragraph(out[-1].text)
            and not _HEADING_START.match(el.text)
            and re.match(r"[\u4e00-\u9fff，、,；;）)”]", el.text)
        ):
            out[-1] = Element("paragraph", out[-1].text + el.text, out[-1].level)
        else:
            out.append(el)
    return out
