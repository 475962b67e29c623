"""BM25 over jieba tokens of the normalized search key (bm25s, sparse matrices).

Tokens are computed once per chunk at ingest and stored in the manifest, so index maintenance is
incremental in the expensive part (segmentation). The score matrix is rebuilt from stored tokens when the
manifest version changes (about a second per 100k chunks) and persisted next to the Chroma store.

Queries read one immutable snapshot (ids, metadata, vocabulary, model), swapped in whole after a rebuild,
so a query running while another thread rebuilds never mixes two versions.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def _bm25s():
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import
    return bm25s


@dataclass(frozen=True)
class _Snapshot:
    version: int = -1
    ids: list[str] = field(default_factory=list)
    meta: list[dict[str, Any]] = field(default_factory=list)
    vocab: dict[str, int] = field(default_factory=dict)
    model: Any = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # filled lazily, per snapshot

    def column(self, key: str) -> np.ndarray:
        if key not in self.columns:
            if key == "date_int":
                self.columns[key] = np.array([m.get(key) or 0 for m in self.meta], dtype=np.int64)
            else:
                self.columns[key] = np.array([m.get(key) or "" for m in self.meta], dtype=object)
        return self.columns[key]


class BM25Index:
    def __init__(self, directory: Path):
        self.dir = directory
        self._snap = _Snapshot()
        self._lock = threading.Lock()
        self._refreshing = threading.Event()

    @property
    def version(self) -> int:
        return self._snap.version

    @property
    def vocab(self) -> dict[str, int]:
        return self._snap.vocab

    def _stamp(self) -> Path:
        return self.dir / "stamp.json"

    def ensure(self, manifest, stale_ok: bool = False) -> None:
        """Load or rebuild so the index matches the manifest's current version. With ``stale_ok`` (a writer is
        adding documents now) a query keeps the snapshot it has and the rebuild runs in the background, one at a
        time: during a large ingest every commit changes the version, and rebuilding at every question made each
        wait seconds (4 s at 800 new records). Once the writer is done the next query rebuilds before it reads."""
        version = manifest.version()
        if version == self._snap.version:
            return
        if stale_ok and self._snap.version != -1:
            self._refresh_in_background(manifest)
            return
        with self._lock:
            if version == self._snap.version:
                return
            self._snap = self._load(version) or self._build(manifest, version)

    def _refresh_in_background(self, manifest) -> None:
        if self._refreshing.is_set():
            return
        self._refreshing.set()

        def refresh() -> None:
            try:
                with self._lock:
                    version = manifest.version()
                    if version != self._snap.version:
                        self._snap = self._load(version) or self._build(manifest, version)
            except Exception:  # the next query rebuilds or tries again
                log.exception("background BM25 rebuild failed")
            finally:
                self._refreshing.clear()

        threading.Thread(target=refresh, name="bm25-refresh", daemon=True).start()

    def _load(self, version: int) -> _Snapshot | None:
        bm25s = _bm25s()
        try:
            stamp = json.loads(self._stamp().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if stamp.get("version") != version:
            return None
        try:
            model = bm25s.BM25.load(str(self.dir / "model")) if stamp["n"] else None
            side = json.loads((self.dir / "side.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            return None
        return _Snapshot(version, side["ids"], side["meta"], side["vocab"], model)

    def _build(self, manifest, version: int) -> _Snapshot:
        bm25s = _bm25s()
        rows = manifest.complete_chunks()
        ids = [r[0] for r in rows]
        meta = [{k: r[2].get(k) for k in ("source", "type", "region", "date_int", "kind", "kb")} for r in rows]
        vocab: dict[str, int] = {}
        corpus_ids = []
        for _, toks, _ in rows:
            corpus_ids.append([vocab.setdefault(t, len(vocab)) for t in toks] or [vocab.setdefault("", len(vocab))])
        model = None
        if rows:
            model = bm25s.BM25()
            model.index(bm25s.tokenization.Tokenized(ids=corpus_ids, vocab=vocab), show_progress=False)
        snap = _Snapshot(version, ids, meta, vocab, model)
        self._save(snap)
        return snap

    def _save(self, snap: _Snapshot) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if snap.model is not None:
            snap.model.save(str(self.dir / "model"))
        tmp = self.dir / "side.json.tmp"
        tmp.write_text(json.dumps({"ids": snap.ids, "meta": snap.meta, "vocab": snap.vocab}, ensure_ascii=False),
                       encoding="utf-8")
        tmp.replace(self.dir / "side.json")
        stmp = self.dir / "stamp.json.tmp"
        stmp.write_text(json.dumps({"version": snap.version, "n": len(snap.ids)}), encoding="utf-8")
        stmp.replace(self._stamp())  # written last: a half-saved index is never loaded

    def search(self, tokens: list[str], n: int, types: list[str] | None = None, regions: list[str] | None = None,
               date_from: int | None = None, date_to: int | None = None,
               sources: list[str] | None = None, kbs: list[str] | None = None) -> list[tuple[str, float]]:
        snap = self._snap  # one consistent version for the whole query
        if snap.model is None or not snap.ids:
            return []
        q = [snap.vocab[t] for t in dict.fromkeys(tokens) if t in snap.vocab]
        if not q:
            return []
        scores = snap.model.get_scores(q)
        mask = _mask(snap, types, regions, date_from, date_to, sources, kbs)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(snap.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _mask(snap: _Snapshot, types: list[str] | None, regions: list[str] | None, date_from: int | None,
          date_to: int | None, sources: list[str] | None, kbs: list[str] | None) -> np.ndarray | None:
    if not any([types, regions, date_from, date_to, sources]) and kbs is None:
        return None
    m = np.ones(len(snap.ids), dtype=bool)
    for key, wanted in (("type", types), ("region", regions), ("source", sources)):
        if wanted:
            m &= np.isin(snap.column(key), list(wanted))
    if kbs is not None:  # an empty list: no knowledge base may be read, nothing is found
        m &= np.isin(snap.column("kb"), list(kbs))
    if date_from:
        m &= snap.column("date_int") >= date_from
    if date_to:
        m &= snap.column("date_int") <= date_to
    return m
