"""The vector store: Chroma, embedded on disk under the data directory, or a Chroma server when
``store.host`` is set. Same code path for both. The collection name derives from the settings that
shape the index, so a change of embedding model or chunking never queries a stale index."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from assistant.errors import StoreError
from assistant.settings import Settings

log = logging.getLogger(__name__)


def collection_name(settings: Settings) -> str:
    model = re.sub(r"[^a-zA-Z0-9]+", "-", f"{settings.embedding.provider}-{settings.embedding.model}").strip("-")
    if settings.embedding.provider == "fake":
        model = f"fake-{settings.embedding.dimensions}"
    return f"kc-{model[:40]}-{settings.index_fingerprint()}"


# Set when this module is imported, not when Chroma is first opened: the read worker restarts when the
# environment changes (assistant.ingest.worker), and Chroma is opened lazily, in the middle of a first ingest.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    for name in ("chromadb.telemetry", "chromadb.telemetry.product.posthog"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        if settings.store.host:
            return chromadb.HttpClient(host=settings.store.host, port=settings.store.port,
                                       ssl=settings.store.ssl, settings=chroma_settings)
        path = settings.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        where = (f"{settings.store.host}:{settings.store.port}" if settings.store.host
                 else str(settings.data_dir / "chroma"))
        raise StoreError(f"无法打开 Chroma（{where}）：{exc}。检查 KECHUANG_STORE__HOST/PORT 或数据目录权限。") from exc


class VectorStore:
    def __init__(self, settings: Settings):
        self.name = collection_name(settings)
        self._client = _client(settings)
        try:
            self._col = self._client.get_or_create_collection(
                self.name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
        except Exception as exc:
            raise StoreError(f"无法创建或打开 Chroma 集合 {self.name}：{exc}") from exc

    def count(self) -> int:
        return self._col.count()

    def upsert(self, ids: list[str], vectors: list[list[float]], texts: list[str],
               metadatas: list[dict[str, Any]], batch: int = 1000) -> None:
        for i in range(0, len(ids), batch):
            self._col.upsert(ids=ids[i:i + batch], embeddings=vectors[i:i + batch],
                             documents=texts[i:i + batch], metadatas=metadatas[i:i + batch])

    def update_metadata(self, ids: list[str], metadatas: list[dict[str, Any]], batch: int = 1000) -> None:
        for i in range(0, len(ids), batch):
            self._col.update(ids=ids[i:i + batch], metadatas=metadatas[i:i + batch])

    def ids(self, page: int = 5000) -> list[str]:
        """Every vector's id (read in pages)."""
        out: list[str] = []
        while True:
            got = self._col.get(include=[], limit=page, offset=len(out))["ids"]
            out.extend(got)
            if len(got) < page:
                return out

    def vectors(self, ids: list[str], page: int = 2000) -> dict[str, list[float]]:
        """The stored vectors of these ids (those it has)."""
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), page):
            got = self._col.get(ids=ids[i:i + page], include=["embeddings"])
            out.update(zip(got["ids"], got["embeddings"], strict=True))
        return out

    def delete_source(self, source: str) -> None:
        self._col.delete(where={"source": source})

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._col.delete(ids=ids[i:i + 1000])

    def query(self, vector: list[float], n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first. An empty collection answers an empty list. (No ``count()`` first:
        Chroma counts every record, 62 ms at a million chunks, 7 s on the first call, while the walk takes 2 ms.)"""
        res = self._col.query(query_embeddings=[vector], n_results=n, where=where or None,
                              include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
