"""Enterprise facts people state in words that are not amounts, dates or places: recognitions (2025年首次认定为
高企), awards already enjoyed (今年已拿了入库奖励), statements an applicant confirms (独立法人、没有违法记录、
信用良好), intellectual-property counts and the share of technical staff. Each reader returns only what the
text says; a fact not stated stays unknown (never inferred from another fact).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from assistant.domain import dates, quantities, vocab

_CLAUSE = re.compile(r"[，。；;,!！?？\n]+")
FIRST_WORDS = re.compile(r"首次|第一次|首度|头一次|新认定|初次")
RENEWAL_WORDS = re.compile(r"重新认定|重新评|再次认定|复审|复评|第二次|续期|到期后又|又通过|再认定")
RECOGNIZED = re.compile(r"认定|评上|评为|通过|获评|拿到|获得|入选|成为|入库|评定|拿了|取得")
AWARD = re.compile(r"(?:已经?|已|拿了|领了|领过|拿过|享受过?|获得过?)[^，。；,;]{0,16}?(?:奖励|补助|资助|奖补|补贴)")
IP_LABELS = ("发明专利", "实用新型专利", "实用新型", "外观设计专利", "外观专利", "软件著作权", "软著", "知识产权",
             "专利", "集成电路布图设计", "植物新品种")
TECH_STAFF_LABELS = ("科技人员", "研发人员", "技术人员", "研发团队", "工程技术人员")


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text or "") if c.strip()]


@lru_cache(maxsize=1)
def _statements() -> dict[str, dict]:
    return vocab.section("statements")


def statement_label(key: str) -> str:
    s = _statements().get(key)
    return s["label"] if s else key


def statement_keys() -> list[str]:
    return list(_statements())


def policy_statement(text: str) -> str | None:
    """The statement a policy's requirement asks the applicant to confirm (具有独立法人资格 → independent_legal_person)."""
    for key, spec in _statements().items():
        if any(re.search(p, text) for p in spec.get("policy_patterns", [])):
            return key
    return None


# A clause that asks, supposes, doubts or states a policy's requirement says nothing about the applicant.
_ASKS = re.compile(r"[?？]\s*$|吗\s*$|呢\s*$|是什么|什么意思|怎么理解|什么区别|有啥|有什么要求|要不要|是不是|标准是|会影响|"
                   r"需要[^，。；]{0,8}吗|请问|想问|能不能|能否|可不可以|是否|怎么|如何|有没有|什么|哪些|谁|(\w)不\1")
_SUPPOSES = re.compile(r"如果|要是|假如|假设|万一|的话")
_UNSURE = re.compile(r"不太?清楚|说不好|不确定|不知道|得问|不好说|待确认|还没确定")
_REQUIRES = re.compile(r"(?:企业|单位|申请人|申报主体|主体)[^，。；]{0,4}(?:应当?|须|需|必须)(?!要求)|^\s*(?:应当?|须|必须)")
# a negator right before a match turns it round: 没有被列入失信名单 (a denial of the denial), 没有设研发辅助账
_NEGATORS = r"(?:没有|没|未|不(?!过|但|仅|少|断|错|久)|无(?!论)|非|谈不上|算不上|并非|对不上)"
_NEGATED = re.compile(_NEGATORS + r"[^，。；没未不无]{0,12}$")  # over a denial: 未发生重大…和严重环境违法
_NEGATED_NEAR = re.compile(_NEGATORS + r"[^，。；没未不无\s]{0,3}$")  # over a confirmation: 没有设研发辅助账
# 近三年 / 这三年里 / 三年来: the span of a compliance statement, carried to the clauses after it in the sentence
_THREE_YEARS = re.compile(r"(?:近|最近|过去|这|前)(?:三|3)(?:个)?年|(?:三|3)年(?:内|来|以来|里|中)")
_SENTENCE = re.compile(r"[^。！!\n]+[。！!]?")
_CLAUSE_IN = re.compile(r"[^，,；;？?]+[？?]?")


def _matches(patterns: list[str], clause: str) -> list[re.Match]:
    return [m for p in patterns for m in re.finditer(p, clause)]


def _verdict(spec: dict, clause: str) -> bool | None:
    """What a clause says about one statement: True (confirmed), False (denied) or None (nothing)."""
    neg = _matches(spec.get("negative", []), clause)
    pos = _matches(spec["patterns"], clause)
    for m in neg:
        if not _NEGATED.search(clause[:m.start()]):
            return False
    if neg:  # every denial is itself negated (不是核定征收, 没有被列入失信名单)
        return True
    for m in pos:
        if _NEGATED_NEAR.search(clause[:m.start()]):
            return False
    return True if pos else None


