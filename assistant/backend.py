"""The retrieval backend: what hybrid search asks of an index, behind one interface.

``HybridSearcher`` (``assistant.retrieval``) segments the question, embeds it, fuses the two rankings and reads
the passages from the manifest; a backend answers only two questions: the best chunks for these tokens (lexical)
and the nearest chunks to this vector (dense), both under the same filters. ``EmbeddedBackend`` is the pair in
this process: the BM25 matrix (``assistant.bm25``) and Chroma (``assistant.store``), with an exact copy of the
vectors for indexes small enough to score whole. An engine that does both
on many nodes (see RELIABILITY.md, "Scale") replaces it by implementing ``RetrievalBackend``; nothing above it
changes.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.bm25 import best, filter_mask

if TYPE_CHECKING:
    from assistant.retrieval import SearchFilters
    from assistant.settings import RetrievalSettings

log = logging.getLogger(__name__)

Hits = list[tuple[str, float]]  # (chunk id, score) best first

OVERFETCH = 2.0  # neighbours asked for per neighbour needed, times the inverse of the share passing the filter
TRUST_DEPTH = 0.75  # … trusted when the last one needed came within this part of them


class RetrievalBackend(Protocol):
    def lexical(self, tokens: list[str], n: int, filters: SearchFilters) -> Hits: ...

    def dense(self, vector: list[float], n: int, filters: SearchFilters) -> Hits: ...


class EmbeddedBackend:
    """BM25 over the manifest's tokens and Chroma's vectors, in this process. Filters are evaluated on the BM25
    snapshot's columns for both signals. Up to ``exact_dense_max_chunks`` chunks, dense search scores every chunk
    from a copy of the vectors aligned with the snapshot's rows (``vectors/``, memory-mapped): exact, and no Chroma
    to open in a process that only searches."""

    def __init__(self, manifest, bm25, store: Callable[[], Any], vectors_dir: Path,
                 settings: Callable[[], RetrievalSettings], writing: Callable[[], bool] = lambda: False):
        self._manifest, self._bm25, self._store, self._dir = manifest, bm25, store, vectors_dir
        self._settings = settings  # read at every search: evaluation swaps configurations
        self._writing = writing  # another thread is adding documents: BM25 may lag by the documents in flight
        # (snapshot digest, vectors, which rows have one: a chunk whose vector is missing is a row of zeros)
        self._exact: tuple[str, np.ndarray, np.ndarray] | None = None
        self._exact_lock = threading.Lock()
        self._masks: dict[tuple, np.ndarray | None] = {}
        self._mask_lock = threading.Lock()

    def _ensure(self):
        self._bm25.ensure(self._manifest, stale_ok=self._writing())
        return self._bm25.snapshot

    def _mask(self, snap, filters: SearchFilters) -> np.ndarray | None:
        """The filters' mask over the snapshot's rows, computed once for both signals of a query (8 ms at a
        million chunks): the last few are kept."""
        kwargs = filters.bm25_kwargs()
        key = (snap.version, len(snap.ids), json.dumps(kwargs, sort_keys=True, ensure_ascii=False))
        with self._mask_lock:
            if key not in self._masks:
                if len(self._masks) >= 8:
                    self._masks.pop(next(iter(self._masks)))
                self._masks[key] = filter_mask(snap, **kwargs)
            return self._masks[key]

    def lexical(self, tokens: list[str], n: int, filters: SearchFilters) -> Hits:
        snap = self._ensure()
        return self._bm25.search(tokens, n, snap=snap, mask=self._mask(snap, filters))

    def dense(self, vector: list[float], n: int, filters: SearchFilters) -> Hits:
        snap = self._ensure()
        mask = self._mask(snap, filters)
        if mask is not None and not mask.any():
            return []
        exact = self._exact_vectors(snap)
        if exact is not None:
            vectors, present = exact
            if mask is not None or not present.all():
                mask = present if mask is None else mask & present
            return _exact_search(vectors, snap.ids, vector, n, mask)
        return self._graph_search(snap, vector, n, filters, mask)

    # -- exact, from the copy of the vectors ---------------------------------------------------------
    def _exact_vectors(self, snap) -> tuple[np.ndarray, np.ndarray] | None:
        """The vectors of the snapshot's rows, read from ``vectors/`` or, the first time for this snapshot, from
        Chroma (then saved there for every later process). None when the index is too large for exact search."""
        if not snap.ids or len(snap.ids) > self._settings().exact_dense_max_chunks:
            return None
        with self._exact_lock:
            if self._exact is not None and self._exact[0] == snap.digest:
                return self._exact[1], self._exact[2]
            path = self._dir / f"{snap.digest}.npy"
            try:
                vectors = np.load(path, mmap_mode="r")
                if vectors.shape[0] != len(snap.ids):
                    raise ValueError("rows do not match")
            except (OSError, ValueError):
                vectors = self._export(snap, path)
            present = np.linalg.norm(vectors, axis=1) > 0
            self._exact = (snap.digest, vectors, present)
            return vectors, present

    def forget_exact(self) -> None:
        """Drop the copy of the vectors (the store changed behind the manifest, see ``KnowledgeBase.check``): the
        next search copies them again."""
        with self._exact_lock:
            self._exact = None
            for old in self._dir.glob("*.npy"):
                old.unlink(missing_ok=True)

    def _export(self, snap, path: Path) -> np.ndarray:
        got = self._store().vectors(snap.ids)
        dim = len(next(iter(got.values()))) if got else 1
        vectors = np.zeros((len(snap.ids), dim), dtype=np.float32)  # a chunk without a vector never matches
        for i, cid in enumerate(snap.ids):
            if (v := got.get(cid)) is not None:
                vectors[i] = v
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms == 0, 1.0, norms)
        if missing := len(snap.ids) - len(got):
            log.warning("%d chunks have no vector (kechuang kb check --repair)", missing)
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
            for old in self._dir.glob("*.npy"):  # older snapshots' copies (a process that mapped one keeps it)
                if old.name != path.name and ".tmp." not in old.name:
                    old.unlink(missing_ok=True)
        except OSError:
            log.warning("could not save the vectors' copy in %s", self._dir, exc_info=True)
        return vectors

    # -- the vector index's graph ----------------------------------------------------------------------
    def _graph_search(self, snap, vector: list[float], n: int, filters: SearchFilters, mask) -> Hits:
        """The vector index's nearest chunks that pass the filters. Asking the index to filter (Chroma's ``where``)
        reads every matching id from its metadata store first: at a million chunks a filter on one region of
        eight took 0.6–0.8 s. So the index is asked for more neighbours than needed, unfiltered (its graph walk
        stays a few milliseconds), and they are filtered here; the share of chunks that passes the filter sets how
        many more. Only when too few pass, or pass only deep in the list, does the index filter itself."""
        store = self._store()
        if mask is None:
            return store.query(vector, n, None)
        passing = int(mask.sum())
        fetch = max(n, math.ceil(n * len(mask) / passing * OVERFETCH))
        if fetch <= self._settings().dense_overfetch_limit:
            hits = store.query(vector, fetch, None)
            row_of = snap.row_of
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
        return store.query(vector, n, filters.chroma_where())


def _exact_search(vectors: np.ndarray, ids: list[str], vector: list[float], n: int, mask: np.ndarray | None) -> Hits:
    """The ``n`` rows nearest to ``vector`` among those ``mask`` lets through (None: all), as the graph would return
    them (even at a similarity of 0: the answer's relevance gate judges, not retrieval)."""
    q = np.asarray(vector, dtype=np.float32)
    q /= np.linalg.norm(q) or 1.0
    rows = None if mask is None else np.flatnonzero(mask)
    scores = (vectors if rows is None else vectors[rows]) @ q
    return [(ids[i if rows is None else rows[i]], float(scores[i])) for i in best(scores, n)]
