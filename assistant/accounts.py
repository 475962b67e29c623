"""Accounts, roles and API keys, stored in SQLite (``DATA_DIR/accounts.sqlite``).

Roles, each allowed what the one before it is plus more:

- 企业用户 (``enterprise``): ask, search, the support finder, need postings, feedback;
- 工作人员 (``staff``): + reports, the knowledge base (upload, delete), reviewing extracted support items;
- 管理员 (``admin``): + users and API keys.

Passwords are hashed with bcrypt (a SHA-256 pre-hash first, so a long password is not cut at bcrypt's 72 bytes).
API keys (``kc_`` + 32 random bytes) are shown once and stored as a SHA-256 digest: they are random, so a slow
hash adds nothing. Failed logins are counted per user name, wrong API keys per client address (``Throttle``): after
``MAX_FAILURES`` within ``LOCKOUT_S`` the name (or client) is locked, whatever is tried, each further lock-out twice
as long.
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant._sqlite import open_db
from assistant.errors import AssistantError, InputError, NotFoundError

Role = Literal["enterprise", "staff", "admin"]
ROLES: dict[str, str] = {"enterprise": "企业用户", "staff": "工作人员", "admin": "管理员"}
# what each role may do (an action is named after what it touches)
PERMISSIONS: dict[str, frozenset[str]] = {
    "enterprise": frozenset({"ask", "search", "support", "needs", "feedback"}),
}
PERMISSIONS["staff"] = PERMISSIONS["enterprise"] | {"reports", "documents", "review"}
PERMISSIONS["admin"] = PERMISSIONS["staff"] | {"users", "keys"}
MIN_PASSWORD = 8
MAX_FAILURES = 5
LOCKOUT_S = 300.0
MAX_LOCKOUT_S = 4 * 3600.0


class AuthError(AssistantError):
    """Not logged in, a wrong password or key, or too many failed attempts; the message says which."""


class LockedOutError(AuthError):
    """Too many failed attempts: refused until ``retry_after_s`` has passed, whatever is tried."""

    def __init__(self, message: str, retry_after_s: float):
        self.retry_after_s = retry_after_s
        super().__init__(message)


class Throttle:
    """Failed attempts counted per key (a user name, a client address): after ``MAX_FAILURES`` within
    ``LOCKOUT_S`` the key is locked for ``LOCKOUT_S``, each further lock-out before a success twice as long as
    the one before, up to ``MAX_LOCKOUT_S``."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lockouts: dict[str, int] = {}  # lock-outs since the key's last success

    def locked_for(self, key: str) -> float:
        """Seconds ``key`` stays locked (0 when it is not)."""
        with self._lock:
            return max(0.0, self._locked_until.get(key, 0.0) - self._clock())

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < LOCKOUT_S] + [now]
            self._failures[key] = recent
            if len(recent) >= MAX_FAILURES:
                n = self._lockouts.get(key, 0)
                self._lockouts[key] = n + 1
                self._locked_until[key] = now + min(LOCKOUT_S * 2 ** n, MAX_LOCKOUT_S)
                self._failures[key] = []

    def succeeded(self, key: str) -> None:
        with self._lock:
            for table in (self._failures, self._lockouts, self._locked_until):
                table.pop(key, None)


class ForbiddenError(AssistantError):
    """Logged in, but the role does not allow this; the message names the role needed."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def may(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())

    def can_read(self, base: dict) -> bool:
        """May search and ask one knowledge base (a row of ``KnowledgeBase.bases()``): named in its readers or
        writers by role or as "user:<name>"; administrators always."""
        mine = {self.role, f"user:{self.name}"}
        return self.role == "admin" or bool(mine & (set(base["readers"]) | set(base["writers"])))

    def can_write(self, base: dict) -> bool:
        """May upload to, delete from and correct chunks of one knowledge base: a role that manages documents,
        named in its writers; administrators always."""
        return self.role == "admin" or (self.may("documents") and bool({self.role, f"user:{self.name}"}
                                                                         & set(base["writers"])))

    def require(self, action: str) -> None:
        if not self.may(action):
            needed = next(ROLES[r] for r in ("enterprise", "staff", "admin") if action in PERMISSIONS[r])
            raise ForbiddenError(f"当前账号（{self.name}，{self.role_label}）无权执行此操作：需要{needed}及以上角色。")


# the one user of a single-user installation (no accounts created): on localhost, or with the shared password
LOCAL_ADMIN = User("admin", "admin")


def _prehash(password: str) -> bytes:
    """SHA-256 first, base64 so bcrypt gets no NUL byte: a password past bcrypt's 72 bytes is not cut."""
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def _hash_password(password: str) -> bytes:
    import bcrypt

    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt())


