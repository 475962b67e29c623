import pytest
from pydantic import ValidationError

from assistant.settings import Settings
from assistant.store import collection_name


def test_env_prefix_and_nesting(monkeypatch):
    monkeypatch.setenv("KECHUANG_RETRIEVAL__K", "9")
    monkeypatch.setenv("KECHUANG_SOMETHING_UNKNOWN", "1")  # unknown top-level: ignored
    assert Settings().retrieval.k == 9


def test_typo_in_nested_setting_fails(monkeypatch):
    monkeypatch.setenv("KECHUANG_RETRIEVAL__KK", "9")
    with pytest.raises(ValidationError):
        Settings()


def test_collection_name_follows_embedding_and_chunking():
    a = Settings()
    b = Settings(chunking={"chunk_tokens": 200})
    c = Settings(embedding={"provider": "openai", "model": "text-embedding-3-small"})
    names = {collection_name(s) for s in (a, b, c)}
    assert len(names) == 3
    assert collection_name(Settings()) == collection_name(a)
    assert Settings(retrieval={"k": 3}).index_fingerprint() == a.index_fingerprint()


def test_secrets_not_in_fingerprint_or_repr():
    s = Settings(embedding={"provider": "openai", "api_key": "sk-secret-123", "base_url": "http://127.0.0.1:9"})
    assert "sk-secret-123" not in repr(s) and "sk-secret-123" not in s.fingerprint()
