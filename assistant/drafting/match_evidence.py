"""The evidence of a match at the level of meaning: which thing a record offers answers which clause of a need.

A need says what is wrong in its own words ("注水井压力一直涨、地层老堵"); a record names what it offers in a
profession's words (擅长 "油田水处理", 可解决 "…回注水质…"). Shared words find few of these pairs. Here every
clause of the need (its background clauses — "我们是库尔勒一家石化企业" — only when nothing else is left) is
compared by the embedding model with every item a candidate record offers: expertise, services, the
achievement's name, its keywords except the ones most records share, and the clauses of its description with
their boilerplate removed. A pair counts as evidence when its similarity stands out from how similar that clause
is to the offers of all candidates (the model's similarities are compressed: every Chinese phrase pair scores
0.85–0.95), by at least ``EVIDENCE_MARGIN``, calibrated on the dev part of ``eval/golden/matching.jsonl`` and
checked on ``tests/tables/match_evidence.jsonl``.

Needs a model that reads meaning: with the test suite's hashing embeddings nothing is returned, and matching
keeps to its shared-word evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant._text import search_key
from assistant.domain import vocab
from assistant.knowledge_base import KnowledgeBase
from assistant.records import RecordBase

# The margin above the clause's mean similarity to all candidates' offers. On the dev needs of the matching set
# (multilingual-e5-small), the best pair of a clearly relevant record reaches 0.045 in 89 % of cases and the best
# pair of a record marked irrelevant (same field or place, another problem) in 14 %; at 0.05, 74 % and 8 %, but
# fewer dev pairs of match_evidence.jsonl got a reason (5 instead of 7 of 29) and no fewer negatives. Also
# counting a pair that is the nearest offer to its clause from 0.03 up added negatives (19 %) and no positives.
EVIDENCE_MARGIN = 0.045
GENERIC_SHARE = 0.03  # a keyword at least this many of the records carry ("节能减排") is not evidence
MIN_CLAUSE = 4
SHOWN_CLAUSE = 24  # a longer clause is cut with "…" in the reason

_SPLIT = re.compile(r"[，。；！？,;!?\n]+")
_ASKS = re.compile(r"想|要|希望|需|找|求|能否|能不能|怎么|如何|帮|解决|提高|降|缩短|减少|改善|优化|实现|做到|达到|控制")
_WHO = re.compile(r"^(我们|我司|本公司|公司|我单位|本单位|我厂)|(公司|企业|企|厂|合作社|电站|风电场|基地|医院|学校|园区|经销商|单位)$"
                  r"|一家.{0,12}的$|^(是)?(做|搞|生产|从事).{1,12}的$")
# what a record's description says of itself rather than of what it offers
_BOILERPLATE = re.compile(r"可提供.{0,8}(咨询|服务)|成立于|现有研发人员|授权发明专利|已累计服务|^团长|成员\d+人|^由.+组建"
                          r"|(教授|研究员|工程师|讲师|博士)$")
# description phrases that name the offer, and the label the reason gives it
_NAMED = [
    (re.compile(r"长期从事(.+?)(?:研究|工作)$"), "擅长"),
    (re.compile(r"主持研发“(.+?)”"), "主持研发"),
    (re.compile(r"可解决“(.+?)”等?问题"), "可解决"),
    (re.compile(r"主营(.+?)(?:相关)?产品与服务"), "主营"),
    (re.compile(r"围绕(.+?)开展研发"), "研发方向"),
    (re.compile(r"重点服务(.+?)方向"), "服务方向"),
]
_TERM_LABEL = {"expert": "擅长", "service_team": "服务", "achievement": "涉及", "organization": "业务"}


@dataclass(frozen=True)
class Offer:
    label: str  # 擅长 / 服务 / 成果 / 可解决 / 介绍 …
    text: str


@dataclass(frozen=True)
class Evidence:
    offer: Offer
    clause: str
    margin: float

    @property
    def stands_out(self) -> bool:
        return self.margin >= EVIDENCE_MARGIN

    def reason(self) -> str:
        clause = self.clause if len(self.clause) <= SHOWN_CLAUSE else self.clause[:SHOWN_CLAUSE - 1] + "…"
        return f"{self.offer.label}：{self.offer.text}（与需求“{clause}”相关）"


def need_clauses(text: str) -> list[str]:
    """The clauses of a need that say what is wanted or wrong; its background clauses only if there is no other."""
    parts = [c.strip() for c in _SPLIT.split(text or "") if len(c.strip()) >= MIN_CLAUSE]
    own = [c for c in parts if _ASKS.search(c) or not _WHO.search(c)]
    return list(dict.fromkeys(own or parts))


def generic_terms(records: list[RecordBase]) -> set[str]:
    """Keywords too common among the records to tell one from another, the field names and platform labels."""
    counts = Counter(w for r in records for w in set(r.keywords))
    floor = max(5, GENERIC_SHARE * len(records))
    return {w for w, n in counts.items() if n >= floor} | set(vocab.fields()) | {"科创中国", "科技服务团"}


def offers(r: RecordBase, generic: set[str] = frozenset()) -> list[Offer]:
    """What a record offers, each with the label its reason shows."""
    out: list[Offer] = []
    out += [Offer("擅长", w) for w in getattr(r, "expertise", [])]
    out += [Offer("服务", w) for w in getattr(r, "services", [])]
    if r.type == "achievement":
        out.append(Offer("成果", r.name))
    out += [Offer(_TERM_LABEL.get(r.type, "涉及"), w) for w in r.keywords if w not in generic]
    for clause in _SPLIT.split(r.description or ""):
        clause = clause.strip()
        if len(clause) < MIN_CLAUSE or _BOILERPLATE.search(clause) or (r.type == "expert" and r.name in clause):
            continue
        named = next(((label, m.group(1)) for rx, label in _NAMED if (m := rx.search(clause))), None)
        out.append(Offer(*named) if named else Offer("介绍", clause))
    seen: set[str] = set()
    unique = []
    for o in out:
        key = search_key(o.text)
        if len(key) >= 2 and key not in seen:
            seen.add(key)
            unique.append(o)
    return unique


def find_evidence(kb: KnowledgeBase, need_text: str, records: list[RecordBase],
                  generic: set[str] = frozenset()) -> dict[str, Evidence]:
    """For each record, its best (offer, need clause) pair by margin; it is evidence when it ``stands_out``."""
    if kb.settings.embedding.provider == "fake" or not records:
        return {}
    clauses = need_clauses(need_text)
    table = [(r.id, o) for r in records for o in offers(r, generic)]
    if not clauses or not table:
        return {}
    sims = kb.similarities(clauses, [o.text for _, o in table])
    base = [sum(row) / len(row) for row in sims]  # how similar each clause is to everything offered
    best: dict[str, Evidence] = {}
    for j, (rid, offer) in enumerate(table):
        for i, clause in enumerate(clauses):
            margin = sims[i][j] - base[i]
            if rid not in best or margin > best[rid].margin:
                best[rid] = Evidence(offer, clause, round(margin, 4))
    return best
