"""Supply–demand matching (智能精准匹配): rank experts, achievements, service teams and organizations for a
need posting, each with its reasons (shared field, keywords, region, past cooperation) and a score.
Offline: candidates come from hybrid retrieval restricted to supply-side record types, then a transparent
structured score decides the order."""

from __future__ import annotations

from pydantic import BaseModel

from assistant._text import search_key
from assistant.domain import regions
from assistant.drafting.need import NeedPosting
from assistant.knowledge_base import KnowledgeBase
from assistant.records import RecordBase
from assistant.retrieval import SearchFilters

SUPPLY_TYPES = ["expert", "achievement", "service_team", "organization"]
KIND_LABELS = {"expert": "专家", "achievement": "科技成果", "service_team": "科技服务团", "organization": "组织"}
WEIGHTS = {"field": 0.25, "keywords": 0.25, "region": 0.15, "cooperation": 0.1, "text": 0.25}


class Match(BaseModel):
    kind: str
    id: str
    name: str
    score: float
    reasons: list[str]
    region: str | None = None
    field: str | None = None
    strong: bool = False  # 高度相关: only above the calibrated score


def _record_terms(r: RecordBase) -> set[str]:
    words = [*r.keywords, *getattr(r, "expertise", []), *getattr(r, "services", [])]
    return {search_key(w) for w in words if w}


def match_supply(kb: KnowledgeBase, posting: NeedPosting, k: int = 10, kinds: list[str] | None = None) -> list[Match]:
    kinds = kinds or SUPPLY_TYPES
    records = {r.id: r for t in kinds for r in kb.records(t)}
    if not records:
        return []
    query = " ".join(x for x in [posting.title, posting.description, " ".join(posting.keywords)] if x)
    hits = kb.search(query or (posting.field or ""), k=60, filters=SearchFilters(types=kinds))
    rank = {h.source: i for i, h in enumerate(hits)}
    orgs = {r.id: r for r in kb.records("organization")}
    same_field_orgs = {oid for oid, o in orgs.items() if posting.field and o.field == posting.field}
    need_terms = {search_key(w) for w in posting.keywords}
    need_text = search_key(query)
    place_words = regions.region_keys(posting.region) if posting.region else set()
    candidates = set(rank) | {rid for rid, r in records.items() if posting.field and r.field == posting.field}
    out: list[Match] = []
    for rid in candidates:
        r = records.get(rid)
        if r is None:
            continue
        reasons: list[str] = []
        score = 0.0
        if posting.field and r.field == posting.field:
            score += WEIGHTS["field"]
            reasons.append(f"同属{posting.field}领域")
        # Shared keywords: the record's terms found in the need's text, or the need's keywords in the record's.
        record_text = search_key(f"{r.name} {r.description}")
        shared = sorted(({t for t in _record_terms(r) if len(t) >= 2 and t in need_text}
                         | {t for t in need_terms if len(t) >= 2 and t in record_text}) - place_words)
        if shared:
            score += WEIGHTS["keywords"] * min(1.0, len(shared) / 3)
            reasons.append("关键词重合：" + "、".join(shared[:4]))
        if posting.region and regions.contains(posting.region, r.region):
            score += WEIGHTS["region"]
            reasons.append(f"同在{posting.region}")
        past = [p for p in getattr(r, "past_cooperation", []) if p in same_field_orgs or p == posting.organization]
        if past:
            score += WEIGHTS["cooperation"]
            names = [orgs[p].name if p in orgs else p for p in past[:2]]
            reasons.append("曾与同领域企业合作：" + "、".join(names))
        if rid in rank:
            score += WEIGHTS["text"] * (1 - rank[rid] / len(hits))
            if rank[rid] < 10:
                reasons.append("需求描述与其介绍高度相关")
        if not reasons:
            continue
        out.append(Match(kind=r.type, id=rid, name=r.name, score=round(score, 3), reasons=reasons,
                         region=r.region, field=r.field))
    out.sort(key=lambda m: (-m.score, m.id))
    return out[:k]
