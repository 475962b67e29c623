"""jieba, loaded as cheaply as each process needs it.

jieba's dictionary (about 580,000 words and prefixes, plus our synonym terms added at a high frequency) takes
0.6–0.8 s to load into a dict at every start: more than the rest of a CLI search. A process that segments only a
question or two looks its words up instead, one at a time, in an SQLite copy of the same dictionary (the same
frequencies and total, so the segmentation is identical; tests/test_jieba.py compares the two on real text).
Part-of-speech tagging (``pos_cut``, used on questions) works the same way, with the dictionary's tags in the same
file (jieba.posseg is imported without reading them, which took 0.25 s). Once a process has segmented more than
``LOOKUP_CHARS`` characters (an ingest, a long answer) the whole dictionary is loaded and used from then on.

The SQLite copy is written by the first process that loads the whole dictionary, under the cache directory
(``KECHUANG_CACHE_DIR``, default ~/.cache/kechuang), named by jieba's version and the terms added, so a change of
either makes a new one.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sqlite3
import sys
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

LOOKUP_CHARS = 2_000  # characters segmented by lookups before the whole dictionary is loaded (a question: 10–100)
_FORMAT = "2"  # of the lookup file: words with frequencies, words with tags
_lookup_chars = 0
_lock = threading.Lock()
_posseg_lock = threading.Lock()
_tags_deferred = False  # jieba.posseg was imported without its tags: pos_cut loads them with the whole dictionary


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
    key = hashlib.sha1("\n".join([_FORMAT, jieba.__version__, *_terms()]).encode("utf-8")).hexdigest()[:16]
    root = Path(os.environ.get("KECHUANG_CACHE_DIR") or Path.home() / ".cache" / "kechuang")
    return root / f"jieba-{key}.sqlite"


@lru_cache(maxsize=1)
def full():
    """The jieba module with its whole dictionary loaded and our terms added (``jieba.dt``)."""
    global _tags_deferred
    jieba = _import()
    jieba.initialize()
    for term in _terms():
        jieba.add_word(term, freq=20000)
    with _lock:
        if _tags_deferred:  # jieba.posseg's tagger (also used by jieba.analyse) gets its tags now
            sys.modules["jieba.posseg"].dt.load_word_tag(jieba.dt.get_dict_file())
            _tags_deferred = False
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
        db.execute("CREATE TABLE tag (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO f VALUES (?, ?)", tokenizer.FREQ.items())
        db.execute("INSERT INTO total VALUES (?)", (tokenizer.total,))
        with tokenizer.get_dict_file() as f:  # "word freq tag" lines, read as jieba.posseg reads them
            rows = (line.decode("utf-8").strip().split(" ") for line in f)
            db.executemany("INSERT OR REPLACE INTO tag VALUES (?, ?)", ((r[0], r[2]) for r in rows if len(r) == 3))
        db.commit()
    finally:
        db.close()
    tmp.replace(path)  # whole or not at all


class _Lookup:
    """A dict of jieba's (FREQ, or posseg's word_tag_tab) answered from a table of the SQLite copy (``in``, ``[]``
    and ``get`` are all jieba uses), each word looked up once per process."""

    def __init__(self, db: sqlite3.Connection, table: str):
        self._db, self._sql = db, f"SELECT v FROM {table} WHERE k=?"
        self._memo: dict[str, object] = {}

    def get(self, word: str, default=None):
        try:
            v = self._memo[word]
        except KeyError:
            row = self._db.execute(self._sql, (word,)).fetchone()
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
def _lookup_db() -> sqlite3.Connection | None:
    path = _lookup_path()
    if not path.exists():
        return None
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None


@lru_cache(maxsize=1)
def _lookup_tokenizer():
    """A jieba Tokenizer over the SQLite copy, or None when there is none yet."""
    db = _lookup_db()
    if db is None:
        return None
    jieba = _import()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.initialized = _Lookup(db, "f"), True
    tokenizer.total = db.execute("SELECT v FROM total").fetchone()[0]
    return tokenizer


def _posseg():
    """jieba.posseg, imported without its module-level tagger reading the dictionary file for tags (0.25 s);
    ``pos_cut`` reads them when it turns to the whole dictionary."""
    global _tags_deferred
    with _posseg_lock:  # two first questions at once: one imports, the other waits for the module to be whole
        if "jieba.posseg" in sys.modules or full.cache_info().currsize:
            import jieba.posseg as pseg  # the whole dictionary is here: read the tags as jieba does

            return pseg
        jieba = _import()
        jieba.dt.get_dict_file = lambda: io.BytesIO()  # read by POSTokenizer(jieba.dt) at import
        try:
            import jieba.posseg as pseg
        finally:
            del jieba.dt.get_dict_file
        _tags_deferred = True
        return pseg


@lru_cache(maxsize=1)
def _lookup_pos():
    tokenizer = _lookup_tokenizer()
    if tokenizer is None:
        return None
    pseg = _posseg()
    pos = pseg.POSTokenizer.__new__(pseg.POSTokenizer)  # its __init__ would read the dictionary file
    pos.tokenizer, pos.word_tag_tab = tokenizer, _Lookup(_lookup_db(), "tag")
    return pos


def _small(text: str) -> bool:
    """Whether this text may still be segmented by lookups (see the module's docstring)."""
    global _lookup_chars
    if full.cache_info().currsize:
        return False
    with _lock:
        _lookup_chars += len(text)
        return _lookup_chars <= LOOKUP_CHARS


def pos_cut(text: str) -> list[tuple[str, str]]:
    """jieba's part-of-speech tagging of ``text``: (word, tag) pairs."""
    if _small(text) and (pos := _lookup_pos()) is not None:
        return [(w.word, w.flag) for w in pos.cut(text)]
    pseg = _posseg()
    full()  # loads the tags jieba.posseg was imported without
    return [(w.word, w.flag) for w in pseg.dt.cut(text)]


def cut_for_search(text: str):
    """jieba's search-mode segmentation of ``text``, from whichever dictionary this process has (see above)."""
    if _small(text) and (tokenizer := _lookup_tokenizer()) is not None:
        return tokenizer.cut_for_search(text)
    return full().cut_for_search(text)


def cut(text: str) -> list[str]:
    """jieba's default (accurate) segmentation of ``text``."""
    if _small(text) and (tokenizer := _lookup_tokenizer()) is not None:
        return list(tokenizer.cut(text))
    return list(full().cut(text))
