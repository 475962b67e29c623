"""The 所属领域 of a need, inferred from its description.

The keyword reading (``vocab.classify_field``) knows only the words in its lists and is misled by words inside
other words (生物 in 生物质锅炉, 航空 in 航空插头). With a real embedding model two more readings are made,
independently: the field whose description is nearest to the text, and the fields of the three platform records
(needs, experts, achievements) nearest to it. When those two agree, their field is taken; otherwise the keyword
reading stands (or none, and the user is asked). Measured on ``tests/tables/need_fields.jsonl`` by
``kechuang eval fields``.
"""

from __future__ import annotations

from collections import Counter

from assistant._text import search_key
from assistant.domain import vocab
from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters

RECORD_TYPES = ["need", "expert", "achievement"]
NEIGHBOURS = 3
MIN_CHARS = 12  # an answer ("80万", "库尔勒") is not a description: no field is read from it by meaning


def _descriptions() -> list[tuple[str, str]]:
    return [(field, f"{field}：{'、'.join(words)}") for field, words in vocab.section("fields").items()]


def semantic_field(kb: KnowledgeBase, text: str) -> str | None:
    """The field two embedding readings agree on (nearest field description, nearest records), or None."""
    if kb.settings.embedding.provider == "fake" or len(search_key(text or "").replace(" ", "")) < MIN_CHARS:
        return None  # a hashing model reads no meaning; a short answer is not a description
    fields = _descriptions()
    sims = kb.similarity(text, [d for _, d in fields])
    nearest = fields[max(range(len(fields)), key=sims.__getitem__)][0]
    hits = kb.search(text, k=NEIGHBOURS, filters=SearchFilters(types=RECORD_TYPES), mode="dense")
    votes: Counter[str] = Counter()
    for rank, h in enumerate(hits):
        if h.metadata.get("field") in vocab.fields():
            votes[h.metadata["field"]] += 1.0 / (rank + 1)
    neighbours = votes.most_common(1)[0][0] if votes else None
    return nearest if nearest == neighbours else None


def infer_field(kb: KnowledgeBase | None, text: str) -> str | None:
    """The field of a description: the embedding readings when they agree, else the keyword reading."""
    if kb is not None:
        agreed = semantic_field(kb, text)
        if agreed is not None:
            return agreed
    return vocab.classify_field(text)
