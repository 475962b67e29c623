"""The 所属领域 of a need, inferred from its description.

The keyword reading (``vocab.classify_field``) knows only the words in its lists. When it finds nothing, and a
real embedding model is configured, two more readings are made independently: the field whose description is
nearest to the text, and the fields of the three platform records (needs, experts, achievements) nearest to it.
When they agree, their field is taken (and shown as inferred, for confirmation); otherwise none is, and the user
is asked. A keyword reading is not overruled: letting the agreement overrule it was right more often on
``tests/tables/need_fields.jsonl`` but turned three dialogues of ``need_dialogues.jsonl`` wrong (a PCBA test
need read as 生物医药). Measured by ``kechuang eval fields``.
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
    """The field of a description: the keyword reading, else the embedding readings when they agree, else None."""
    named = vocab.classify_field(text)
    if named is not None or kb is None:
        return named
    return semantic_field(kb, text)