def _score(spec: dict, sentence: str) -> bool | None:
    """A statement decided by a score (创新能力评价 78 分 against 70): the score the sentence gives, if any."""
    score = spec.get("score")
    if not score or not re.search(score["context"], sentence):
        return None
    m = re.search(r"(\d{1,3})\s*分", sentence[re.search(score["context"], sentence).start():])
    return None if m is None else int(m.group(1)) >= score["min"]


def find_statements(text: str) -> dict[str, bool]:
    """Statements the text makes about the applicant: {compliant: True, credit_ok: False, …}. Questions,
    suppositions, doubts and a policy's own wording (企业应…) say nothing; 近三年 reaches the clauses after it."""
    from assistant._text import search_key

    out: dict[str, bool] = {}
    specs = _statements()
    # within a 近三年 sentence a clean record (or an incident) is a three-year one
    three_years = {k: specs["compliant_3y"][k] + specs["compliant"][k] for k in ("patterns", "negative")}

    def put(key: str, got: bool | None) -> None:
        if got is False:
            out[key] = False
        elif got is True:
            out.setdefault(key, True)

    for sentence in _SENTENCE.findall(search_key(text or "")):
        if _REQUIRES.search(sentence):
            continue
        span = False
        for clause in _CLAUSE_IN.findall(sentence):
            span = span or bool(_THREE_YEARS.search(clause))
            if _ASKS.search(clause) or _SUPPOSES.search(clause) or _UNSURE.search(clause):
                continue
            for key, spec in specs.items():
                if key == "compliant_3y":
                    if span:
                        put(key, _verdict(three_years, clause))
                    continue
                if key == "compliant" and span:
                    continue
                put(key, _verdict(spec, clause))
        if not (_ASKS.search(sentence) or _SUPPOSES.search(sentence) or _UNSURE.search(sentence)):
            for key, spec in specs.items():
                if spec.get("score"):
                    if (got := _score(spec, sentence)) is not None:
                        out[key] = got  # a score says more than 达标 / 没达到
    if out.get("compliant_3y") is True:
        out.setdefault("compliant", True)  # three clean years include the last one
    return out


def find_recognitions(text: str, today: date | None = None) -> dict[str, dict]:
    """Recognitions the text states, per qualification: {"高新技术企业": {"year": 2025, "kind": "首次"}}. The kind
    is set only by words that say it (首次 / 重新认定); the year only by a year in the same clause."""
    today = today or date.today()
    out: dict[str, dict] = {}
    previous: list[str] = []
    for clause in clauses(text):
        quals = vocab.find_qualifications(clause)
        if not quals and re.match(r"^\s*(?:(?:19|20)\d{2}年|今年|去年|前年|是|为|系)?\s*(?:首次|第一次|重新|刚|才)", clause):
            quals = previous  # "……高企，2026年首次认定"
        previous = quals
        if not quals or not RECOGNIZED.search(clause) or AWARD.search(clause):
            continue
        kind = "重新认定" if RENEWAL_WORDS.search(clause) else ("首次" if FIRST_WORDS.search(clause) else None)
        year = dates.find_year(clause, today)
        if kind is None and year is None:
            continue
        for q in quals:
            rec = out.setdefault(q, {"year": None, "kind": None})
            rec["year"] = rec["year"] or year
            rec["kind"] = rec["kind"] or kind
    return out


def find_awards(text: str, today: date | None = None) -> list[dict]:
    """Awards the text says were already received: [{"name": "入库奖励", "year": 2026}] (year None: not said)."""
    today = today or date.today()
    out = []
    for clause in clauses(text):
        if re.search(r"(?:没有|没|未|还没|尚未)(?:有)?(?:拿|领|享受|获得)", clause):
            continue
        m = AWARD.search(clause)
        if m:
            out.append({"name": m.group(0), "year": dates.find_year(clause, today)})
    return out


def find_ip_count(text: str) -> int | None:
    """The number of intellectual-property items stated (发明专利3项、实用新型12项 → 15)."""
    total, seen = 0, False
    for clause in clauses(text):
        counts = quantities.find_labelled_counts(clause, IP_LABELS, units="项|件|个|篇")
        if counts:
            total += sum(counts)
            seen = True
    return total if seen else None


def find_tech_staff(text: str) -> tuple[int | None, float | None]:
    """(number of technical staff, their share of all staff in %) as stated (科技人员30人 / 研发人员占比15%)."""
    pct = quantities.find_percent(text, TECH_STAFF_LABELS)
    counts = quantities.find_labelled_counts(text, TECH_STAFF_LABELS, units="人|名|位|个")
    return (counts[0] if counts else None), pct


def find_high_tech_income_ratio(text: str) -> float | None:
    return quantities.find_percent(text, ("高新技术产品收入", "高新技术产品（服务）收入", "高新收入", "高新产品收入",
                                          "高新技术产品(服务)收入"))
