"""Citations: finding the quote a passage gives for a statement, and its character offsets in the source.

One place for the three uses: the LLM answer validator (the sentence of a cited passage that supports an
answer sentence), the support finder (the clause of a policy that states a condition) and the offline
answerer and reports (a chosen sentence of a chunk). Offsets are in the document's display text; table rows
and records (whose chunk text is not a slice of the document) get no offsets.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant._text import search_key, split_sentences, tokenize
from assistant.types import Chunk, Citation, Context


def has_offsets(chunk: Chunk | Context) -> bool:
    """Whether the chunk's text is a slice of its document (prose), so quote offsets can be given."""
    return chunk.metadata.get("chunk_kind", "prose") == "prose" and chunk.metadata.get("kind") != "record"


def cite(chunk: Chunk | Context, quote: str, start: int | None, n: int = 0) -> Citation:
    """A citation of ``quote`` found at ``start`` inside ``chunk.text``."""
    offsets = has_offsets(chunk) and start is not None
    return Citation(n=n, source=chunk.source, title=chunk.title, chunk_id=chunk.chunk_id, heading=chunk.heading or "",
                    quote=quote, start=chunk.start + start if offsets else None,
                    end=chunk.start + start + len(quote) if offsets else None)


def exact_quote(chunk: Chunk | Context, text: str) -> tuple[str, int] | None:
    """``text`` as the chunk writes it (script and width may differ: 鎮江 = 镇江), with its position."""
    want = search_key(text)
    i = search_key(chunk.text).find(want) if want else -1
    return (chunk.text[i:i + len(text)], i) if i >= 0 else None


def best_sentence(chunk: Chunk | Context, statement: str) -> tuple[str, int] | None:
    """The sentence of the chunk sharing most terms with ``statement`` (first one on ties)."""
    want = set(tokenize(statement))
    best: tuple[float, str, int] | None = None
    for s, e in split_sentences(chunk.text):
        seg = chunk.text[s:e].strip()
        if not seg:
            continue
        score = len(want & set(tokenize(seg))) / (1 + len(want))
        if best is None or score > best[0]:
            best = (score, seg, s + chunk.text[s:e].find(seg))
    return None if best is None else (best[1], best[2])


def find_citation(chunks: Sequence[Chunk | Context], statement: str, n: int = 0) -> Citation | None:
    """Where ``statement`` is stated: word for word in one of the chunks if possible, otherwise the closest
    sentence among them."""
    for c in chunks:
        hit = exact_quote(c, statement)
        if hit:
            return cite(c, hit[0], hit[1], n)
    best: tuple[float, Chunk | Context, str, int] | None = None
    want = set(tokenize(statement))
    for c in chunks:
        found = best_sentence(c, statement)
        if found:
            score = len(want & set(tokenize(found[0])))
            if best is None or score > best[0]:
                best = (score, c, found[0], found[1])
    return None if best is None else cite(best[1], best[2], best[3], n)
