"""Supply–demand matching (智能精准匹配): rank experts, achievements, service teams and organizations for a
need posting, each with its reasons (shared field, keywords, region, past cooperation) and a score.
Offline: candidates come from hybrid retrieval restricted to supply-side record types, then a transparent
structured score decides the order."""

from __future__ import annotations

from pydantic import BaseModel

from assistant._text import search_key
from assistant.domain import regions
from assistant.drafting.match_evidence import find_evidence, generic_terms
from assistant.drafting.need import NeedPosting
from assistant.knowledge_base import KnowledgeBase
from assistant.records import RecordBase
from assistant.retrieval import SearchFilters

SUPPLY_TYPES = ["expert", "achievement", "service_team", "organization"]
KIND_LABELS = {"expert": "专家", "achievement": "科技成果", "service_team": "科技服务团", "organization": "组织"}
# Weights chosen on the dev part of eval/golden/matching.jsonl (nDCG@5 and precision@3; held-out part reported
# apart): text relevance dominates; a shared expertise term and the same field break ties; the place, past
# cooperation and an achievement's maturity only order near-equals (matching is national).
WEIGHTS = {"text": 1.0, "dense": 1.0, "terms": 0.3, "evidence": 20.0, "field": 0.1, "region": 0.01, "cooperation": 0.01, "maturity": 0.01}
# 高度相关 needs all three: the fused text score near the best, a dense similarity above what the dev set's
# negative pairs and needs with no good match reach (multilingual-e5-small: relevant median 0.909, negatives 0.889,
# no-match 90th percentile 0.896), and a shared expertise term as evidence.
STRONG_TEXT = 0.9
STRONG_DENSE = 0.90
MIN_TEXT = 0.3  # below half the best fused score a record is not shown, whatever its field
_MATURITY = {"产业化": 1.0, "已产业化": 1.0, "批量生产": 1.0, "中试": 0.6, "小试": 0.3, "样机": 0.3, "实验室": 0.1}


class Match(BaseModel):
    kind: str
    id: str
    name: str
    score: float
    reasons: list[str]
    region: str | None = None
    field: str | None = None
    strong: bool = False  # 高度相关: only above the calibrated score
    expertise: list[str] = []  # what the expert, team or achievement offers
    organization: str | None = None  # affiliation, owner or society
    contact: str = "通过平台“对接”按钮联系（联系方式不公开）"


def _record_terms(r: RecordBase) -> list[str]:
    words = [*getattr(r, "expertise", []), *getattr(r, "services", []), *r.keywords]
    return list(dict.fromkeys(w for w in words if w))


def _offers(r: RecordBase) -> list[str]:
    return list(dict.fromkeys([*getattr(r, "expertise", []), *getattr(r, "services", [])] or r.keywords[:3]))[:4]


def _organization(r: RecordBase) -> str | None:
    return getattr(r, "affiliation", None) or getattr(r, "owner", None) or getattr(r, "society", None) or None


def match_supply(kb: KnowledgeBase, posting: NeedPosting, k: int = 10, kinds: list[str] | None = None) -> list[Match]:
    """Experts, achievements, service teams and organizations that could take the need on, best first, each with
    the evidence: the expertise terms the need mentions, the field, the place. Records whose text is far from the
    need are not shown, whatever their field (a lactobacillus technology is no match for a cold-chain need)."""
    kinds = kinds or SUPPLY_TYPES
    records = {r.id: r for t in kinds for r in kb.records(t)}
    if not records:
        return []
    query = " ".join(x for x in [posting.title, posting.description, posting.goals, " ".join(posting.keywords)] if x)
    hits = kb.search(query or (posting.field or ""), k=60, filters=SearchFilters(types=kinds))
    if not hits:
        return []
    top = max(h.score for h in hits) or 1.0
    orgs = {r.id: r for r in kb.records("organization")}
    same_field_orgs = {oid for oid, o in orgs.items() if posting.field and o.field == posting.field}
    need_text = search_key(query)
    need_terms = [w for w in posting.keywords if len(search_key(w)) >= 2]
    place_words = regions.region_keys(posting.region) if posting.region else set()
    candidates: dict[str, tuple[RecordBase, float, float]] = {}  # id → record, text score relative to the best, dense
    for h in hits:
        r = records.get(h.source)
        if r is not None and r.id not in candidates and h.score / top >= MIN_TEXT:
            candidates[r.id] = (r, h.score / top, h.dense_score or 0.0)
    wanted = " 。".join(x for x in [posting.description, posting.goals] if x) or query
    evidence = find_evidence(kb, wanted, [c[0] for c in candidates.values()], generic_terms(list(records.values())))
    out: list[Match] = []
    for r, text, dense in candidates.values():
        found = evidence.get(r.id)
        paraphrase = found if found is not None and found.stands_out else None
        record_text = search_key(f"{r.name} {r.description}")
        offered = [t for t in _record_terms(r) if len(search_key(t)) >= 2 and search_key(t) in need_text
                   and search_key(t) not in place_words
                   and not (paraphrase and search_key(t) in search_key(paraphrase.offer.text))]
        mentioned = [w for w in need_terms if search_key(w) in record_text and search_key(w) not in place_words
                     and not any(search_key(w) in search_key(t) for t in offered)]
        reasons: list[str] = [paraphrase.reason()] if paraphrase else []
        if offered:
            label = "擅长" if r.type == "expert" else ("服务" if r.type == "service_team" else "涉及")
            reasons.append(f"{label}：" + "、".join(offered[:3]) + "（需求中提到）")
        if mentioned:
            reasons.append("其介绍中提到需求的“" + "”“".join(mentioned[:3]) + "”")
        score = WEIGHTS["text"] * text + WEIGHTS["dense"] * dense \
            + WEIGHTS["terms"] * min(1.0, (len(offered) + len(mentioned) + bool(paraphrase)) / 2) \
            + WEIGHTS["evidence"] * (max(0.0, found.margin) if found else 0.0)
        if posting.field and r.field == posting.field:
            score += WEIGHTS["field"]
            reasons.append(f"同属{posting.field}领域")
        if posting.region and regions.contains(posting.region, r.region):
            score += WEIGHTS["region"]
            reasons.append(f"同在{posting.region}")
        past = [p for p in getattr(r, "past_cooperation", []) if p in same_field_orgs or p == posting.organization]
        if past:
            score += WEIGHTS["cooperation"]
            names = [orgs[p].name if p in orgs else p for p in past[:2]]
            reasons.append("曾与同领域企业合作：" + "、".join(names))
        maturity = getattr(r, "maturity", None)
        if maturity:
            score += WEIGHTS["maturity"] * _MATURITY.get(maturity, 0.0)
            reasons.append(f"成熟度：{maturity}")
        strong = text >= STRONG_TEXT and dense >= STRONG_DENSE and bool(offered or mentioned or paraphrase)
        if strong:
            reasons.insert(0, "高度相关")
        elif not (offered or mentioned or paraphrase):
            reasons.append("内容相近（未找到共同的专业术语，请核对）")
        out.append(Match(kind=r.type, id=r.id, name=r.name, score=round(score, 3), reasons=reasons, region=r.region,
                         field=r.field, strong=strong, expertise=_offers(r), organization=_organization(r)))
    out.sort(key=lambda m: (-m.score, m.id))
    return out[:k]
