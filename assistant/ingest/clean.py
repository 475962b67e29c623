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


# Each rule names what it removes, and a rule that could hit ordinary prose is held to short lines or to more
# than one sign: a news paragraph on 博彩 revenue, a notice saying 如有疑问请联系我们。, a table's rows separated by
# "|" and a unit such as 降水量(mm) are text (tests/tables/clean_keep.jsonl must all survive).
_SPAM_WORDS = re.compile(
    r"无码|毛片|色情|成人(?:视频|电影|网站)|av(?:免费|在线|片)|一区二区|三级片|博彩|赌场|百家乐|时时彩|"
    r"六合彩|棋牌|网赌|娱乐城|代孕|裸聊|约炮|无碼|視頻免費|亞洲|國產", re.I)
# Filler that article-farm sites put around copied text: phrases no real document writes.
_FILLER = re.compile(
    r"希望对大家有所帮助|下面我们就来了解一下|下面小编|小编整理|范文网|精选范文|每个人都曾试图在平淡的学习")
# Filler phrases a real text may also write ("以上数据仅供参考。"): only a short line made of them goes.
_FILLER_SHORT = re.compile(r"^.{0,12}(?:本文由.{0,12}整理|欢迎阅读|仅供参考|点击(?:这里|此处)下载|更多相关内容)")
# Marketing calls to action: an action (add a WeChat/QQ, follow an account, click) and a lure, on a short line.
_PROMO = re.compile(
    r"(?:加|添加|联系)(?:微信|微|v|vx|qq|q)|关注(?:微信)?公众号|扫码关注|点击(?:下方|阅读原文|链接|进入)|代开(?:各类)?发票", re.I)
_PROMO_LURE = re.compile(r"领取|免费|获取|下载|回复|资料|优惠|税点|发票", re.I)
# Site footers and page chrome on short lines (at most FOOTER_MAX_LEN characters).
_FOOTER = re.compile(
    r"版权所有|copyright|©|备案号|icp备|icp证|公网安备|京公网|责任编辑|编辑[:：]\s*\S{1,6}$|"
    r"【字体|字号[:：]|主办单位[:：]|承办单位[:：]|技术支持[:：]|浏览次数|阅读量[:：]|来源[:：]\s*$|"
    r"\[打印\]|\[关闭\]|【打印】|【关闭】|网站标识码|政府网站找错|适老化|无障碍浏览|仅代表作者个人观点|本网只是转载|"
    r"^(?:相关热词|相关阅读|相关新闻|热点推荐)|^编辑[:：]|^当前位置|^您现在的位置|^首页\s*(?:>|»|＞|/|›)", re.I)
# Navigation words that a sentence may also contain ("如有疑问，请联系我们。"): only on a line without a sentence.
_NAV = re.compile(r"分享到|扫一扫|打印本页|关闭窗口|上一篇|下一篇|返回顶部|网站地图|联系我们")
_PAGE_DEBRIS = re.compile(
    r"^(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|"
    r"共\s*\d+\s*页(?:\s*[/，,]?\s*第\s*\d+\s*页)?|page\s*\d+(?:\s*of\s*\d+)?|\d+\s*/\s*\d+)$", re.I)
# A line of nothing but a repeated rule character: -----, ＝＝＝＝, ~~~~, ＊＊＊＊, ————
_RULE_LINE = re.compile(r"^([-—–－=＝~～*＊_＿·.…#＃])(?:\s*\1){2,}$")
# A pinyin gloss after a character, as article farms print them: 科協(xié). A tone mark or ü is required, so
# that units and abbreviations (降水量(mm)、功率(kw)) stay.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[^)]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ])"
                           r"(?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)")
_SEO_SEPARATORS = re.compile(r"[_|｜]")
_SENTENCE_MARKS = "。！？!?"

FOOTER_MAX_LEN = 80
SHORT_LINE = 40


def _seo_stuffed(line: str) -> bool:
    """Keyword-stuffed titles: several short segments joined by _ or |, no sentence in sight."""
    parts = [p for p in _SEO_SEPARATORS.split(line) if p.strip()]
    labelled = sum(1 for p in parts if re.search(r"[:：]", p))  # 导演：… | 编剧：… is a list of credits
    return len(parts) >= 4 and not any(ch in line for ch in "。，,") and max(map(len, parts)) <= 20 \
        and labelled * 2 < len(parts)


def _is_spam(line: str, in_table: bool = False) -> bool:
    """Two spam words, or one in a keyword-stuffed line: a news item on 博彩 revenue names it once, in prose."""
    hits = {m.group(0).lower() for m in _SPAM_WORDS.finditer(line)}
    return len(hits) >= 2 or _seo_stuffed(line) and (bool(hits) or not in_table)


def _is_promo(line: str) -> bool:
    return len(line) <= FOOTER_MAX_LEN and bool(_PROMO.search(line)) and bool(_PROMO_LURE.search(line))


def _cells(text: str) -> int:
    return len(re.findall(r"[|｜\t]", text))


def _ends_sentence(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and (t[-1] in SENTENCE_END or t[-1] in CLOSERS or t[-1] in "：:…")


def clean_elements(elements: list[Element], title_hint: str = "") -> CleanResult:
    removed: list[str] = []
    kept: list[Element] = []
    seen_short: set[str] = set()
    title_key = re.sub(r"\s+", "", title_hint)
    # lines of a table written as text: as many | or tabs as the line before or after (a keyword-stuffed title
    # stands alone)
    n = [_cells(el.text) if el.kind != "table" else 0 for el in elements]
    table_rows = {i for i in range(len(elements)) if n[i] >= 2 and
                  ((i > 0 and n[i - 1] == n[i]) or (i + 1 < len(elements) and n[i + 1] == n[i]))}
    for i, el in enumerate(elements):
        if el.kind == "table":
            kept.append(el)
            continue
        text = _PINYIN_GLOSS.sub("", el.text.replace("\u00a0", " ").replace("\ufeff", "")).strip()
        if not text:
            continue
        compact = re.sub(r"\s+", "", text)
        key = search_key(text)  # patterns are written in simplified script; match traditional pages too
        short = len(text) <= FOOTER_MAX_LEN
        if _is_spam(key, in_table=i in table_rows) or _FILLER.search(key) or _is_promo(key) or \
                short and (_FILLER_SHORT.search(key) or _FOOTER.search(key)
                           or _NAV.search(key) and not any(ch in key for ch in _SENTENCE_MARKS)):
            removed.append(text)
            continue
        if _PAGE_DEBRIS.match(text) or _RULE_LINE.match(text):
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
