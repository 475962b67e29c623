"""Saved enterprise profiles: what a policy-calculator user keeps between visits (惠企政策直达 services keep
an enterprise's 画像 so that it is checked again when new measures are loaded).

Profiles are user data, not index data: they live in their own SQLite file next to the index
(``data_dir/profiles.sqlite``) so that rebuilding the index never loses them. Each row keeps the profile as the
user gave it, and what the last check showed (measure id → verdict), from which the next check tells
"新匹配" (measures that appeared since) and verdicts that changed."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from assistant._sqlite import open_db
from assistant.errors import AssistantError, NotFoundError
from assistant.support import EnterpriseProfile

MAX_NAME = 80
log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    id TEXT PRIMARY KEY, name TEXT UNIQUE, owner TEXT, data TEXT, created_at TEXT, updated_at TEXT,
    checked_at TEXT, seen TEXT
);
"""


class SavedProfile(BaseModel):
    id: str
    name: str
    profile: EnterpriseProfile
    owner: str | None = None  # the account that saved it (accounts arrive with the HTTP API)
    created_at: datetime
    updated_at: datetime
    checked_at: datetime | None = None
    seen: dict[str, str] = Field(default_factory=dict, description="measure id → verdict at the last check")


class ProfileStore:
    def __init__(self, path: Path):
        self.path = path
        self._db = open_db(path, autocommit=True)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def _clean_name(name: str) -> str:
        name = (name or "").strip()
        if not name:
            raise AssistantError("请为企业画像填写名称（如企业名称），以便下次找到它。")
        if len(name) > MAX_NAME:
            raise AssistantError(f"企业画像名称过长（{len(name)} 字），请控制在 {MAX_NAME} 字以内。")
        return name

    def _row(self, row: tuple) -> SavedProfile:
        id_, name, owner, data, created, updated, checked, seen = row
        return SavedProfile(id=id_, name=name, owner=owner, profile=EnterpriseProfile.model_validate_json(data),
                            created_at=datetime.fromisoformat(created), updated_at=datetime.fromisoformat(updated),
                            checked_at=datetime.fromisoformat(checked) if checked else None,
                            seen=json.loads(seen or "{}"))

    def save(self, name: str, profile: EnterpriseProfile, owner: str | None = None) -> SavedProfile:
        """Save under ``name``; saving again under the same name updates the facts and keeps what the last
        check saw (so new measures are still told apart)."""
        name = self._clean_name(name)
        if not profile.name:
            profile = profile.model_copy(update={"name": name})  # the checklist is titled with it
        now = datetime.now().isoformat(timespec="seconds")
        data = profile.model_dump_json(exclude={"as_of"})
        with self._lock:
            row = self._db.execute("SELECT id FROM profiles WHERE name=?", (name,)).fetchone()
            if row:
                self._db.execute("UPDATE profiles SET data=?, updated_at=? WHERE id=?", (data, now, row[0]))
                pid = row[0]
            else:
                pid = uuid.uuid4().hex[:10]
                self._db.execute("INSERT INTO profiles VALUES (?,?,?,?,?,?,NULL,'{}')",
                                 (pid, name, owner, data, now, now))
        return self.get(pid)

    def get(self, ref: str) -> SavedProfile:
        """A profile by id or by name."""
        ref = (ref or "").strip()
        row = self._db.execute("SELECT * FROM profiles WHERE id=? OR name=? ORDER BY id=? DESC LIMIT 1",
                               (ref, ref, ref)).fetchone()
        if row is None:
            raise NotFoundError(f"企业画像“{ref}”不存在。用 `kechuang profile list` 查看已保存的画像。")
        try:
            return self._row(row)
        except (ValueError, TypeError) as exc:
            raise AssistantError(f"企业画像“{row[1]}”无法读取（可能由其他版本保存）：请重新填写后用同一名称保存。") from exc

    def list(self) -> list[SavedProfile]:
        """Every saved profile; a row that no longer reads (written by another version) is skipped and logged,
        never the reason the others cannot be listed."""
        out = []
        for r in self._db.execute("SELECT * FROM profiles ORDER BY name"):
            try:
                out.append(self._row(r))
            except (ValueError, TypeError) as exc:  # pydantic ValidationError is a ValueError
                log.warning("saved profile %s (%s) cannot be read: %s", r[0], r[1], exc)
        return out

    def remove(self, ref: str) -> None:
        pid = self.get(ref).id
        with self._lock:
            self._db.execute("DELETE FROM profiles WHERE id=?", (pid,))

    def mark_checked(self, ref: str, seen: dict[str, str], when: datetime) -> None:
        pid = self.get(ref).id
        with self._lock:
            self._db.execute("UPDATE profiles SET checked_at=?, seen=? WHERE id=?",
                             (when.isoformat(timespec="seconds"), json.dumps(seen, ensure_ascii=False), pid))
