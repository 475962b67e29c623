"""The retrieval backend: what hybrid search asks of an index, behind one interface.

``HybridSearcher`` (``assistant.retrieval``) segments the question, embeds it, fuses the two rankings and reads
the passages from the manifest; a backend answers only two questions: the best chunks for these tokens (lexical)
and the nearest chunks to this vector (dense), both under the same filters. ``EmbeddedBackend`` is the pair in
this process: the BM25 matrix (``assistant.bm25``) and Chroma (``assistant.store``). An engine that does both
on many nodes (see RELIABILITY.md, "Scale") replaces it by implementing ``RetrievalBackend``; nothing above it
changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from assistant.retrieval import SearchFilters

Hits = list[tuple[str, float]]  # (chunk id, score) best first

OVERFETCH = 2.0  # neighbours asked for per neighbour needed, times the inverse of the share passing the filter
TRUST_DEPTH = 0.75  # … trusted when the last one needed came within this part of them


class RetrievalBackend(Protocol):
    def lexical(self, tokens: list[str], n: int, filters: SearchFilters) -> Hits: ...

    def dense(self, vector: list[float], n: int, filters: SearchFilters) -> Hits: ...


class EmbeddedBackend:
    """BM25 over the manifest's tokens and Chroma's vectors, in this process. Filters are evaluated on the BM25
    snapshot's columns for both signals (see ``dense``)."""

    def __init__(self, manifest, bm25, store, overfetch_limit: Callable[[], int],
                 writing: Callable[[], bool] = lambda: False):
        self._manifest, self._bm25, self._store = manifest, bm25, store
        self._overfetch_limit = overfetch_limit
        self._writing = writing  # another thread is adding documents: BM25 may lag by the documents in flight

    def _ensure(self) -> None:
        self._bm25.ensure(self._manifest, stale_ok=self._writing())

    def lexical(self, tokens: list[str], n: int, filters: SearchFilters) -> Hits:
        self._ensure()
        return self._bm25.search(tokens, n, **filters.bm25_kwargs())

    def dense(self, vector: list[float], n: int, filters: SearchFilters) -> Hits:
        """The vector index's nearest chunks that pass the filters. Asking the index to filter (Chroma's ``where``)
        reads every matching id from its metadata store first: at a million chunks a filter on one region of
        eight took 0.6–0.8 s. So the index is asked for more neighbours than needed, unfiltered (its graph walk
        stays a few milliseconds), and they are filtered here; the share of chunks that passes the filter sets how
        many more. Only when too few pass, or pass only deep in the list, does the index filter itself."""
        where = filters.chroma_where()
        if where is None:
            return self._store.query(vector, n, None)
        self._ensure()
        allowed = self._bm25.allowed(**filters.bm25_kwargs())
        if allowed is not None:
            row_of, mask = allowed
            passing = int(mask.sum())
            if passing == 0:
                return []
            fetch = max(n, math.ceil(n * len(mask) / passing * OVERFETCH))
            if fetch <= self._overfetch_limit():
                hits = self._store.query(vector, fetch, None)
                kept: Hits = []
                depth = 0  # how far down the list the n-th passing neighbour came
                for depth, (cid, s) in enumerate(hits):  # noqa: B007
                    if (r := row_of.get(cid)) is not None and mask[r]:
                        kept.append((cid, s))
                        if len(kept) == n:
                            break
                # Trusted when every vector was returned, or when the n-th passing neighbour came about where a
                # filter independent of the question puts it (at n / share, rarely past 3/4 of what was asked):
                # passing chunks found only deep in the list (the question is about another region than the
                # filter) are where an approximate index misses some.
                if len(hits) < fetch or (len(kept) == n and depth < fetch * TRUST_DEPTH):
                    return kept
        return self._store.query(vector, n, where)
