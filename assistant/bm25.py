"""BM25 over jieba tokens of the normalized search key (bm25s, sparse matrices).

Tokens are computed once per chunk at ingest and stored in the manifest, so index maintenance is
incremental in the expensive part (segmentation). The score matrix is rebuilt from stored tokens when the
manifest version changes (about a second per 100k chunks) and persisted next to the Chroma store.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np


def _bm25s():
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import
    return bm25s


class BM25Index:
    def __init__(self, directory: Path):
        self.dir = directory
        self.version = -1
        self.ids: list[str] = []
        self.meta: list[dict[str, Any]] = []
        self.vocab: dict[str, int] = {}
        self._bm25 = None
        self._lock = threading.Lock()

    def _stamp(self) -> Path:
        return self.dir / "stamp.json"

    def ensure(self, manifest) -> None:
        """Load or rebuild so the index matches the manifest's current version."""
        version = manifest.version()
        if version == self.version:
            return
        with self._lock:
            if version == self.version:
                return
            if not self._load(version):
                self._build(manifest, version)

    def _load(self, version: int) -> bool:
        bm25s = _bm25s()
        try:
            stamp = json.loads(self._stamp().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if stamp.get("version") != version:
            return False
        try:
            self._bm25 = bm25s.BM25.load(str(self.dir / "model")) if stamp["n"] else None
            side = json.loads((self.dir / "side.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            return False
        self.ids, self.meta, self.vocab = side["ids"], side["meta"], side["vocab"]
        self.version = version
        return True

    def _build(self, manifest, version: int) -> None:
        bm25s = _bm25s()
        rows = manifest.complete_chunks()
        self.ids = [r[0] for r in rows]
        self.meta = [{k: r[2].get(k) for k in ("source", "type", "region", "date_int", "kind")} for r in rows]
        vocab: dict[str, int] = {}
        corpus_ids = []
        for _, toks, _ in rows:
            corpus_ids.append([vocab.setdefault(t, len(vocab)) for t in toks] or [vocab.setdefault("", len(vocab))])
        self.vocab = vocab
        if rows:
            model = bm25s.BM25()
            model.index(bm25s.tokenization.Tokenized(ids=corpus_ids, vocab=vocab), show_progress=False)
            self._bm25 = model
        else:
            self._bm25 = None
        self.version = version
        self._save()

    def _save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(self.dir / "model"))
        tmp = self.dir / "side.json.tmp"
        tmp.write_text(json.dumps({"ids": self.ids, "meta": self.meta, "vocab": self.vocab}, ensure_ascii=False),
                       encoding="utf-8")
        tmp.replace(self.dir / "side.json")
        stmp = self.dir / "stamp.json.tmp"
        stmp.write_text(json.dumps({"version": self.version, "n": len(self.ids)}), encoding="utf-8")
        stmp.replace(self._stamp())  # written last: a half-saved index is never loaded

    def search(self, tokens: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self._bm25 is None or not self.ids:
            return []
        q = [self.vocab[t] for t in dict.fromkeys(tokens) if t in self.vocab]
        if not q:
            return []
        scores = self._bm25.get_scores(q)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(self.ids))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _column(self, key: str) -> np.ndarray:
        """A metadata column as an array, built once per index version."""
        cache = self.__dict__.setdefault("_columns", {})
        if cache.get("version") != self.version:
            cache.clear()
            cache["version"] = self.version
        if key not in cache:
            if key == "date_int":
                cache[key] = np.array([m.get(key) or 0 for m in self.meta], dtype=np.int64)
            else:
                cache[key] = np.array([m.get(key) or "" for m in self.meta], dtype=object)
        return cache[key]

    def mask(self, types: list[str] | None, regions: list[str] | None, date_from: int | None,
             date_to: int | None, sources: list[str] | None) -> np.ndarray | None:
        if not any([types, regions, date_from, date_to, sources]):
            return None
        m = np.ones(len(self.ids), dtype=bool)
        for key, wanted in (("type", types), ("region", regions), ("source", sources)):
            if wanted:
                m &= np.isin(self._column(key), list(wanted))
        if date_from:
            m &= self._column("date_int") >= date_from
        if date_to:
            m &= self._column("date_int") <= date_to
        return m
