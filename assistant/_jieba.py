"""jieba, loaded as cheaply as each process needs it.

jieba's dictionary (about 580,000 words and prefixes, plus our synonym terms added at a high frequency) takes
0.6–0.8 s to load into a dict at every start: more than the rest of a CLI search. A process that segments only a
question or two looks its words up instead, one at a time, in an SQLite copy of the same dictionary (the same
frequencies and total, so the segmentation is identical; tests/test_jieba.py compares the two on real text).
Once a process has segmented more than ``LOOKUP_CHARS`` characters (an ingest, a long answer), or needs jieba's
part-of-speech tagger, the whole dictionary is loaded and used from then on.

The SQLite copy is written by the first process that loads the whole dictionary, under the cache directory
(``KECHUANG_CACHE_DIR``, default ~/.cache/kechuang), named by jieba's version and the terms added, so a change of
either makes a new one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

LOOKUP_CHARS = 20_000  # characters segmented by lookups before the whole dictionary is loaded
_lookup_chars = 0
_lock = threading.Lock()


def _import():
    """jieba's _compat imports pkg_resources (0.16 s) only to find its dictionary file; without it jieba opens the
    file by path. It is hidden for that one import and left for whoever imports it later."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hidden = "pkg_resources" not in sys.modules
    if hidden:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # "import pkg_resources" raises ImportError
    try:
        import jieba
    finally:
        if hidden:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _terms() -> list[str]:
    from assistant.synonyms import all_terms

    return list(all_terms())


def _lookup_path() -> Path:
    jieba = _import()
    key = hashlib.sha1("\n".join([jieba.__version__, *_terms()]).encode("utf-8")).hexdigest()[:16]
    root = Path(os.environ.get("KECHUANG_CACHE_DIR") or Path.home() / ".cache" / "kechuang")
    return root / f"jieba-{key}.sqlite"


@lru_cache(maxsize=1)
def full():
    """The jieba module with its whole dictionary loaded and our terms added (``jieba.dt``)."""
    jieba = _import()
    jieba.initialize()
    for term in _terms():
        jieba.add_word(term, freq=20000)
    try:
        _write_lookup(jieba.dt)
    except (OSError, sqlite3.Error):
        log.warning("could not write jieba's dictionary lookup file", exc_info=True)
    return jieba


def _write_lookup(tokenizer) -> None:
    path = _lookup_path()
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    db = sqlite3.connect(str(tmp))
    try:
        db.execute("CREATE TABLE f (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE total (v INTEGER NOT NULL)")
        db.executemany("INSERT INTO f VALUES (?, ?)", tokenizer.FREQ.items())
        db.execute("INSERT INTO total VALUES (?)", (tokenizer.total,))
        db.commit()
    finally:
        db.close()
    tmp.replace(path)  # whole or not at all


class _LookupFreq:
    """jieba's FREQ dict answered from the SQLite copy (``in``, ``[]`` and ``get`` are all jieba's segmenter uses),
    each word looked up once per process."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.total = self._db.execute("SELECT v FROM total").fetchone()[0]
        self._memo: dict[str, int | None] = {}

    def get(self, word: str, default=None):
        try:
            v = self._memo[word]
        except KeyError:
            row = self._db.execute("SELECT v FROM f WHERE k=?", (word,)).fetchone()
            v = self._memo[word] = row[0] if row else None
        return default if v is None else v

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        v = self.get(word)
        if v is None:
            raise KeyError(word)
        return v


@lru_cache(maxsize=1)
def _lookup_tokenizer():
    """A jieba Tokenizer over the SQLite copy, or None when there is none yet."""
    path = _lookup_path()
    if not path.exists():
        return None
    try:
        freq = _LookupFreq(path)
    except sqlite3.Error:
        return None
    jieba = _import()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, freq.total, True
    return tokenizer


def cut_for_search(text: str):
    """jieba's search-mode segmentation of ``text``, from whichever dictionary this process has (see above)."""
    global _lookup_chars
    if full.cache_info().currsize == 0:
        with _lock:
            _lookup_chars += len(text)
            small = _lookup_chars <= LOOKUP_CHARS
        if small and (tokenizer := _lookup_tokenizer()) is not None:
            return tokenizer.cut_for_search(text)
    return full().cut_for_search(text)