def _check_password(password: str, hashed: bytes) -> bool:
    import bcrypt

    return bcrypt.checkpw(_prehash(password), hashed)


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class AccountStore:
    def __init__(self, path: Path, clock=time.monotonic):
        self._db = open_db(path)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
                             "password BLOB NOT NULL, created REAL NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS api_keys (digest TEXT PRIMARY KEY, prefix TEXT NOT NULL, "
                             "user TEXT NOT NULL, label TEXT, created REAL NOT NULL, last_used REAL)")
        self._lock = threading.Lock()
        self._throttle = Throttle(clock)  # failed logins per name, failed API keys per client address

    # -- users ------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> User:
        name = (name or "").strip()
        if not name or len(name) > 64 or any(ch in name for ch in ":/\\ \t\n"):
            raise InputError("用户名不能为空，不超过 64 个字符，不能含空格、冒号或斜杠。")
        if role not in ROLES:
            raise InputError(f"角色只能是 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}。")
        if len(password or "") < MIN_PASSWORD:
            raise InputError(f"密码至少 {MIN_PASSWORD} 个字符。")
        with self._lock, self._db:
            if self._db.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
                raise InputError(f"用户 {name} 已存在：先删除（kechuang user remove {name}）再添加，或换一个名字。")
            self._db.execute("INSERT INTO users VALUES (?,?,?,?)", (name, role, _hash_password(password), time.time()))
        return User(name, role)

    def remove_user(self, name: str) -> None:
        with self._lock, self._db:
            if not self._db.execute("DELETE FROM users WHERE name=?", (name,)).rowcount:
                raise NotFoundError(f"没有用户 {name}。用 kechuang user list 查看已有用户。")
            self._db.execute("DELETE FROM api_keys WHERE user=?", (name,))

    def users(self) -> list[dict[str, object]]:
        rows = self._db.execute("SELECT u.name, u.role, u.created, COUNT(k.digest) FROM users u LEFT JOIN api_keys k "
                                "ON k.user=u.name GROUP BY u.name ORDER BY u.name").fetchall()
        return [{"name": n, "role": r, "role_label": ROLES.get(r, r), "created": c, "keys": k} for n, r, c, k in rows]

    def has_users(self) -> bool:
        return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def user(self, name: str) -> User | None:
        row = self._db.execute("SELECT name, role FROM users WHERE name=?", (name,)).fetchone()
        return User(*row) if row else None

    def verify(self, name: str, password: str) -> User:
        """The user when the password is theirs; AuthError otherwise, also while the name is locked out. After
        ``MAX_FAILURES`` wrong passwords within ``LOCKOUT_S`` the name is locked, whatever password is tried, for
        ``LOCKOUT_S``; each further lock-out before a good login lasts twice as long as the one before (up to
        ``MAX_LOCKOUT_S``)."""
        self._refuse_while_locked(f"user:{name}", f"登录失败次数过多，账号 {name} 已暂时锁定")
        row = self._db.execute("SELECT name, role, password FROM users WHERE name=?", (name,)).fetchone()
        if row is not None and _check_password(password or "", row[2]):
            self._throttle.succeeded(f"user:{name}")
            return User(row[0], row[1])
        self._throttle.failed(f"user:{name}")
        raise AuthError("用户名或密码不对。")

    def verify_shared(self, name: str, password: str, user: str, shared: str) -> None:
        """The installation's one password (no accounts): the same counting and lock-out per name as ``verify``."""
        self._refuse_while_locked(f"user:{name}", f"登录失败次数过多，用户名 {name} 已暂时锁定")
        if secrets.compare_digest((name or "").encode(), user.encode()) and \
                secrets.compare_digest((password or "").encode(), shared.encode()):
            self._throttle.succeeded(f"user:{name}")
            return
        self._throttle.failed(f"user:{name}")
        raise AuthError("用户名或密码不对。")

    def _refuse_while_locked(self, key: str, what: str) -> None:
        wait = self._throttle.locked_for(key)
        if wait > 0:
            raise LockedOutError(f"{what}：请 {math.ceil(wait / 60)} 分钟后再试。", wait)

    # -- API keys ---------------------------------------------------------------------------------
    def create_key(self, user: str, label: str = "") -> str:
        """A new key for ``user``, returned once in full (only its digest is stored)."""
        if self.user(user) is None:
            raise NotFoundError(f"没有用户 {user}：先用 kechuang user add 添加。")
        key = "kc_" + secrets.token_urlsafe(32)
        with self._lock, self._db:
            self._db.execute("INSERT INTO api_keys VALUES (?,?,?,?,?,NULL)",
                             (_key_digest(key), key[:10], user, label[:100], time.time()))
        return key

    def keys(self, user: str | None = None) -> list[dict[str, object]]:
        q = "SELECT prefix, user, label, created, last_used FROM api_keys" + (" WHERE user=?" if user else "")
        rows = self._db.execute(q + " ORDER BY created", (user,) if user else ()).fetchall()
        return [{"prefix": p, "user": u, "label": lb, "created": c, "last_used": lu} for p, u, lb, c, lu in rows]

    def revoke_key(self, key_or_prefix: str) -> int:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM api_keys WHERE digest=? OR prefix=?",
                                    (_key_digest(key_or_prefix), key_or_prefix)).rowcount

    def verify_key(self, key: str, client: str = "") -> User:
        """The key's user; AuthError for a wrong key. Wrong keys are counted per ``client`` (its address) like
        wrong passwords per name: after ``MAX_FAILURES`` the client is refused for a while, whatever key it sends."""
        self._refuse_while_locked(f"client:{client}", f"API 密钥错误次数过多，来自 {client or '此客户端'} 的请求已暂停")
        row = self._db.execute("SELECT u.name, u.role FROM api_keys k JOIN users u ON u.name=k.user WHERE k.digest=?",
                               (_key_digest(key or ""),)).fetchone()
        if row is None:
            self._throttle.failed(f"client:{client}")
            raise AuthError("API 密钥无效或已撤销。")
        self._throttle.succeeded(f"client:{client}")
        with self._lock, self._db:
            self._db.execute("UPDATE api_keys SET last_used=? WHERE digest=?", (time.time(), _key_digest(key)))
        return User(*row)

    def close(self) -> None:
        self._db.close()


__all__ = ["LOCAL_ADMIN", "PERMISSIONS", "ROLES", "AccountStore", "AuthError", "ForbiddenError", "LockedOutError",
           "Throttle", "User"]
