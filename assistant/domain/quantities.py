"""Quantities as people write them: money, head counts, percentages, plain numbers.

Chinese numerals (八千万, 两千五百万, 一百五十万, 壹佰万, 1.2亿, 3千万) are converted by ``cn2an`` (a small,
maintained converter with no dependencies beyond ``proces``; ``jionlp`` would also parse them but pulls in a
large dictionary set we do not need). This module finds the numeral, its unit and its qualifier around it:

- money is always returned in 万元 (``Money.wan``), with how it was read (``Money.note``): ``3000000元`` is
  300 万元; a bare number typed into a 万元 field that is implausibly large (≥ 1,000,000) is read as 元 and
  the note says so; 约/大概/左右 → about, 不超过/以内 → at most, 以上/至少 → at least, 50-80万 → a range,
  面议/待定 → negotiable (never a number);
- head counts (一百八十人, 180名职工, 30余人) and percentages (6%, 百分之六, 6个百分点).

Free-text finders take the labels a feature cares about (营收, 研发投入, 预算 …) and return only an amount
attached to one of them, so 研发投入500万 is never read as revenue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from assistant._text import search_key

Qualifier = Literal["exact", "about", "at_most", "at_least", "range", "negotiable"]

_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_UNITS = "十百千万亿拾佰仟"
_CN = f"[{_CN_DIGITS}{_CN_UNITS}]+(?:点[{_CN_DIGITS}]+)?"
_AR = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A numeral: Arabic digits with an optional Chinese magnitude (1.2亿, 3千万, 8000万), or Chinese numerals.
NUMERAL = rf"(?:(?:{_AR})(?:[{_CN_UNITS}]+(?:\d+(?:\.\d+)?[{_CN_UNITS}]*)*)?|{_CN})"
_NUMERAL_RE = re.compile(NUMERAL)

_ABOUT_BEFORE = r"约|大约|大概|大致|差不多|估计|预计|预估|将近|接近|近|大约在|约为|估算"
_AT_MOST_BEFORE = r"不超过|不高于|不多于|最多|至多|上限|控制在|封顶|不到|少于|低于"
_AT_LEAST_BEFORE = r"至少|不低于|不少于|最少|超过|逾|高于|多于"
_ABOUT_AFTER = r"左右|上下|前后|余|多|来"
_AT_MOST_AFTER = r"以内|以下|之内|内|封顶|为限"
_AT_LEAST_AFTER = r"以上|起|之上"
_NEGOTIABLE = re.compile(r"面议|待定|不确定|暂无预算|没有预算|无预算|暂定|看情况|商议|协商|再议|视情况|再谈|可谈|未定|不好说")

# Money units in 元. "万"/"w" alone mean 万元; "块" is spoken 元.
_MONEY_UNIT = r"亿元|亿|千万元|千万|百万元|百万|万元|万块|万|千元|元|块钱|块|w|k"
_UNIT_YUAN = {"亿元": 1e8, "亿": 1e8, "千万元": 1e7, "千万": 1e7, "百万元": 1e6, "百万": 1e6, "万元": 1e4, "万块": 1e4,
              "万": 1e4, "w": 1e4, "千元": 1e3, "k": 1e3, "元": 1, "块钱": 1, "块": 1}
IMPLAUSIBLE_WAN = 1_000_000  # a bare number this large in a 万元 field was meant in 元


def _norm(text: str) -> str:
    """The search key plus the full-width symbols people type in amounts (．，％～－)."""
    key = search_key(text or "")
    key = key.translate(str.maketrans({"．": ".", "％": "%", "～": "~", "－": "-", "—": "-", "–": "-", "〜": "~"}))
    return re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", key)  # 3，000，000: a full-width thousands separator


def parse_number(text: str) -> float | None:
    """The value of one numeral (``两千五百万`` → 25000000, ``3,000,000`` → 3000000); None if it is not one."""
    s = _norm(text).strip().replace(" ", "")
    s = re.sub(rf"(?<=[\d{_CN_DIGITS}])个(?=[万亿])", "", s)  # 两个亿
    if not s or not _NUMERAL_RE.fullmatch(s):
        return None
    return _numeral_value(s)


def _numeral_value(s: str) -> float | None:
    import cn2an

    s = s.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    try:
        v = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError):
        # 两亿五 = 2.5亿: a digit after the last magnitude counts in tenths of it (cn2an reads 一万五, not this)
        m = re.fullmatch(r"(.+?)([亿万千百])([一二两三四五六七八九])", s)
        if not m:
            return None
        head = _numeral_value(m.group(1) + m.group(2))
        unit = {"亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}[m.group(2)]
        digit = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}[m.group(3)]
        return None if head is None else head + digit * unit / 10
    return float(v)


def _fmt(v: float) -> str:
    return f"{v:,.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Money:
    """An amount in 万元. ``wan`` is None only when negotiable; a range carries its bounds and ``wan`` is
    the upper bound (what a budget may reach)."""

    wan: float | None
    qualifier: Qualifier = "exact"
    low_wan: float | None = None
    high_wan: float | None = None
    text: str = ""
    note: str = ""

    def display(self) -> str:
        if self.qualifier == "negotiable" or self.wan is None:
            return "面议"
        if self.qualifier == "range":
            return f"{_fmt(self.low_wan or 0)}–{_fmt(self.high_wan or 0)} 万元"
        prefix = {"about": "约 ", "at_most": "不超过 ", "at_least": "不低于 "}.get(self.qualifier, "")
        return f"{prefix}{_fmt(self.wan)} 万元"


_MONEY_CORE = re.compile(
    rf"(?P<pre>{_ABOUT_BEFORE}|{_AT_MOST_BEFORE}|{_AT_LEAST_BEFORE})?\s*"
    rf"(?:(?P<lo>{NUMERAL})\s*(?P<lounit>{_MONEY_UNIT})?\s*(?:-|~|到|至)\s*)?"
    rf"(?P<num>{NUMERAL})(?P<approx>余|多|来|几)?\s*(?:个)?\s*(?P<unit>{_MONEY_UNIT})?(?P<unit2>元)?\s*"
    rf"(?P<post>{_ABOUT_AFTER}|{_AT_MOST_AFTER}|{_AT_LEAST_AFTER})?", re.I)


def _qualifier(pre: str | None, approx: str | None, post: str | None) -> Qualifier:
    for word in (post, pre):
        if not word:
            continue
        if re.fullmatch(_AT_MOST_BEFORE + "|" + _AT_MOST_AFTER, word):
            return "at_most"
        if re.fullmatch(_AT_LEAST_BEFORE + "|" + _AT_LEAST_AFTER, word):
            return "at_least"
        return "about"
    return "about" if approx else "exact"


def _magnitude_tail(numeral: str) -> str:
    """The magnitude a numeral ends with: 80万 → 万, 5千万 → 千万, 八十万 → 万."""
    if re.match(r"\d", numeral):
        m = re.search(rf"[{_CN_UNITS}]+$", numeral)
    else:
        m = re.search(r"[万亿]+$", numeral)
    return m.group(0) if m else ""


def _money_from_match(m: re.Match[str], default_unit: str) -> Money | None:
    num = _numeral_value(m.group("num"))
    if num is None:
        return None
    unit = (m.group("unit") or "").lower()
    note = ""
    if unit:
        factor = _UNIT_YUAN[unit]
        wan = num * factor / 1e4
        if factor != 1e4 or re.search(r"[万亿千百]", m.group("num")):
            note = f"{m.group(0).strip()} = {_fmt(wan)} 万元"
    elif default_unit == "元":
        wan = num / 1e4
        note = f"{m.group('num')} 元 = {_fmt(wan)} 万元"
    else:
        wan = num
        if re.search(r"[万亿千百]", m.group("num")):  # 八千万 with no 元: the numeral carries its magnitude
            wan = num / 1e4
            note = f"{m.group('num')} = {_fmt(wan)} 万元"
        elif num >= IMPLAUSIBLE_WAN:
            wan = num / 1e4
            note = f"“{m.group('num')}”按元理解 = {_fmt(wan)} 万元（若是万元请注明单位）"
    q = _qualifier(m.group("pre"), m.group("approx"), m.group("post"))
    if m.group("lo"):
        lo = _numeral_value(m.group("lo"))
        if lo is None:
            return None
        lounit = (m.group("lounit") or "").lower()
        if lounit:
            lo_wan = lo * _UNIT_YUAN[lounit] / 1e4
        else:  # 50-80万, 3到5千万: the upper bound's magnitude and unit apply to both
            tail = _magnitude_tail(m.group("num"))
            lo_full = _numeral_value(m.group("lo") + tail) if tail and not _magnitude_tail(m.group("lo")) else lo
            lo_wan = (lo_full or lo) * (wan / num if num else 1)
        return Money(wan=wan, qualifier="range", low_wan=lo_wan, high_wan=wan, text=m.group(0).strip(),
                     note=f"{_fmt(lo_wan)}–{_fmt(wan)} 万元")
    return Money(wan=wan, qualifier=q, text=m.group(0).strip(), note=note)


def parse_money(text: str | float | int | None, default_unit: Literal["万元", "元"] = "万元") -> Money | None:
    """The amount typed into a field whose unit is ``default_unit`` (a form box, a chat answer to "预算多少？")."""
    if text is None:
        return None
    if isinstance(text, int | float):
        text = f"{text:g}" if isinstance(text, float) else str(text)
    key = _norm(text).strip()
    if not key:
        return None
    if _NEGOTIABLE.search(key) and not re.search(r"\d|[一二两三四五六七八九十百千万亿]{2,}", key):
        return Money(wan=None, qualifier="negotiable", text=text.strip(), note="面议")
    key = _prepare(key)
    special = _special_money(key)
    if special:
        return special
    m = _MONEY_CORE.search(key)
    if not m:
        return None
    return _money_from_match(m, default_unit)


def _prepare(key: str) -> str:
    key = re.sub(rf"(?<=[\d{_CN_DIGITS}])个(?=[万亿])", "", key)
    return re.sub(r"[¥￥]\s*(\d[\d,.]*)(?!\s*(?:万|亿|千|百|元|块|w))", r"\1元", key)


_TWO_DIGITS = re.compile(r"(?<![一二两三四五六七八九十百千])([一二两三四五六七八九])([一二两三四五六七八九])([十百千万]+)\s*(?:元|块)?")


def _special_money(key: str) -> Money | None:
    """过亿 / 上亿 (at least 1亿) and 两三百万 (200–300万)."""
    m = re.search(r"(过|上|超|破)亿", key)
    if m:
        return Money(wan=10000.0, qualifier="at_least", text=m.group(0), note=f"{m.group(0)} = 不低于 10,000 万元")
    m = _TWO_DIGITS.search(key)
    if m and "一二两三四五六七八九".index(m.group(1)) < "一二两三四五六七八九".index(m.group(2)):
        lo, hi = _numeral_value(m.group(1) + m.group(3)), _numeral_value(m.group(2) + m.group(3))
        if lo is not None and hi is not None:
            lo, hi = lo / 1e4, hi / 1e4
            return Money(wan=hi, qualifier="range", low_wan=lo, high_wan=hi, text=m.group(0),
                         note=f"{_fmt(lo)}–{_fmt(hi)} 万元")
    return None


# Labels in money clauses across features: an amount after another label is not ours.
_ALL_MONEY_LABELS = ("营收", "营业收入", "销售收入", "年收入", "收入", "销售额", "产值", "研发投入", "研发费用", "研发支出",
                     "研发经费", "资产总额", "总资产", "资产", "预算", "经费", "投入资金", "资金", "费用", "出资", "利润",
                     "纳税", "税收", "应纳税所得额", "注册资本", "投资", "融资", "贷款", "奖励", "补贴", "价格", "报价")
_CLAUSE_END = re.compile(r"[，。；;！!？?\n、]|,(?!\d{3})")


def _labels_re(labels: Iterable[str]) -> str:
    return "|".join(re.escape(search_key(x)) for x in sorted(set(labels), key=len, reverse=True))


def find_money(text: str, labels: Iterable[str], default_unit: Literal["万元", "元"] = "万元") -> Money | None:
    """The amount attached to one of ``labels`` in free text: after the label within its clause
    (``预算大概80万元``, ``研发投入3000000元``) or before it (``80万的预算``); None if there is none."""
    key = _prepare(_norm(text))
    labels = list(labels)
    mine = re.compile(_labels_re(labels))
    others = re.compile(_labels_re(x for x in _ALL_MONEY_LABELS if search_key(x) not in {search_key(y) for y in labels}))
    for lm in mine.finditer(key):
        # A label that is the tail of a longer foreign label (研发费用 when asking for 费用) is not ours.
        before = key[max(0, lm.start() - 4):lm.end()]
        if any(o.endswith(lm.group(0)) and o != lm.group(0) and before.endswith(o)
               for o in (search_key(x) for x in _ALL_MONEY_LABELS)):
            continue
        rest = key[lm.end():lm.end() + 24]
        cut = _CLAUSE_END.search(rest)
        window = rest[:cut.start()] if cut else rest
        other = others.search(window)
        if other:
            window = window[:other.start()]
        if _NEGOTIABLE.search(window) and not re.search(r"\d", window):
            return Money(wan=None, qualifier="negotiable", text=window.strip(), note="面议")
        if re.match(r"[^\d]{0,8}?(?:占|比例|比重|增长|增幅|同比)", window):
            continue  # 研发投入占营收6%: a share, not an amount
        special = _special_money(window)
        if special:
            return special
        m = _MONEY_CORE.search(window)
        if m and m.group("num") and not re.match(r"\s*(?:年|月|日|号|人|名|个|%|倍|项|家|次|天)", window[m.end("num"):]):
            money = _money_from_match(m, default_unit)
            if money is not None and money.qualifier == "exact":  # 最多出20万: the qualifier sits in or before the label
                q = re.search(rf"({_AT_MOST_BEFORE}|{_AT_LEAST_BEFORE}|{_ABOUT_BEFORE})", key[max(0, lm.start() - 4):lm.end()])
                if q:
                    money = replace(money, qualifier=_qualifier(q.group(1), None, None))
            if money is not None:
                return money
    # 80万的预算 / 最多能拿出100万的资金 / 五十万左右的经费: an amount with its unit before the label, same clause
    for lm in mine.finditer(key):
        head = key[max(0, lm.start() - 20):lm.start()]
        cut = list(_CLAUSE_END.finditer(head))
        head = head[cut[-1].end():] if cut else head
        found = [m for m in _MONEY_CORE.finditer(head) if m.group("unit") or _magnitude_tail(m.group("num"))]
        if found:
            money = _money_from_match(found[-1], default_unit)
            if money is not None and money.qualifier == "exact":
                q = re.search(rf"({_AT_MOST_BEFORE}|{_AT_LEAST_BEFORE}|{_ABOUT_BEFORE})", head[:found[-1].start()])
                if q:
                    money = replace(money, qualifier=_qualifier(q.group(1), None, None))
            if money is not None:
                return money
    return None


# -- head counts -----------------------------------------------------------------------------------------
_COUNT_NOUNS = r"职工|员工|人员|雇员|工人|员|人|名|位"


def parse_count(text: str) -> int | None:
    """A head count typed alone: ``一百八十人``, ``180名``, ``30余人`` → 30."""
    key = _norm(text).strip().replace(" ", "")
    m = re.fullmatch(rf"[^\d]{{0,8}}?({NUMERAL})(?:余|多|来)?(?:个|名|位)?(?:{_COUNT_NOUNS})?(?:左右|上下|以上|以下|以内|之内)?", key)
    if not m or re.search(r"[元万亿年月%]", key[m.end(1):]):
        return None
    v = _numeral_value(m.group(1))
    return int(v) if v is not None and v == int(v) else None


_PART_OF_STAFF = re.compile(r"(?:科技|研发|技术|工程技术|管理|销售)(?:人员)?$|^(?:的)?(?:科技|研发|技术|工程|管理|销售)")


def find_count(text: str, nouns: Iterable[str] = ("职工", "员工", "人员", "人", "名")) -> int | None:
    """The head count in free text: ``职工180人``, ``180名职工``, ``员工约两百多个``; never a year or an amount."""
    key = _norm(text)
    staff_asked = any(re.search(r"科技|研发|技术", n) for n in nouns)  # the caller asks for a part of the staff
    nouns_re = "|".join(re.escape(n) for n in sorted(set(nouns), key=len, reverse=True))
    people = r"职工|员工|人员|雇员|工人|员工总数|职工总数|人数" + (f"|{nouns_re}" if staff_asked else "")
    patterns = [
        rf"(?:{people})(?:总数|人数|数量)?(?:有|共|共有|约|大约|大概|近|将近|为|是|达|达到|:|：|\s)*({NUMERAL})(?:余|多|来)?\s*(?:个|名|位)?\s*(?:人|名|位)?",
        rf"({NUMERAL})(?:余|多|来)?\s*(?:个|名|位)?\s*(?:{nouns_re})",
    ]
    found: list[tuple[int, int]] = []
    for p in patterns:
        for m in re.finditer(p, key):
            tail = key[m.end(1):m.end(1) + 2]
            if re.match(r"[万亿千百]?(?:元|块|年|月|日|%|岁|平|亩|吨)", tail) or re.search(r"[万亿]$", m.group(1)):
                continue
            if p is patterns[1] and not re.search(rf"(?:{nouns_re})$", m.group(0)):
                continue
            if not staff_asked and (_PART_OF_STAFF.search(key[max(0, m.start() - 4):m.start()]) or
                                    _PART_OF_STAFF.match(key[m.end():m.end() + 4])):
                continue  # 科技人员30人 / 30名研发人员 are part of the staff, not its total
            v = _numeral_value(m.group(1))
            if v is not None and v == int(v) and 0 <= v < 10_000_000:
                found.append((m.start(), int(v)))
    return min(found)[1] if found else None


def find_labelled_counts(text: str, labels: Iterable[str], units: str = "人|名|位|个|项|件|篇|家") -> list[int]:
    """Every count stated for one of ``labels`` (``科技人员30人``, ``发明专利5项、软著8个``, ``有3个发明专利``)."""
    key = _norm(text)
    lab = _labels_re(labels)
    out: list[tuple[int, int]] = []
    patterns = (rf"(?:{lab})(?:数量|总数|人数)?(?:有|共|共有|约|大约|大概|近|为|是|达|达到|:|：|\s)*({NUMERAL})(?:余|多)?\s*(?:{units})",
                rf"({NUMERAL})(?:余|多)?\s*(?:{units})(?:的)?(?:{lab})")
    for p in patterns:
        for m in re.finditer(p, key):
            v = _numeral_value(m.group(1))
            if v is not None and v == int(v) and 0 <= v < 1_000_000 and not any(m.start() == s for s, _ in out):
                out.append((m.start(), int(v)))
    return [v for _, v in sorted(out)]


# -- percentages ----------------------------------------------------------------------------------------
_PERCENT = re.compile(rf"百分之\s*({NUMERAL})|({NUMERAL})\s*(?:%|个百分点|个点|百分点)")
_CHANGE = re.compile(r"(?:提高|增加|增长|上升|下降|降低|减少|提升)了?\s*$")


def parse_percent(text: str) -> float | None:
    """``6%``, ``６％``, ``百分之六``, ``百分之三点五``, ``6个百分点`` → the percent as a number (6.0)."""
    key = _norm(text).strip().replace(" ", "")
    m = _PERCENT.search(key)
    if m:
        return _numeral_value(m.group(1) or m.group(2))
    m = re.fullmatch(r"([一二两三四五六七八九十])成", key) or re.fullmatch(rf"千分之({NUMERAL})", key)
    if m:
        v = _numeral_value(m.group(1).replace("两", "二"))
        return None if v is None else (v * 10 if key.endswith("成") else v / 10)
    return _numeral_value(key) if _NUMERAL_RE.fullmatch(key) else None  # a bare number in a percent field


def find_percent(text: str, labels: Iterable[str]) -> float | None:
    """A percentage stated after one of ``labels`` within its clause (``研发费用占营收的百分之五``)."""
    key = _norm(text)
    for lm in re.finditer(_labels_re(labels), key):
        rest = key[lm.end():lm.end() + 30]
        cut = re.search(r"[，,。；;！!？?\n]", rest)
        window = rest[:cut.start()] if cut else rest
        for m in _PERCENT.finditer(window):
            if _CHANGE.search(window[:m.start()]) and re.search(r"百分点|个点", m.group(0)):
                continue  # 提高了2个百分点: a change, not the level
            return _numeral_value(m.group(1) or m.group(2))
    return None


# -- thresholds stated in policies ------------------------------------------------------------------------
ThresholdKind = Literal["money", "count", "percent", "years"]
_UNIT_OF = {"money": rf"(?:{_MONEY_UNIT})", "count": r"(?:人|名|位|项|件|个)", "percent": r"(?:%|个百分点)",
            "years": r"(?:周?年|个?年度)"}
_LTE_BEFORE = re.compile(r"(?:不超过|不高于|不多于|不大于|最多|至多|最高|控制在)\s*$")
_LT_BEFORE = re.compile(r"(?:低于|少于|小于|未满|不满|不足|不到)\s*$")
_GTE_BEFORE = re.compile(r"(?:不低于|不少于|不小于|至少|达到|(?<!不)满|已满|最少)\s*$")
_GT_BEFORE = re.compile(r"(?:超过|高于|多于|大于|逾)\s*$")
_LTE_AFTER = re.compile(r"^\s*(?:[(（]含[)）])?\s*(?:及)?(?:以下|以内|之内)")
_GTE_AFTER = re.compile(r"^\s*(?:[(（]含[)）])?\s*(?:及)?(?:以上|之上)")


@dataclass(frozen=True)
class Threshold:
    """A comparison a policy states (``职工总数不超过500人`` → lte 500; ``2亿元以上`` → gt/gte 20000 万元;
    ``5000万元至2亿元（含）`` → between (5000, 20000)). Money is in 万元, percentages in %, years in years."""

    op: Literal["lte", "lt", "gte", "gt", "between"]
    value: float | tuple[float, float]
    text: str


def _value_of(kind: ThresholdKind, numeral: str, unit: str) -> float | None:
    v = _numeral_value(numeral)
    if v is None:
        return None
    if kind == "money":
        m = parse_money(f"{numeral}{unit}", "万元")
        return m.wan if m else None
    return v


def find_threshold(text: str, kind: ThresholdKind) -> Threshold | None:
    """The first comparison of this kind in a short clause of a policy; None when the number has no comparison
    word (a bare figure is not a threshold)."""
    key = _norm(text)
    unit = _UNIT_OF[kind]
    rng = re.search(rf"({NUMERAL})\s*({unit})?\s*(?:-|~|至|到)\s*({NUMERAL})\s*({unit})", key)
    if rng:
        hi = _value_of(kind, rng.group(3), rng.group(4))
        lo = _value_of(kind, rng.group(1), rng.group(2) or rng.group(4))
        if lo is not None and hi is not None:
            return Threshold("between", (lo, hi), rng.group(0))
    for m in re.finditer(rf"(?<![\d.])({NUMERAL})\s*(?:余|多)?\s*({unit})", key):
        if kind != "money" and re.search(r"[万亿]$", m.group(1)):
            continue
        value = _value_of(kind, m.group(1), m.group(2))
        if value is None:
            continue
        before, after = key[max(0, m.start() - 8):m.start()], key[m.end():m.end() + 6]
        if _LTE_AFTER.search(after):
            op = "lte"
        elif _GTE_AFTER.search(after):
            op = "gte"
        elif _LTE_BEFORE.search(before):
            op = "lte"
        elif _GTE_BEFORE.search(before):  # before LT: 不低于 ends with 低于
            op = "gte"
        elif _LT_BEFORE.search(before):
            op = "lt"
        elif _GT_BEFORE.search(before):
            op = "gt"
        else:
            continue
        if op in ("lt", "gt") and re.match(r"^\s*[(（]含[)）]", after):
            op = "lte" if op == "lt" else "gte"  # 小于5000万元（含）
        return Threshold(op, value, key[max(0, m.start() - 4):m.end() + 3])  # type: ignore[arg-type]
    return None


# -- whether a text states a quantity of a kind -----------------------------------------------------------
# A count is a numeral with a counter of its kind: "新建工作站12家", "两家", "2万人次", "15场"; 个 counts what 家
# counts ("建了多少个" ← "12家"). Money is a numeral with a money unit ("860万元", "最高10万"), not "2万人次".
_STATED_NUMERAL = r"(?:\d[\d.,]*|[零〇一二两兩三四五六七八九十][零〇一二两兩三四五六七八九十百千万萬亿億]*)"
_COUNTERS = {"organisations": "个|個|家|所|座|处|處|支|批|项|項", "people": "人次|人|名|位",
             "events": "场|場|次|期|届|屆|轮|輪|批"}
_STATES = {kind: re.compile(rf"{_STATED_NUMERAL}\s*(?:余|餘|多)?\s*(?:万|萬|亿|億)?\s*(?:{units})")
           for kind, units in _COUNTERS.items()}
_STATES["money"] = re.compile(rf"{_STATED_NUMERAL}\s*(?:余|餘|多)?\s*(?:(?:千万|百万|万|萬|亿|億|千)?\s*[元圓]|"
                              r"(?:万|萬|亿|億)(?![人次户名个個家项項]))")
QUANTITY_KINDS = frozenset(_STATES)


def states(text: str, kind: str) -> bool:
    """Whether ``text`` states a quantity of ``kind`` (organisations, people, events, money). A table row ("升级 |
    30 | 一次性补足") states any with a number: its header gives the unit."""
    return bool(_STATES[kind].search(text)) or ("|" in text and bool(re.search(r"\d", text)))
