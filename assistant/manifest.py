"""The manifest: SQLite record of every ingested document and chunk (text, tokens, metadata).

It is the source of truth for what the index holds. A document is written as ``pending`` before its
vectors go to Chroma and flipped to ``complete`` in one transaction with its chunks, so an ingest killed
midway leaves no half-ingested document visible, and the next ingest finishes the job.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant._sqlite import open_db
from assistant.types import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, file TEXT, path TEXT, kind TEXT, doc_type TEXT, title TEXT,
    published TEXT, region TEXT, content_hash TEXT, n_chunks INTEGER, status TEXT,
    alias_of TEXT, ingested_at REAL
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, source TEXT, ordinal INTEGER, title TEXT, heading TEXT, text TEXT,
    start INTEGER, "end" INTEGER, tokens TEXT, metadata TEXT
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE TABLE IF NOT EXISTS records (source TEXT PRIMARY KEY, type TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS records_type ON records(type);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS policy_drafts (
    id TEXT PRIMARY KEY, source TEXT, data TEXT, status TEXT, fingerprint TEXT, updated_at REAL
);
CREATE INDEX IF NOT EXISTS policy_drafts_source ON policy_drafts(source);
CREATE TABLE IF NOT EXISTS bases (
    id TEXT PRIMARY KEY, name TEXT UNIQUE, readers TEXT, writers TEXT, created_at REAL
);
"""
# columns added after the first release: (table, column, declaration); added to older manifests when opened
_ADDED_COLUMNS = [
    ("documents", "kb", "TEXT NOT NULL DEFAULT 'default'"),
    ("chunks", "disabled", "INTEGER NOT NULL DEFAULT 0"),
    ("chunks", "edited_at", "REAL"),
]


