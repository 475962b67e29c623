"""Dates, deadlines and report periods as people write them, resolved against a given ``today``.

- Absolute: 2025年6月30日, 2025-06-30, 2025/6/30, 2025.6.30, 二〇二五年六月三十日, 2025年6月底, 2025年底,
  2026年第三季度 / 2026Q3 (→ its last day), 2026年上半年, 2026年内.
- "M月前/之前/以前" means before that month starts (→ last day of the month before); "M月底前" → that
  month's last day; "6月30日前" → that day.
- Relative: 今年年底/年底前/年内, 明年, 明年6月底, 明年上半年, 后年, 下个月, 本月底, 三个月内, 半年内, 一年内,
  两周内, 30天内. A month without a year is this year's unless already past, then next year's.
- Periods for reports: 2023, 2023年度, 2023H1, 2023上半年, 2023Q3, 2023年第三季度, 2022-2023, 2023年1-6月,
  2023年3月, 2023-01..2023-06, 去年, 今年上半年, 近三年. ``report_period`` refuses a period that has not
  started and marks one in progress.
- ``is_past`` flags a deadline before today; features must say so, never accept it silently.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from assistant._text import search_key
from assistant.errors import AssistantError


class PeriodError(AssistantError):
    """A period that cannot be read, or that a report cannot cover (not started yet)."""


def _num(s: str) -> int | None:
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if re.fullmatch(r"[零〇一二三四五六七八九]{4}", s):  # 二〇二五: digit by digit
        return int("".join(_digit(c) for c in s))
    import cn2an

    try:
        return int(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def _digit(c: str) -> str:
    return "0" if c in "零〇○" else str("一二三四五六七八九".index(c) + 1)


def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _key(text: str) -> str:
    k = search_key(text or "")
    k = k.translate(str.maketrans({"．": ".", "／": "/", "－": "-", "—": "-", "–": "-", "～": "~", "〜": "~"}))
    return k.replace("号", "日")


@dataclass(frozen=True)
class DateValue:
    value: date
    text: str
    note: str = ""

    def isoformat(self) -> str:
        return self.value.isoformat()


_Y = r"((?:19|20)\d{2}|[零〇一二三四五六七八九]{4})"
_M = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_D = r"(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_NUM_RE = r"(\d+|[一二两三四五六七八九十半]+)"


def _year_of(month: int, day: int, today: date) -> int:
    try:
        return today.year if date(today.year, month, day) >= today else today.year + 1
    except ValueError:
        return today.year + 1


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _patterns(today: date):
    """(regex, builder) pairs, most specific first; a builder returns a date or None."""
    y0 = today.year

    def rel_year(word: str) -> int:
        return {"今年": y0, "本年": y0, "明年": y0 + 1, "后年": y0 + 2, "去年": y0 - 1}[word]

    def quarter_end(y: int, q: int) -> date | None:
        return month_end(y, q * 3) if 1 <= q <= 4 else None

    def within(n_text: str, unit: str) -> date | None:
        n = 0.5 if n_text == "半" else _num(n_text.replace("两", "二"))
        if n is None:
            return None
        if unit in ("个月", "月"):
            return add_months(today, int(n)) if n == int(n) else add_months(today, int(n * 12) // 12)
        if unit == "年":
            return add_months(today, int(n * 12))
        if unit in ("周", "个星期", "星期", "个礼拜", "礼拜"):
            return today + timedelta(days=7 * int(n))
        return today + timedelta(days=int(n))

    ry = r"(今年|本年|明年|后年|去年)"
    return [
        # full dates
        (rf"{_Y}\s*[年\-/.]\s*{_M}\s*[月\-/.]\s*{_D}\s*日?", lambda m: _safe(_num(m[1]), _num(m[2]), _num(m[3]))),
        (rf"{ry}\s*{_M}\s*月\s*{_D}\s*日", lambda m: _safe(rel_year(m[1]), _num(m[2]), _num(m[3]))),
        # month ends and "before month M"
        (rf"{_Y}\s*年\s*{_M}\s*月\s*(?:份)?\s*(?:底|末)", lambda m: _me(_num(m[1]), _num(m[2]))),
        (rf"{_Y}\s*年\s*{_M}\s*月\s*(?:份)?\s*(?:之前|以前|前)", lambda m: _before_month(_num(m[1]), _num(m[2]))),
        (rf"{ry}\s*{_M}\s*月\s*(?:份)?\s*(?:底|末)", lambda m: _me(rel_year(m[1]), _num(m[2]))),
        (rf"{ry}\s*{_M}\s*月\s*(?:份)?\s*(?:之前|以前|前)", lambda m: _before_month(rel_year(m[1]), _num(m[2]))),
        # quarters and halves
        (rf"{_Y}\s*年?\s*(?:第\s*([1-4一二三四])\s*季度|q([1-4])|([1-4一二三四])\s*季度)",
         lambda m: quarter_end(_num(m[1]), _num(m[2] or m[3] or m[4]))),
        (rf"{ry}\s*(?:第\s*([1-4一二三四])\s*季度|q([1-4])|([1-4一二三四])\s*季度)",
         lambda m: quarter_end(rel_year(m[1]), _num(m[2] or m[3] or m[4]))),
        (rf"{_Y}\s*年?\s*(上半年|h1|下半年|h2)", lambda m: _half(_num(m[1]), m[2])),
        (rf"{ry}\s*(上半年|下半年)", lambda m: _half(rel_year(m[1]), m[2])),
        (rf"{ry}\s*年中", lambda m: _safe(rel_year(m[1]), 6, 30)),
        (rf"{_Y}\s*年\s*年中", lambda m: _safe(_num(m[1]), 6, 30)),
        # the next 国庆 / 春节 / 元旦 (holidays people set deadlines by)
        (r"(?:国庆节?|十一)\s*(?:之前|以前|前)", lambda m: _next_holiday("国庆", today) - timedelta(days=1)),
        (r"(?:春节|过年)\s*(?:之前|以前|前)", lambda m: _next_holiday("春节", today) - timedelta(days=1)),
        (r"元旦\s*(?:之前|以前|前)", lambda m: _next_holiday("元旦", today) - timedelta(days=1)),
        # 上半年 / 下半年 without a year: the one not yet over by more than half (said in November: next year's)
        (r"(?<![今明后去本\d年])(?:上半年|下半年)", lambda m: _half(y0 if today.month <= 6 else y0 + 1, m[0])),
        (rf"{_Y}\s*年\s*(?:年底|底|末|年末|内|之内|以内)", lambda m: _safe(_num(m[1]), 12, 31)),
        (rf"{_Y}\s*年\s*(?:之前|以前|前)", lambda m: _safe(_num(m[1]) - 1, 12, 31)),  # 2028年前: before 2028
        (rf"{_Y}\s*年\s*{_M}\s*月(?![\d一二三四五六七八九十])", lambda m: _me(_num(m[1]), _num(m[2]))),
        (r"(明年|后年)\s*(?:年底|底|末|年末|内)?\s*(?:之前|以前|前)?", lambda m: date(rel_year(m[1]), 12, 31)),
        (rf"{_NUM_RE}\s*(个月|年|周|个星期|星期|个礼拜|礼拜|天|日)\s*(?:之内|以内|内)", lambda m: within(m[1], m[2])),
        (r"半年\s*(?:之内|以内|内)", lambda m: add_months(today, 6)),
        # month-day or month without a year: this year's unless already past
        (rf"(?<![\d年]){_M}\s*月\s*{_D}\s*日", lambda m: _safe(_year_of(_num(m[1]), _num(m[2]), today), _num(m[1]),
                                                             _num(m[2]))),
        (rf"(?<![\d年]){_M}\s*月\s*(?:份)?\s*(?:底|末)", lambda m: _month_end_no_year(_num(m[1]), today)),
        (rf"(?<![\d年]){_M}\s*月\s*(?:份)?\s*(?:之前|以前|前)",
         lambda m: _before_month_no_year(_num(m[1]), today)),
        (r"(今年|本年)\s*(?:年底|底|末|年末|内|之内|以内)|年底前|年底|年末|年内", lambda m: date(y0, 12, 31)),
        (r"(?:下个月|下月)\s*(?:底|末)?", lambda m: month_end(*_ym(add_months(today.replace(day=1), 1)))),
        (r"(?:本月|这个月|月底前|月底)\s*(?:底|末)?", lambda m: month_end(today.year, today.month)),
    ]


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def _me(y: int | None, m: int | None) -> date | None:
    return month_end(y, m) if y and m and 1 <= m <= 12 else None


def _before_month(y: int | None, m: int | None) -> date | None:
    if not y or not m or not 1 <= m <= 12:
        return None
    return date(y, m, 1) - timedelta(days=1)


def _month_end_no_year(m: int | None, today: date) -> date | None:
    if not m or not 1 <= m <= 12:
        return None
    d = month_end(today.year, m)
    return d if d >= today else month_end(today.year + 1, m)


def _before_month_no_year(m: int | None, today: date) -> date | None:
    if not m or not 1 <= m <= 12:
        return None
    d = _before_month(today.year, m)
    return d if d and d >= today else _before_month(today.year + 1, m)


# 春节 (Spring Festival) by year: the lunar calendar is not computed here.
_SPRING_FESTIVAL = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
                    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
                    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8)}


def _next_holiday(name: str, today: date) -> date:
    for y in (today.year, today.year + 1):
        d = {"国庆": date(y, 10, 1), "元旦": date(y, 1, 1)}.get(name) or _SPRING_FESTIVAL.get(y)
        if d is None:
            raise ValueError(f"no {name} date for {y}")
        if d > today:
            return d
    raise ValueError(name)


def _half(y: int | None, which: str) -> date | None:
    if not y:
        return None
    return date(y, 6, 30) if which in ("上半年", "h1") else date(y, 12, 31)


def find_dates(text: str, today: date | None = None) -> list[DateValue]:
    """Every date expression in ``text``, in reading order, resolved to one calendar date each."""
    return [v for _, _, v in _date_spans(text, today)]


# A span measured of something is a target, not a deadline: "发酵周期15天内", "贮藏期延长到8个月以上".
_MEASURED_BEFORE = re.compile(r"(?:周期|(?<!截止)(?<!截至)(?<!完成)(?<!交付)时间|时长|寿命|工期|期限内|贮藏期|储藏期|保质期|保鲜期|货架期|有效期|延长|缩短|控制|保持|循环|"
                              r"响应|处理|发酵|运行|连续|稳定|间隔|维持|使用|存放|放置|回本|回收期)\s*(?:到|至|在|为|了)?\s*$")
_YEAR_ONLY = re.compile(r"^(?:明年|后年|今年|本年|(?:19|20)\d{2}\s*年)\s*(?:年底|底|末|年末|内|之内|以内)?\s*(?:之前|以前|前)?$")


def find_deadline(text: str, today: date | None = None) -> DateValue | None:
    """The date something must be done by, in free text: the most specific one given ("明年棉花收购季之前吧，9月底"
    → 2027-09-30, not the end of 明年); a span measured of something else ("发酵周期15天内") is not a deadline."""
    key = _key(text)
    spans = [(s, v) for s, _, v in _date_spans(text, today) if not _MEASURED_BEFORE.search(key[max(0, s - 8):s])]
    if not spans:
        return None
    specific = [v for _, v in spans if not _YEAR_ONLY.match(v.text)]
    return specific[0] if specific else spans[0][1]


def _date_spans(text: str, today: date | None = None) -> list[tuple[int, int, DateValue]]:
    today = today or date.today()
    key = _key(text)
    # Phone numbers, postcodes and codes are not dates.
    key = re.sub(r"\d{7,}|[a-z]+-\d{4}-\d+", lambda m: " " * len(m.group(0)), key)
    found: list[tuple[int, int, DateValue]] = []
    taken = [False] * len(key)
    for pattern, build in _patterns(today):
        for m in re.finditer(pattern, key):
            if any(taken[m.start():m.end()]):
                continue
            try:
                d = build(m)
            except (ValueError, TypeError):
                d = None
            if d is None:
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.append((m.start(), m.end(), DateValue(d, m.group(0).strip(), f"{m.group(0).strip()} = {d.isoformat()}")))
    return sorted(found, key=lambda x: x[0])


def find_date(text: str, today: date | None = None) -> DateValue | None:
    """The first date expression in free text, or None (尽快、不限、长期有效 are not dates)."""
    found = find_dates(text, today)
    return found[0] if found else None


def parse_date(text: str, today: date | None = None) -> DateValue | None:
    """A date typed alone (a form field); the same rules as ``find_date``."""
    return find_date(text, today)


def is_past(d: date | DateValue | str, today: date | None = None) -> bool:
    today = today or date.today()
    if isinstance(d, str):
        v = find_date(d, today)
        if v is None:
            raise ValueError(f"不是日期：{d!r}")
        d = v
    value = d.value if isinstance(d, DateValue) else d
    return value < today


def deadline_warning(d: date | None, today: date | None = None) -> str | None:
    """The message a feature shows for a deadline that has already passed."""
    today = today or date.today()
    if d is not None and d < today:
        return f"截止日期 {d.isoformat()} 已经过去（今天是 {today.isoformat()}），请确认或修改。"
    return None


# -- periods --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str
    ongoing: bool = False

    def contains(self, d: date | str | None) -> bool:
        if not d:
            return False
        d = date.fromisoformat(d) if isinstance(d, str) else d
        return self.start <= d <= self.end


def _year(s: str) -> int:
    return _num(s) or 0


def parse_period(text: str, today: date | None = None) -> Period:
    """A report period; raises PeriodError with the accepted forms when it cannot be read."""
    today = today or date.today()
    t = _key(text).replace(" ", "").strip()
    t = re.sub(r"年度$", "年", t)
    y0 = today.year
    rel = {"今年": y0, "本年": y0, "去年": y0 - 1, "上年": y0 - 1, "前年": y0 - 2}
    for word, y in rel.items():
        if t.startswith(word):
            t = f"{y}年" + t[len(word):]
            break
    if t in ("上半年", "下半年"):
        t = f"{y0}年{t}"
    m = re.fullmatch(r"(?:近|最近|过去)([一二两三四五六七八九十\d]+)年", t)
    if m:
        n = _num(m.group(1).replace("两", "二")) or 0
        if n <= 0:
            raise PeriodError(f"无法识别的时间段 {text!r}。")
        return Period(date(y0 - n, 1, 1), date(y0 - 1, 12, 31), f"{y0 - n}—{y0 - 1}年")
    Y = r"((?:19|20)\d{2}|[零〇一二三四五六七八九]{4})"
    m = re.fullmatch(rf"{Y}年?", t)
    if m:
        y = _year(m.group(1))
        return Period(date(y, 1, 1), date(y, 12, 31), f"{y}年")
    m = re.fullmatch(rf"{Y}年?(h1|上半年|h2|下半年)", t)
    if m:
        y, first = _year(m.group(1)), m.group(2) in ("h1", "上半年")
        return Period(date(y, 1 if first else 7, 1), date(y, 6, 30) if first else date(y, 12, 31),
                      f"{y}年{'上' if first else '下'}半年")
    m = re.fullmatch(rf"{Y}年?(?:q([1-4])|第?([1-4一二三四])季度?)", t)
    if m:
        y, q = _year(m.group(1)), _num(m.group(2) or m.group(3))
        if not q or not 1 <= q <= 4:
            raise PeriodError(f"无法识别的季度 {text!r}：季度应为 1–4。")
        return Period(date(y, q * 3 - 2, 1), month_end(y, q * 3), f"{y}年第{q}季度")
    m = re.fullmatch(rf"{Y}年(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月?(?:-|~|至|到)(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月", t)
    if m:
        y, m1, m2 = _year(m.group(1)), _num(m.group(2)), _num(m.group(3))
        if not (m1 and m2 and 1 <= m1 <= m2 <= 12):
            raise PeriodError(f"无法识别的时间段 {text!r}：月份应为 1–12，且起始不晚于结束。")
        return Period(date(y, m1, 1), month_end(y, m2), f"{y}年{m1}月至{m2}月")
    m = re.fullmatch(rf"{Y}年(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月", t) or re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m:
        y, mo = _year(m.group(1)), _num(m.group(2))
        if not mo or not 1 <= mo <= 12:
            raise PeriodError(f"无法识别的月份 {text!r}：月份应为 1–12。")
        return Period(date(y, mo, 1), month_end(y, mo), f"{y}年{mo}月")
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:\.\.|至|~|-|到)(\d{4})[-/.](\d{1,2})", t)
    if m:
        y1, m1, y2, m2 = map(int, m.groups())
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y1, m1) > (y2, m2):
            raise PeriodError(f"无法识别的时间段 {text!r}：起始应不晚于结束。")
        return Period(date(y1, m1, 1), month_end(y2, m2), f"{y1}年{m1}月至{y2}年{m2}月")
    m = re.fullmatch(rf"{Y}年?(?:-|~|至|到){Y}年?", t)
    if m:
        y1, y2 = _year(m.group(1)), _year(m.group(2))
        if y1 > y2:
            raise PeriodError(f"时间段 {text!r} 的起始年份晚于结束年份。")
        return Period(date(y1, 1, 1), date(y2, 12, 31), f"{y1}—{y2}年" if y1 != y2 else f"{y1}年")
    raise PeriodError(f"无法识别的时间段 {text!r}：可写 2023、2023年上半年、2023Q3、2023年1-6月、2022-2023、去年、近三年。")


def report_period(text: str, today: date | None = None) -> Period:
    """A period a report can cover: not in the future; one in progress is marked ``ongoing``."""
    today = today or date.today()
    p = parse_period(text, today)
    if p.start > today:
        raise PeriodError(f"报告期 {p.label} 尚未开始（今天是 {today.isoformat()}），无法统计。请选择已经开始的时间段。")
    if p.end >= today:
        return Period(p.start, p.end, p.label, ongoing=True)
    return p


_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


# 二〇二三年 / 二零二四年度: a year written digit by digit in Chinese numerals
_CN_YEAR_RE = re.compile(r"(?<![零〇○一二三四五六七八九十])([一二][零〇○一二三四五六七八九]{3})(?=年)")
# "24年" / "23年度" for 2024 / 2023, as people write a recent year; not a duration ("近20年来", "满15年",
# "超过10年", "25年以内", "30多年"), an ordinal ("第25年") or a count ("共…")
_SHORT_YEAR_RE = re.compile(
    r"(?<![\d.\-~/第近满超过过去共历时长达约计期限为])(1[5-9]|2\d|3[0-9])(?=年(?!以[上内下]|内|来|间|期|多|左右|后|前|之内|的时间))")


def normalize_years(text: str) -> str:
    """The text with its years in four digits, as documents write them: "二〇二三年海州" → "2023年海州",
    "24年贴息" → "2024年贴息" (only where ``years_in`` reads a year; durations stay as written). For the
    question side of matching; never for text shown to a person."""
    text = _CN_YEAR_RE.sub(lambda m: "".join(_digit(c) for c in m.group(1)), text)
    return _SHORT_YEAR_RE.sub(lambda m: "20" + m.group(1), text)


def years_in(text: str) -> list[str]:
    """The years a text names, in order, once each (a question that pins a year): ``2024年``, ``二〇二三年``,
    and a two-digit ``24年`` / ``23年度`` read as 20xx when it names a year rather than a duration."""
    key = normalize_years(_key(text))
    # "投入2024万元" is an amount, not a year
    return list(dict.fromkeys(m.group(1) for m in _YEAR_RE.finditer(key)
                              if not re.match(r"\s*[万亿元个人项家名台件次%％.]", key[m.end():])))


def find_year(text: str, today: date | None = None) -> int | None:
    """The one year a short clause names: ``2025年``, ``今年``, ``去年``, ``前年`` (``25年`` is not read)."""
    today = today or date.today()
    key = _key(text)
    m = _YEAR_RE.search(key)
    if m:
        y = int(m.group(0)[:4]) if m.group(0)[:4].isdigit() else None
        return y if y and 1900 <= y <= today.year + 1 else None
    m = re.search(r"今年|本年|去年|上一?年|前年|明年|下一?年|后年", key)
    if m:
        return today.year - {"今年": 0, "本年": 0, "去年": 1, "上年": 1, "上一年": 1, "前年": 2, "明年": -1, "下年": -1,
                             "下一年": -1, "后年": -2}[m.group(0)]
    return None


def find_event_year(text: str, verbs: tuple[str, ...], today: date | None = None) -> int | None:
    """The year an event happened (成立、注册 …): ``2015年成立``, ``成立于2018年``, ``成立5年`` / ``成立了五年多``
    (counted back from today)."""
    today = today or date.today()
    key = _key(text)
    v = "|".join(re.escape(x) for x in verbs)
    m = re.search(rf"{_Y}\s*年\s*(?:\d{{1,2}}\s*月\s*)?(?:{v})", key) or \
        re.search(rf"(?:{v})\s*(?:于|时间为|时间是|时间|:|：)?\s*{_Y}\s*年?", key)
    if m:
        y = _num(m.group(1))
        return y if y and 1900 <= y <= today.year + 1 else None
    m = re.search(rf"(今年|去年|前年)\s*(?:才|刚|刚刚)?\s*(?:{v})", key)
    if m:
        return today.year - {"今年": 0, "去年": 1, "前年": 2}[m.group(1)]
    m = re.search(rf"(?:{v})\s*(?:了|已|已经|已有|有)?\s*(\d{{1,3}}|[一二两三四五六七八九十]+)\s*(?:多|余)?\s*(?:个)?\s*年", key)
    if m:
        n = _num(m.group(1).replace("两", "二"))
        return today.year - n if n is not None and n < 200 else None
    return None


_PERIOD_IN_TEXT = re.compile(
    r"(?:近|最近|过去)[一二两三四五六七八九十\d]+年|(?:今年|去年|前年|本年)(?:上半年|下半年|第?[1-4一二三四]季度)?|"
    r"(?:19|20)\d{2}\s*年?\s*(?:(?:-|~|至|到)\s*(?:19|20)\d{2}\s*年?|\d{1,2}\s*(?:-|至|到)\s*\d{1,2}\s*月|"
    r"\d{1,2}\s*月|上半年|下半年|h[12]|q[1-4]|第?[1-4一二三四]季度|年度)?")


def find_period(text: str, today: date | None = None) -> Period | None:
    """The report period named inside a sentence (起草巴州2023年上半年的工作总结 → 2023年上半年)."""
    today = today or date.today()
    for m in _PERIOD_IN_TEXT.finditer(_key(text)):
        try:
            return parse_period(m.group(0), today)
        except PeriodError:
            continue
    return None


_ABSOLUTE = [
    re.compile(rf"{_Y}\s*年\s*{_M}\s*月\s*{_D}\s*日"),
    re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
]


def find_absolute_date(text: str) -> date | None:
    """The first date written in full (year, month, day) — a document's publication date, a record's date
    field; never resolved against today."""
    key = _key(text or "")
    found = []
    for r in _ABSOLUTE:
        for m in r.finditer(key):
            d = _safe(_num(m.group(1)) or 0, _num(m.group(2)) or 0, _num(m.group(3)) or 0)
            if d is not None:
                found.append((m.start(), d))
    return min(found)[1] if found else None


# -- dates in running text, as a sentence or a web page writes them --------------------------------------
# a date or year a sentence names ("12月底前", "2024年度", "2025-03-31"): not an amount or a count
_DATED_RE = re.compile(r"(?:\d{4}\s*年)?\d{1,2}\s*月(?:\d{1,2}\s*[日号])?(?:底|初|中旬|上旬|下旬)?|\d{4}\s*年度?|"
                       r"\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?")

# a web page's dateline: "2022-04-08 14:43:53  來源:光明網"
_DATELINE_RE = re.compile(r"^\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*"
                          r"(?:(?:来源|來源|作者|编辑|編輯|发布|發布)\s*[:：].*)?$")


def without_dates(text: str) -> str:
    """The text with the dates and years it names taken out ("12月底前报送" → "前报送"), for a reader that looks for an
    amount or a count in what is left."""
    return _DATED_RE.sub("", text)


def is_dateline(text: str) -> bool:
    """A web page's dateline line: a date, perhaps a time and its 来源/作者/编辑, nothing else."""
    return bool(_DATELINE_RE.search(text))
