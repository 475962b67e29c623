"""Hybrid retrieval: BM25 over jieba tokens plus dense search in Chroma, fused by reciprocal rank,
with metadata filters and synonym expansion; also exposed as a LangChain retriever."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant._text import search_key, tokenize
from assistant.backend import RetrievalBackend
from assistant.domain import dates, regions
from assistant.settings import RetrievalSettings
from assistant.synonyms import expansions
from assistant.types import Context

Mode = Literal["hybrid", "bm25", "dense"]


class SearchFilters(BaseModel):
    types: list[str] | None = Field(None, description="Document or record types: policy, news, need, expert …")
    regions: list[str] | None = None
    sources: list[str] | None = None
    kbs: list[str] | None = Field(None, description="Knowledge bases (ids) to search; None: all")
    date_from: date | None = None
    date_to: date | None = None

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.types:
            clauses.append({"type": {"$in": self.types}})
        if self.regions:
            clauses.append({"region": {"$in": self.regions}})
        if self.sources:
            clauses.append({"source": {"$in": self.sources}})
        if self.kbs is not None:
            clauses.append({"kb": {"$in": self.kbs or [""]}})
        if self.date_from:
            clauses.append({"date_int": {"$gte": _dint(self.date_from)}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": _dint(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def bm25_kwargs(self) -> dict[str, Any]:
        return {"types": self.types, "regions": self.regions, "sources": self.sources, "kbs": self.kbs,
                "date_from": _dint(self.date_from) if self.date_from else None,
                "date_to": _dint(self.date_to) if self.date_to else None}


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical-query")


def _dint(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


class HybridSearcher:
    """The knowledge base's search engine over its private parts (the manifest for passages, a retrieval backend
    for the two rankings, see ``assistant.backend``); callers use ``KnowledgeBase.search``."""

    def __init__(self, settings: Callable[[], RetrievalSettings], manifest, backend: RetrievalBackend,
                 embeddings: Callable[[], Any]):
        self._settings, self._manifest, self._backend, self._embeddings = settings, manifest, backend, embeddings

    @property
    def settings(self) -> RetrievalSettings:
        """Read at every search: the knowledge base's settings may be swapped (evaluation configurations)."""
        return self._settings()

    def query_terms(self, query: str) -> tuple[list[str], list[str], list[str]]:
        """(tokens of the query, tokens added by synonym expansion, the expansion terms themselves)."""
        base = tokenize(dates.normalize_years(query))  # "二〇二三年" / "23年" as documents write years
        extra: list[str] = []
        terms = expansions(query) if self.settings.expand_synonyms else []
        for term in terms:
            extra.extend(t for t in tokenize(term) if t not in base and t not in extra)
        return base, extra, terms

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None,
               mode: Mode | None = None) -> list[Context]:
        query = (query or "").strip()
        if not query:
            return []
        k = k or self.settings.k
        mode = mode or self.settings.mode
        filters = filters or SearchFilters()
        n = max(self.settings.candidates, k)
        base, extra, expanded = self.query_terms(query)
        bm25_hits: list[tuple[str, float]] = []
        dense_hits: list[tuple[str, float]] = []
        lexical = None
        if mode == "hybrid":  # both signals at once: the matrix sums and the embedding release the GIL
            lexical = _POOL.submit(self._backend.lexical, base + extra, n, filters)
        elif mode == "bm25":
            bm25_hits = self._backend.lexical(base + extra, n, filters)
        if mode in ("hybrid", "dense"):
            qtext = query if not extra else f"{query}（{'、'.join(expanded[:3])}）"
            vec = self._embeddings().embed_query(search_key(qtext))
            dense_hits = self._backend.dense(vec, n, filters)
        if lexical is not None:
            bm25_hits = lexical.result()
        fused: dict[str, float] = {}
        for hits, weight in ((bm25_hits, self.settings.bm25_weight), (dense_hits, self.settings.dense_weight)):
            for rank, (cid, _) in enumerate(hits):
                fused[cid] = fused.get(cid, 0.0) + weight / (self.settings.rrf_k + rank + 1)
        bm25_rank = {cid: (r + 1, s) for r, (cid, s) in enumerate(bm25_hits)}
        dense_rank = {cid: (r + 1, s) for r, (cid, s) in enumerate(dense_hits)}
        rows = self._prefer_asked_place(query, fused)
        order = sorted(fused, key=lambda c: -fused[c])
        if rows is None:
            rows = self._manifest.chunks_by_id(order[: k * 3])
        query_terms = list(dict.fromkeys(base + extra))
        out: list[Context] = []
        for cid in order:
            row = rows.get(cid)
            if row is None:  # a chunk of a document that is being (re)ingested right now
                continue
            toks = set(row["tokens"])
            out.append(Context(
                chunk_id=cid, source=row["source"], title=row["title"], heading=row["heading"] or "",
                text=row["text"], start=row["start"], end=row["end"], score=round(fused[cid], 6),
                bm25_score=bm25_rank.get(cid, (None, None))[1], bm25_rank=bm25_rank.get(cid, (None, None))[0],
                dense_score=dense_rank.get(cid, (None, None))[1], dense_rank=dense_rank.get(cid, (None, None))[0],
                matched_terms=[t for t in query_terms if t in toks],
                metadata=row["metadata"],
            ))
            if len(out) >= k:
                break
        return out

    def _prefer_asked_place(self, query: str, fused: dict[str, float]) -> dict[str, dict] | None:
        """A question that pins a place down ("成都知识产权质押融资贴息…") is about that place: passages of
        documents (or compilation articles) about another place have their fused score multiplied by
        ``other_place_factor``, national ones or of no known place by half as much, those of the place keep it.
        Returns the candidates' rows when it had to read them (None when the query names no place)."""
        factor = self.settings.other_place_factor
        asked = [m.region for m in regions.find_regions(query) if m.region.path != regions.COUNTRY]
        if not asked or factor >= 1 or not fused:
            return None
        rows = self._manifest.chunks_by_id(list(fused))
        fits: dict[str, int] = {"?": -1}  # "?": an article of a compilation that names no place, i.e. another's
        for cid, row in rows.items():
            meta = row["metadata"] or {}
            place = str(meta.get("article_region") or "") or str(meta.get("region") or "")
            if place not in fits:  # passages share a few places: each is placed once
                fits[place] = regions.place_fit(place or None, asked)
            fused[cid] *= {1: 1.0, 0: (1 + factor) / 2, -1: factor}[fits[place]]
        return rows


def __getattr__(name: str):
    """``KechuangRetriever`` lives in ``assistant.langchain_retriever`` (LangChain is imported only by what uses
    it: a CLI search need not pay for it)."""
    if name == "KechuangRetriever":
        from assistant.langchain_retriever import KechuangRetriever

        return KechuangRetriever
    raise AttributeError(name)