class Manifest:
    def __init__(self, path: Path):
        self.path = path
        self._db = open_db(path, timeout=60, autocommit=True)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        for table, column, decl in _ADDED_COLUMNS:
            if column not in {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    # -- versions ------------------------------------------------------------------------------
    def version(self) -> int:
        row = self._db.execute("SELECT value FROM state WHERE key='version'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO state(key, value) VALUES('version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    # -- documents -----------------------------------------------------------------------------
    def get(self, source: str) -> dict[str, Any] | None:
        cur = self._db.execute("SELECT * FROM documents WHERE source=?", (source,))
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def find_by_hash(self, content_hash: str, exclude: str, kb: str) -> str | None:
        """A complete, non-duplicate document of the same knowledge base with this content."""
        row = self._db.execute(
            "SELECT source FROM documents WHERE content_hash=? AND source<>? AND status='complete' "
            "AND alias_of IS NULL AND kb=? LIMIT 1", (content_hash, exclude, kb)).fetchone()
        return row[0] if row else None

    def pending(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT source FROM documents WHERE status='pending'")]

    def mark_pending(self, doc: Document, file: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO documents(source, file, path, kind, doc_type, title, published, region, content_hash,"
                " n_chunks, status, alias_of, ingested_at, kb) VALUES (?,?,?,?,?,?,?,?,?,0,'pending',NULL,?,?) "
                "ON CONFLICT(source) DO UPDATE SET status='pending'",
                (doc.source, file, doc.path, doc.kind, doc.doc_type, doc.title,
                 doc.published.isoformat() if doc.published else None, doc.region, doc.content_hash, time.time(),
                 doc.kb))

    def commit_document(self, doc: Document, file: str, chunks: list[Chunk], tokens: list[list[str]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM chunks WHERE source=?", (doc.source,))
                self._db.execute("DELETE FROM records WHERE source=?", (doc.source,))
                if doc.record is not None:
                    self._db.execute("INSERT INTO records(source, type, data) VALUES (?,?,?)",
                                     (doc.source, doc.doc_type, json.dumps(doc.record, ensure_ascii=False)))
                self._db.executemany(
                    'INSERT OR REPLACE INTO chunks(chunk_id, source, ordinal, title, heading, text, start, "end",'
                    " tokens, metadata) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(c.chunk_id, c.source, c.ordinal, c.title, c.heading, c.text, c.start, c.end,
                      json.dumps(t, ensure_ascii=False), json.dumps(c.metadata, ensure_ascii=False))
                     for c, t in zip(chunks, tokens, strict=True)])
                self._db.execute(
                    "INSERT OR REPLACE INTO documents(source, file, path, kind, doc_type, title, published, region,"
                    " content_hash, n_chunks, status, alias_of, ingested_at, kb)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,'complete',NULL,?,?)",
                    (doc.source, file, doc.path, doc.kind, doc.doc_type, doc.title,
                     doc.published.isoformat() if doc.published else None, doc.region, doc.content_hash,
                     len(chunks), time.time(), doc.kb))
                self._bump()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def record_alias(self, doc: Document, file: str, alias_of: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents(source, file, path, kind, doc_type, title, published, region,"
                " content_hash, n_chunks, status, alias_of, ingested_at, kb) VALUES (?,?,?,?,?,?,?,?,?,0,'complete',?,?,?)",
                (doc.source, file, doc.path, doc.kind, doc.doc_type, doc.title,
                 doc.published.isoformat() if doc.published else None, doc.region, doc.content_hash,
                 alias_of, time.time(), doc.kb))

    def delete_document(self, source: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM chunks WHERE source=?", (source,))
            self._db.execute("DELETE FROM records WHERE source=?", (source,))
            self._db.execute("DELETE FROM documents WHERE source=?", (source,))
            self._db.execute("DELETE FROM policy_drafts WHERE source=?", (source,))
            self._bump()
            self._db.execute("COMMIT")

    # -- drafted support items (reviewed by staff before the finder uses them) -------------------
    def save_drafts(self, source: str, drafts: list[tuple[str, dict[str, Any], str]]) -> None:
        """Replace the drafts of one document: (id, data, fingerprint). A draft whose fingerprint is unchanged
        keeps its review; a changed one is reopened; drafts the document no longer yields are dropped."""
        with self._lock:
            old = {r[0]: (r[1], r[2], json.loads(r[3])) for r in self._db.execute(
                "SELECT id, status, fingerprint, data FROM policy_drafts WHERE source=?", (source,))}
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM policy_drafts WHERE source=?", (source,))
            for draft_id, data, fp in drafts:
                status, prev_fp, prev = old.get(draft_id, ("draft", None, None))
                if prev is not None and prev_fp == fp:
                    data = prev  # keep the reviewer's edits
                else:
                    status = "draft"
                self._db.execute("INSERT INTO policy_drafts(id, source, data, status, fingerprint, updated_at) "
                                 "VALUES (?,?,?,?,?,?)", (draft_id, source, json.dumps(data, ensure_ascii=False),
                                                          status, fp, time.time()))
            self._bump()
            self._db.execute("COMMIT")

    def drafts(self, source: str | None = None, status: str | None = None,
               draft_id: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT id, source, data, status, fingerprint, updated_at FROM policy_drafts WHERE 1=1"
        args: list[Any] = []
        if draft_id:
            q += " AND id=?"
            args.append(draft_id)
        if source:
            q += " AND source=?"
            args.append(source)
        if status:
            q += " AND status=?"
            args.append(status)
        return [{"id": r[0], "source": r[1], "data": json.loads(r[2]), "status": r[3], "fingerprint": r[4],
                 "updated_at": r[5]} for r in self._db.execute(q + " ORDER BY source, id", args)]

    def update_draft(self, draft_id: str, data: dict[str, Any], status: str) -> None:
        with self._lock:
            cur = self._db.execute("UPDATE policy_drafts SET data=?, status=?, updated_at=? WHERE id=?",
                                   (json.dumps(data, ensure_ascii=False), status, time.time(), draft_id))
            if cur.rowcount:
                self._bump()

    def records(self, rtype: str | None = None, kbs: list[str] | None = None) -> list[dict[str, Any]]:
        """Validated platform records of complete documents, optionally of one type and of some knowledge bases."""
        args: list[Any] = [rtype] if rtype else []
        q = ("SELECT r.data FROM records r JOIN documents d ON d.source=r.source WHERE d.status='complete'"
             + (" AND r.type=?" if rtype else ""))
        if kbs is not None:
            q += f" AND d.kb IN ({','.join('?' * len(kbs))})"
            args += kbs
        return [json.loads(row[0]) for row in self._db.execute(q + " ORDER BY r.source", args)]

    def chunks_of(self, source: str, *, disabled: bool = False) -> list[dict[str, Any]]:
        """The chunks of one source in order; those a person disabled only with ``disabled=True``."""
        cur = self._db.execute('SELECT chunk_id, source, ordinal, title, heading, text, start, "end", disabled, '
                               "edited_at, metadata FROM chunks WHERE source=?" + ("" if disabled else " AND disabled=0")
                               + " ORDER BY ordinal", (source,))
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) | {"metadata": json.loads(r[-1]), "disabled": bool(r[-3])}
                for r in cur.fetchall()]

    def chunk(self, chunk_id: str) -> dict[str, Any] | None:
        cur = self._db.execute('SELECT chunk_id, source, ordinal, title, heading, text, start, "end", disabled, '
                               "edited_at, metadata FROM chunks WHERE chunk_id=?", (chunk_id,))
        r = cur.fetchone()
        if r is None:
            return None
        return dict(zip([c[0] for c in cur.description], r, strict=True)) | {"metadata": json.loads(r[-1]),
                                                                               "disabled": bool(r[-3])}

    def set_chunk_disabled(self, chunk_id: str, disabled: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE chunks SET disabled=? WHERE chunk_id=?", (int(disabled), chunk_id))
            self._bump()

    def edit_chunk(self, chunk_id: str, text: str, tokens: list[str], metadata: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("UPDATE chunks SET text=?, tokens=?, metadata=?, edited_at=? WHERE chunk_id=?",
                             (text, json.dumps(tokens, ensure_ascii=False), json.dumps(metadata, ensure_ascii=False),
                              time.time(), chunk_id))
            self._bump()

    def set_chunk_metadata(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        with self._lock:
            self._db.executemany("UPDATE chunks SET metadata=? WHERE chunk_id=?",
                                 [(json.dumps(m, ensure_ascii=False), cid) for cid, m in rows])
            self._bump()

    def chunks_missing(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """(chunk_id, metadata) of chunks whose metadata lacks ``key`` (written by an older version)."""
        return [(cid, json.loads(m)) for cid, m in self._db.execute(
            "SELECT chunk_id, metadata FROM chunks WHERE json_extract(metadata, '$.' || ?) IS NULL", (key,))]

    # -- record files being written (an interrupted one is shown as such and finished by ingesting it again) ----
    def begin_file(self, file: str, expected: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO state(key, value) VALUES (?, ?)",
                             (f"file:{file}", json.dumps({"expected": expected, "started": time.time()})))

    def end_file(self, file: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM state WHERE key=?", (f"file:{file}",))

    def unfinished_files(self) -> dict[str, int]:
        """File → how many records it was to hold, for record files whose ingest did not finish."""
        return {k[5:]: json.loads(v)["expected"] for k, v in
                self._db.execute("SELECT key, value FROM state WHERE key LIKE 'file:%'")}

    # -- knowledge bases ------------------------------------------------------------------------
    def bases(self) -> list[dict[str, Any]]:
        """Every knowledge base with its document and chunk counts, the default first."""
        cur = self._db.execute(
            "SELECT b.id, b.name, b.readers, b.writers, b.created_at,"
            " (SELECT COUNT(*) FROM documents d WHERE d.kb=b.id AND d.alias_of IS NULL),"
            " (SELECT COALESCE(SUM(n_chunks), 0) FROM documents d WHERE d.kb=b.id)"
            " FROM bases b ORDER BY b.id<>'default', b.created_at")
        return [{"id": r[0], "name": r[1], "readers": json.loads(r[2]), "writers": json.loads(r[3]),
                 "created_at": r[4], "documents": r[5], "chunks": r[6]} for r in cur.fetchall()]

    def put_base(self, base_id: str, name: str, readers: list[str], writers: list[str]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO bases(id, name, readers, writers, created_at) VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE"
                " SET name=excluded.name, readers=excluded.readers, writers=excluded.writers",
                (base_id, name, json.dumps(readers), json.dumps(writers), time.time()))

    def delete_base(self, base_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM bases WHERE id=?", (base_id,))

    def sources_in(self, base_id: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT source FROM documents WHERE kb=?", (base_id,))]

    def chunk_ids(self, source: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE source=?", (source,))]

    def sources_for(self, name: str) -> list[str]:
        """Sources matching a name: the source itself, or every record loaded from that file."""
        rows = self._db.execute("SELECT source FROM documents WHERE source=? OR file=?", (name, name)).fetchall()
        return [r[0] for r in rows]

    def documents(self) -> list[dict[str, Any]]:
        cur = self._db.execute("SELECT * FROM documents ORDER BY kind, file, source")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def files(self) -> list[dict[str, Any]]:
        """One row per ingested file (records grouped by the file they came from)."""
        cur = self._db.execute(
            "SELECT file, kind, MIN(title), COUNT(*), SUM(n_chunks), MAX(published), MAX(ingested_at),"
            " SUM(alias_of IS NOT NULL), MAX(alias_of), MIN(status), MIN(kb), MAX(doc_type), MAX(region),"
            " (SELECT COUNT(*) FROM chunks c JOIN documents d2 ON d2.source=c.source WHERE d2.file=documents.file"
            "  AND c.disabled=1), (SELECT COUNT(*) FROM chunks c JOIN documents d2 ON d2.source=c.source"
            "  WHERE d2.file=documents.file AND c.edited_at IS NOT NULL),"
            " (SELECT MAX(json_extract(c.metadata, '$.ocr')) FROM chunks c JOIN documents d2 ON d2.source=c.source"
            "  WHERE d2.file=documents.file)"
            " FROM documents GROUP BY file ORDER BY kind, file")
        keys = ["file", "kind", "title", "documents", "chunks", "published", "ingested_at", "duplicates",
                "alias_of", "status", "kb", "type", "region", "disabled_chunks", "edited_chunks", "ocr"]
        return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]

    def complete_chunk_ids(self) -> list[str]:
        """The id of every enabled chunk of a complete document, in a stable order (ids only: at a million chunks
        their tokens and metadata would take gigabytes)."""
        rows = self._db.execute(
            "SELECT c.chunk_id FROM chunks c JOIN documents d ON d.source=c.source "
            "WHERE d.status='complete' AND c.disabled=0 ORDER BY c.rowid")
        return [r[0] for r in rows]

    @contextmanager
    def complete_chunks_snapshot(self) -> Iterator[tuple[int, Iterator[tuple[str, str, str]]]]:
        """The manifest's version and its complete chunks as raw (chunk_id, tokens JSON, metadata JSON) rows, read
        one at a time from a snapshot on a connection of its own: building the BM25 index of a million chunks
        never holds them all, and a writer adding documents meanwhile changes neither the rows nor the version."""
        db = open_db(self.path, timeout=60, autocommit=True)
        try:
            db.execute("BEGIN")
            row = db.execute("SELECT value FROM state WHERE key='version'").fetchone()
            rows = db.execute(
                "SELECT c.chunk_id, c.tokens, c.metadata FROM chunks c JOIN documents d ON d.source=c.source "
                "WHERE d.status='complete' AND c.disabled=0 ORDER BY c.rowid")
            yield (int(row[0]) if row else 0), iter(rows)
        finally:
            db.close()

    def chunks_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            cur = self._db.execute(
                'SELECT c.chunk_id, c.source, c.ordinal, c.title, c.heading, c.text, c.start, c."end", c.tokens,'
                " c.metadata FROM chunks c JOIN documents d ON d.source=c.source WHERE d.status='complete' AND"
                f" c.chunk_id IN ({','.join('?' * len(part))})", part)
            cols = [c[0] for c in cur.description]
            for r in cur.fetchall():
                row = dict(zip(cols, r, strict=True))
                row["tokens"] = json.loads(row["tokens"])
                row["metadata"] = json.loads(row["metadata"])
                out[row["chunk_id"]] = row
        return out

    def stats(self) -> dict[str, Any]:
        q = self._db.execute
        by_type = dict(q("SELECT doc_type, COUNT(*) FROM documents WHERE alias_of IS NULL GROUP BY doc_type").fetchall())
        by_region = dict(q("SELECT COALESCE(region,''), COUNT(*) FROM documents WHERE alias_of IS NULL "
                           "GROUP BY region").fetchall())
        return {
            "files": q("SELECT COUNT(DISTINCT file) FROM documents").fetchone()[0],
            "documents": q("SELECT COUNT(*) FROM documents WHERE kind='document' AND alias_of IS NULL").fetchone()[0],
            "records": q("SELECT COUNT(*) FROM documents WHERE kind='record'").fetchone()[0],
            "duplicates": q("SELECT COUNT(*) FROM documents WHERE alias_of IS NOT NULL").fetchone()[0],
            "chunks": q("SELECT COUNT(*) FROM chunks").fetchone()[0],
            "pending": q("SELECT COUNT(*) FROM documents WHERE status='pending'").fetchone()[0],
            "by_type": by_type,
            "by_region": by_region,
            "version": self.version(),
        }
