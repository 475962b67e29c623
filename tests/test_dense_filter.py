"""A filtered dense search asks the vector index for more neighbours, unfiltered, and filters them with the BM25
snapshot's columns (Chroma's own ``where`` read every matching id first: 0.6–0.8 s at a million chunks). It must
return what the index's own filtered search returns: for broad filters, for selective ones beyond the over-fetch
limit, and when the query's neighbours all lie outside the filter (too few pass: the index filters itself)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from assistant.bm25 import filter_mask
from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters
from assistant.types import Chunk, Document

REGIONS = ["巴州", "泰安市", "镇江市", "成都市"]
TYPES = ["policy", "need"]


def _build(settings, mode: str) -> KnowledgeBase:
    """600 chunks in 30 documents; vectors drawn around one centre per region, so that a query near one region's
    centre has all its nearest neighbours in that region. Searched through Chroma's graph ("graph", as an index
    above ``exact_dense_max_chunks``) or exactly from the copy of the vectors ("exact")."""
    if mode == "graph":
        settings = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(
            update={"exact_dense_max_chunks": 0})})
    kb = KnowledgeBase(settings)
    kb.mode = mode
    rng = random.Random(7)
    np_rng = np.random.default_rng(7)
    dim = settings.embedding.dimensions
    centres = {r: np_rng.standard_normal(dim) for r in REGIONS}
    for d in range(30):
        region, dtype = REGIONS[d % 4], TYPES[(d // 4) % 2]
        doc = Document(source=f"doc{d:02d}", title=f"文档{d}", text="", region=region, doc_type=dtype,
                       content_hash=f"h{d}")
        chunks, toks = [], []
        for j in range(20):
            cid = f"doc{d:02d}-{j:02d}"
            chunks.append(Chunk(chunk_id=cid, source=doc.source, title=doc.title, text=f"正文{d}-{j}", start=0,
                                end=1, ordinal=j, metadata={"source": doc.source, "region": region, "type": dtype,
                                                            "kb": "default" if d < 25 else "other",
                                                            "date_int": 20230101 + (d % 3) * 10000}))
            toks.append([f"词{rng.randrange(50)}" for _ in range(10)])
        vecs = centres[region] + 0.6 * np_rng.standard_normal((20, dim))
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        kb._manifest.mark_pending(doc, doc.source)
        kb._store.upsert([c.chunk_id for c in chunks], vecs.tolist(), [c.text for c in chunks],
                         [c.metadata for c in chunks])
        kb._manifest.commit_document(doc, doc.source, chunks, toks)
    kb.centres = centres
    return kb


@pytest.fixture(params=["graph", "exact"])
def kb(request, fake_settings):
    kb = _build(fake_settings, request.param)
    yield kb
    kb.close()


@pytest.fixture
def graph_kb(fake_settings):
    kb = _build(fake_settings, "graph")
    yield kb
    kb.close()


@pytest.fixture
def exact_kb(fake_settings):
    kb = _build(fake_settings, "exact")
    yield kb
    kb.close()


FILTERS = [
    SearchFilters(regions=["巴州"]),
    SearchFilters(regions=["泰安市", "成都市"], types=["need"]),
    SearchFilters(types=["policy"]),
    SearchFilters(kbs=["default"]),
    SearchFilters(kbs=["other"]),
    SearchFilters(kbs=[]),
    SearchFilters(sources=["doc03"]),
    SearchFilters(regions=["巴州"], date_from=date(2024, 1, 1)),
    SearchFilters(regions=["不存在"]),
]


def _truth(kb, vec, filters: SearchFilters, n: int) -> list[str]:
    """The true nearest chunks passing the filters, by brute force over every stored vector."""
    every = kb._store._col.get(include=["embeddings", "metadatas"])
    sims = np.asarray(every["embeddings"]) @ np.asarray(vec)
    snap = kb._bm25.snapshot
    mask = filter_mask(snap, **filters.bm25_kwargs())
    ok = [i for i, cid in enumerate(every["ids"]) if cid in snap.row_of and (mask is None or mask[snap.row_of[cid]])]
    return [every["ids"][i] for i in sorted(ok, key=lambda i: -sims[i])][:n]


def test_filtered_dense_finds_the_true_neighbours(kb):
    """Against brute force: recall@40 of every (filter, query) pair, and the first ten in order. The index is
    approximate (HNSW), whether it filters or we do."""
    kb._bm25.ensure(kb._manifest)
    recalls = []
    for near in REGIONS:
        rng = np.random.default_rng(len(near))
        for trial in range(3):
            q = kb.centres[near] + (0.3 + 0.3 * trial) * rng.standard_normal(len(kb.centres[near]))
            vec = (q / np.linalg.norm(q)).tolist()
            for filters in FILTERS:
                truth = _truth(kb, vec, filters, 40)
                got = [c for c, _ in kb._backend.dense(vec, 40, filters)]
                assert len(got) == len(truth), (near, filters)
                if truth:
                    recalls.append(len(set(got) & set(truth)) / len(truth))
                    assert got[:10] == truth[:10], (near, filters)
    assert min(recalls) >= 0.9 and sum(recalls) / len(recalls) >= 0.97, recalls
    if kb.mode == "exact":
        assert recalls == [1.0] * len(recalls)


def test_exact_search_opens_no_chroma_and_follows_new_versions(exact_kb):
    """A process that only searches a small index reads the copy of the vectors that the first search saved and
    never opens Chroma; a new document (a new snapshot) gets a new copy."""
    kb = exact_kb
    vec = (kb.centres["巴州"] / np.linalg.norm(kb.centres["巴州"])).tolist()
    first = kb._backend.dense(vec, 10, SearchFilters())
    assert len(list((kb.index_dir / "vectors").glob("*.npy"))) == 1
    reader = KnowledgeBase(kb.settings)  # another process, say `kechuang search`
    assert reader._store_obj is None
    assert reader._backend.dense(vec, 10, SearchFilters()) == first
    assert reader._store_obj is None, "Chroma was opened for an exact search"
    doc = Document(source="new", title="新文档", text="", region="巴州", doc_type="policy", content_hash="hnew")
    chunk = Chunk(chunk_id="new-00", source="new", title="新文档", text="正文", start=0, end=1, ordinal=0,
                  metadata={"source": "new", "region": "巴州", "type": "policy", "kb": "default"})
    kb._manifest.mark_pending(doc, "new")
    kb._store.upsert(["new-00"], [vec], ["正文"], [chunk.metadata])
    kb._manifest.commit_document(doc, "new", [chunk], [["词1"]])
    top = reader._backend.dense(vec, 1, SearchFilters(regions=["巴州"]))
    assert top[0][0] == "new-00" and top[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len(list((kb.index_dir / "vectors").glob("*.npy"))) == 1  # the older copy is gone
    reader.close()


def test_the_index_is_asked_without_filter_when_the_share_passing_is_large(graph_kb, monkeypatch):
    kb = graph_kb
    kb._bm25.ensure(kb._manifest)
    calls = []
    query = kb._store.query
    monkeypatch.setattr(kb._store, "query", lambda v, n, where: (calls.append((n, where)), query(v, n, where))[1])
    vec = (kb.centres["巴州"] / np.linalg.norm(kb.centres["巴州"])).tolist()
    f = SearchFilters(regions=["巴州"])
    got = kb._backend.dense(vec, 40, f)
    assert calls == [(300, None)] and len(got) == 40  # 160 of 600 pass: 40 × 600/160 × 2 asked, unfiltered
    calls.clear()  # one document of thirty: 40 × 30 × 2 exceeds the limit, the index filters at once
    f = SearchFilters(sources=["doc03"])
    kb._backend.dense(vec, 40, f)
    assert calls == [(40, f.chroma_where())]
    f = SearchFilters(regions=["巴州"])
    calls.clear()  # near another region: the passing chunks come only deep in the list, the index filters itself
    vec = (kb.centres["镇江市"] / np.linalg.norm(kb.centres["镇江市"])).tolist()
    got = kb._backend.dense(vec, 40, f)
    assert calls == [(300, None), (40, f.chroma_where())] and len(got) == 40


def test_filtered_search_through_the_knowledge_base(kb):
    hits = kb.search("词3 词7", k=10, filters=SearchFilters(regions=["巴州"]), mode="dense")
    assert hits and {h.metadata["region"] for h in hits} == {"巴州"}
    hits = kb.search("词3 词7", k=10, filters=SearchFilters(regions=["巴州"], types=["policy"]), mode="hybrid")
    assert hits and all(h.metadata["region"] == "巴州" and h.metadata["type"] == "policy" for h in hits)


def test_a_filtered_hybrid_query_computes_its_mask_once(kb, monkeypatch):
    import assistant.backend as backend

    computed = []
    real = backend.filter_mask
    monkeypatch.setattr(backend, "filter_mask", lambda snap, **kw: (computed.append(kw), real(snap, **kw))[1])
    f = SearchFilters(regions=["巴州"], types=["policy"])
    first = kb.search("词3 词7", k=10, filters=f, mode="hybrid")
    assert len(computed) == 1  # BM25 and dense share it
    assert kb.search("词3 词7", k=10, filters=f, mode="hybrid") == first and len(computed) == 1
    other = kb.search("词3 词7", k=10, filters=SearchFilters(regions=["泰安市"]), mode="hybrid")
    assert len(computed) == 2 and other and all(h.metadata["region"] == "泰安市" for h in other)
