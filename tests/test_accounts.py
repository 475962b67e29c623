"""Accounts in SQLite: bcrypt-hashed passwords (never stored as given), API keys stored as digests, roles that
include the one below, a lock-out after repeated wrong passwords, and inputs refused with a message."""

from __future__ import annotations

import sqlite3

import pytest

from assistant import accounts as A
from assistant.errors import InputError, NotFoundError


@pytest.fixture
def store(tmp_path):
    s = A.AccountStore(tmp_path / "accounts.sqlite")
    yield s
    s.close()


def test_passwords_are_hashed_and_checked(store, tmp_path):
    store.add_user("王工", "staff", "correct horse 1")
    raw = sqlite3.connect(tmp_path / "accounts.sqlite").execute("SELECT password FROM users").fetchone()[0]
    assert b"correct horse" not in raw and raw.startswith(b"$2")
    assert store.verify("王工", "correct horse 1") == A.User("王工", "staff")
    with pytest.raises(A.AuthError):
        store.verify("王工", "correct horse 2")
    with pytest.raises(A.AuthError):
        store.verify("nobody", "correct horse 1")
    # past bcrypt's 72 bytes two passwords that differ only at the end are still told apart
    long = "长" * 30
    store.add_user("long", "enterprise", long + "甲")
    with pytest.raises(A.AuthError):
        store.verify("long", long + "乙")


def test_lockout_after_repeated_failures(store):
    store.add_user("staff1", "staff", "staff-pass-1")
    for _ in range(A.MAX_FAILURES):
        with pytest.raises(A.AuthError, match="不对"):
            store.verify("staff1", "wrong")
    with pytest.raises(A.AuthError, match="锁定"):
        store.verify("staff1", "staff-pass-1")
    store.add_user("other", "staff", "other-pass-1")  # another name is not locked
    assert store.verify("other", "other-pass-1").name == "other"


def test_each_further_lockout_lasts_twice_as_long_until_a_good_login(tmp_path):
    now = [0.0]
    store = A.AccountStore(tmp_path / "a.sqlite", clock=lambda: now[0])
    store.add_user("staff1", "staff", "staff-pass-1")

    def fail_until_locked():
        for _ in range(A.MAX_FAILURES):
            with pytest.raises(A.AuthError, match="不对"):
                store.verify("staff1", "wrong")

    def locked_at(t: float) -> bool:
        now[0] = t
        try:
            store.verify("staff1", "staff-pass-1")
        except A.AuthError as exc:
            assert "锁定" in str(exc)
            return True
        return False

    fail_until_locked()  # at t=0: locked for 5 minutes
    assert locked_at(A.LOCKOUT_S - 1)
    now[0] = A.LOCKOUT_S + 1
    fail_until_locked()  # the second lock-out, at t≈301: 10 minutes
    assert locked_at(A.LOCKOUT_S + 1 + 2 * A.LOCKOUT_S - 5)
    now[0] = A.LOCKOUT_S + 2 + 2 * A.LOCKOUT_S
    fail_until_locked()  # the third: 20 minutes, and the message says how long
    with pytest.raises(A.AuthError, match="请 20 分钟后再试"):
        store.verify("staff1", "staff-pass-1")
    assert not locked_at(now[0] + 4 * A.LOCKOUT_S + 1)  # a good login after it resets the back-off
    fail_until_locked()
    assert not locked_at(now[0] + A.LOCKOUT_S + 1)
    store.close()


def test_keys_are_stored_as_digests_and_go_with_their_user(store, tmp_path):
    store.add_user("平台", "enterprise", "platform-pass")
    key = store.create_key("平台", "对接")
    assert key.startswith("kc_") and len(key) > 40
    rows = sqlite3.connect(tmp_path / "accounts.sqlite").execute("SELECT * FROM api_keys").fetchall()
    assert rows and all(key not in str(r) for r in rows)
    assert store.verify_key(key) == A.User("平台", "enterprise")
    assert store.keys()[0]["prefix"] == key[:10]
    store.remove_user("平台")
    with pytest.raises(A.AuthError):
        store.verify_key(key)
    with pytest.raises(NotFoundError):
        store.create_key("平台")


def test_roles_include_the_one_below():
    e, s, a = A.User("e", "enterprise"), A.User("s", "staff"), A.User("a", "admin")
    assert e.may("ask") and e.may("needs") and not e.may("reports") and not e.may("documents")
    assert s.may("ask") and s.may("reports") and s.may("documents") and not s.may("users")
    assert a.may("users") and a.may("keys") and a.may("documents")
    with pytest.raises(A.ForbiddenError, match="工作人员"):
        e.require("documents")


@pytest.mark.parametrize(("name", "role", "password"), [
    ("", "staff", "long-enough"), ("a b", "staff", "long-enough"), ("x:y", "staff", "long-enough"),
    ("ok", "boss", "long-enough"), ("ok", "staff", "short"), ("ok", "staff", ""),
])
def test_bad_accounts_are_refused_with_a_message(store, name, role, password):
    with pytest.raises(InputError):
        store.add_user(name, role, password)


def test_a_name_is_added_once(store):
    store.add_user("dup", "staff", "dup-pass-1")
    with pytest.raises(InputError, match="已存在"):
        store.add_user("dup", "admin", "dup-pass-2")
    with pytest.raises(NotFoundError):
        store.remove_user("nobody")


def test_wrong_api_keys_are_counted_per_client_and_lock_it_out(tmp_path):
    now = [0.0]
    store = A.AccountStore(tmp_path / "a.sqlite", clock=lambda: now[0])
    store.add_user("root", "admin", "root-pass-123")
    key = store.create_key("root")
    for i in range(A.MAX_FAILURES):
        with pytest.raises(A.AuthError, match="无效"):
            store.verify_key(f"kc_guess{i}", "10.0.0.9")
    with pytest.raises(A.LockedOutError, match="API 密钥错误次数过多，来自 10.0.0.9") as info:
        store.verify_key(key, "10.0.0.9")  # even the right key, from this client, for a while
    assert info.value.retry_after_s == pytest.approx(A.LOCKOUT_S)
    assert store.verify_key(key, "10.0.0.10").name == "root"  # another client is not locked
    now[0] = A.LOCKOUT_S + 1
    assert store.verify_key(key, "10.0.0.9").name == "root"
    store.close()


def test_the_shared_password_locks_like_an_account(tmp_path):
    store = A.AccountStore(tmp_path / "a.sqlite")
    for _ in range(A.MAX_FAILURES):
        with pytest.raises(A.AuthError, match="不对"):
            store.verify_shared("admin", "guess", "admin", "shared-pass")
    with pytest.raises(A.LockedOutError, match="用户名 admin 已暂时锁定"):
        store.verify_shared("admin", "shared-pass", "admin", "shared-pass")
    store.close()
