"""Citations: finding the quote a passage gives for a statement, and its character offsets in the source.

One place for the three uses: the LLM answer validator (the sentence of a cited passage that supports an
answer sentence), the support finder (the clause of a policy that states a condition) and the offline
answerer and reports (a chosen sentence of a chunk). Offsets are in the document's display text; table rows
and records (whose chunk text is not a slice of the document) get no offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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


# -- citation markers in a generated answer ---------------------------------------------------------------
# The shapes models write: [1] [1][2] [1,2] [1-3] 【1】 【1，2】 [^1] 〔1〕 ［1］ [来源1] 【资料1】 （来源1） (来源: 1).
# Bare round brackets are enumerations in Chinese ((1) （一）) and 〔2023〕 is a document number: a marker in round
# brackets needs a label, and numbers have at most three digits.
_LABEL = r"(?:来源|资料|文献|参考资料|参考|出处|片段|段落|source)"
_NUMS = r"\d{1,3}(?:\s*(?:[,，、;；]|[-–~至])\s*\d{1,3})*"
MARKER = re.compile(
    rf"(?:\[\^?|【|〔|［)\s*(?:{_LABEL}\s*[:：]?\s*)?(?P<a>{_NUMS})\s*(?:\]|】|〕|］)"
    rf"|[（(]\s*{_LABEL}\s*[:：]?\s*(?P<b>{_NUMS})\s*[）)]")
_FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^\d{1,3}\]:.*$\n?", re.M)


def marker_numbers(m: re.Match[str]) -> list[int]:
    """The passage numbers a marker names, ranges expanded ([1-3] → 1, 2, 3)."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、;；]\s*", m.group("a") or m.group("b")):
        bounds = [int(x) for x in re.split(r"\s*[-–~至]\s*", part)]
        a, b = bounds[0], bounds[-1]
        out += list(range(a, b + 1)) if 0 < b - a < 20 else list(dict.fromkeys(bounds))
    return out


def normalize_markers(text: str, keep: Callable[[list[int]], list[int]]) -> str:
    """Every marker rewritten as [n][m] for the numbers ``keep`` returns (others dropped); footnote definitions
    ([^1]: …) removed."""
    text = _FOOTNOTE_DEF.sub("", text)
    return MARKER.sub(lambda m: "".join(f"[{n}]" for n in keep(marker_numbers(m))), text).rstrip()
