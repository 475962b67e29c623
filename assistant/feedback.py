"""Feedback on answers (thumbs up/down with an optional comment), stored locally in SQLite with the
question, answer, citations and settings fingerprint; exportable as a golden-set draft."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from assistant._sqlite import open_db
from assistant.types import Answer


class FeedbackStore:
    def __init__(self, path: Path):
        self._db = open_db(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, ts REAL, rating INTEGER, comment TEXT,"
            " question TEXT, answer TEXT, refused INTEGER, citations TEXT, sources TEXT, fingerprint TEXT, mode TEXT)")
        self._lock = threading.Lock()

    def add(self, answer: Answer, rating: int, comment: str = "") -> int:
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        cites = [c.model_dump() for c in answer.citations]
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT INTO feedback(ts, rating, comment, question, answer, refused, citations, sources, fingerprint,"
                " mode) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (time.time(), rating, (comment or "")[:2000], answer.question, answer.text, int(answer.refused),
                 json.dumps(cites, ensure_ascii=False),
                 json.dumps(list(dict.fromkeys(c.source for c in answer.citations)), ensure_ascii=False),
                 answer.settings_fingerprint, answer.mode))
            return int(cur.lastrowid)

    def all(self, rating: int | None = None, text: str | None = None) -> list[dict[str, Any]]:
        """Feedback rows, oldest first; only 👍 (1) or 👎 (-1) with ``rating``; only rows whose question, answer
        or comment contains ``text``."""
        where, args = [], []
        if rating is not None:
            where.append("rating=?")
            args.append(rating)
        if text:
            where.append("(instr(question, ?) OR instr(answer, ?) OR instr(comment, ?))")
            args += [text, text, text]
        cur = self._db.execute("SELECT * FROM feedback" + (" WHERE " + " AND ".join(where) if where else "")
                               + " ORDER BY id", args)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def golden_drafts(self, rating: int | None = None, text: str | None = None) -> list[dict[str, Any]]:
        """Golden-set drafts: a liked answer becomes a case whose reference is that answer and whose sources are
        the cited documents; a disliked one is marked for review (tag ``needs-review``) with its
        ``reference_answer`` left empty for a person to write — the user's complaint and the answer given go to
        ``note``, never into the reference."""
        out = []
        for row in self.all(rating, text):
            liked = row["rating"] > 0
            case = {
                "id": f"feedback-{row['id']}", "question": row["question"],
                "type": "unanswerable" if liked and row["refused"] else "factoid",
                "reference_answer": row["answer"] if liked and not row["refused"] else "",
                "must_include": [], "sources": [] if liked and row["refused"] else json.loads(row["sources"]),
                "tags": ["feedback", "liked" if liked else "needs-review", f"settings:{row['fingerprint']}"],
            }
            if not liked:
                case["note"] = f"用户说明：{row['comment'] or '（无）'}；当时的回答：{row['answer']}"
            out.append(case)
        return out

    def export_golden(self, path: Path, rating: int | None = None, text: str | None = None) -> int:
        """Write ``golden_drafts`` as JSON lines."""
        lines = [json.dumps(case, ensure_ascii=False) for case in self.golden_drafts(rating, text)]
        path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        return len(lines)
