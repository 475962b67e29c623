"""Opening the project's SQLite files (manifest, profiles, feedback, embedding cache) one way: the folder is
created, the connection is shared across threads (each store guards writes with its own lock) and the journal is
WAL, so readers never block the writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_db(path: Path, *, timeout: float = 30, autocommit: bool = False) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    kw = {"isolation_level": None} if autocommit else {}
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout, **kw)
    db.execute("PRAGMA journal_mode=WAL")
    return db
