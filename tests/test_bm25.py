"""The BM25 index: scores equal to bm25s's (the library the matrix used to be built with, here the oracle),
filters, the saved layout (memory-mapped, one directory per version), and a build that reads the manifest as a
stream."""

from __future__ import annotations

import json
import random

import bm25s
import numpy as np
import pytest

from assistant.bm25 import BM25Index, best, build_snapshot, filter_mask
from assistant.manifest import Manifest
from assistant.types import Chunk, Document

WORDS = [f"词{i}" for i in range(400)] + ["高企", "认定", "条件", "巴州", "棉花"]


def _rows(seed: int, n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        # Zipf-like: early words are frequent; some chunks have no tokens at all, some repeat one token
        toks = [WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)] for _ in range(rng.choice([0, 1, 5, 40, 120]))]
        meta = {"region": rng.choice(["巴州", "成都市", None]), "type": rng.choice(["policy", "need"]),
                "source": f"doc{i // 7}", "kb": rng.choice(["default", "kb2"]),
                "date_int": rng.choice([0, 20230101, 20240615])}
        rows.append((f"c{i:05d}", json.dumps(toks, ensure_ascii=False), json.dumps(meta, ensure_ascii=False)))
    return rows


def _oracle(rows):
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in (json.loads(tok) or [""])] for _, tok, _ in rows]
    model = bm25s.BM25()
    model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=dict(vocab)), show_progress=False)  # it adds ""
    return model, vocab


@pytest.mark.parametrize("dense", [False, True], ids=["scattered", "common-terms-dense"])
@pytest.mark.parametrize("seed,n", [(1, 1), (2, 30), (3, 700), (4, 2500)])
def test_scores_equal_bm25s(seed, n, dense, monkeypatch):
    monkeypatch.setattr("assistant.bm25._BLOCK_TOKENS", 1000)  # many counting blocks, as at a million chunks
    if dense:  # the commonest terms get full rows, as from 50,000 chunks on
        monkeypatch.setattr("assistant.bm25._DENSE_MIN_CHUNKS", 0)
        monkeypatch.setattr("assistant.bm25._DENSE_TERMS", 5)
    rows = _rows(seed, n)
    snap = build_snapshot(1, iter(rows))
    assert (len(snap.dense) > 0) == dense
    model, vocab = _oracle(rows)
    assert snap.vocab == vocab and snap.ids == [r[0] for r in rows]
    rng = random.Random(seed)
    for _ in range(100):
        q = list(dict.fromkeys(rng.choice(WORDS) for _ in range(rng.randint(1, 6))))
        qi = [vocab[t] for t in q if t in vocab]
        if qi:
            np.testing.assert_allclose(snap.scores(qi), model.get_scores(qi), rtol=1e-6, atol=1e-7)


def test_blocks_spilled_to_disk_build_the_same_matrix(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.bm25._BLOCK_TOKENS", 500)
    rows = _rows(6, 1500)
    kept = build_snapshot(1, iter(rows))
    spill = tmp_path / "spill"
    spilled = build_snapshot(1, iter(rows), spill)
    assert spill.is_dir() and not list(spill.iterdir())  # blocks were written there, and each removed once placed
    for key in ("data", "rows", "indptr"):
        np.testing.assert_array_equal(getattr(spilled, key), getattr(kept, key))
    for t in range(len(kept.vocab)):  # term-major, a term's chunks in order
        chunks = kept.rows[kept.indptr[t]:kept.indptr[t + 1]]
        assert (np.diff(chunks) > 0).all()


def test_filters_match_the_metadata():
    rows = _rows(5, 600)
    snap = build_snapshot(1, iter(rows))
    metas = [json.loads(m) for _, _, m in rows]
    cases = [
        ({"regions": ["巴州"]}, lambda m: m["region"] == "巴州"),
        ({"regions": ["巴州", "成都市"], "types": ["need"]}, lambda m: m["region"] in ("巴州", "成都市") and m["type"] == "need"),
        ({"regions": ["没有这个地方"]}, lambda m: False),
        ({"sources": ["doc3", "doc9"]}, lambda m: m["source"] in ("doc3", "doc9")),
        ({"kbs": []}, lambda m: False),
        ({"kbs": ["kb2"]}, lambda m: m["kb"] == "kb2"),
        ({"date_from": 20240101}, lambda m: m["date_int"] >= 20240101),
        ({"date_to": 20231231}, lambda m: m["date_int"] <= 20231231),
    ]
    assert filter_mask(snap) is None
    for filters, want in cases:
        assert filter_mask(snap, **filters).tolist() == [want(m) for m in metas], filters


def _manifest(tmp_path, n_docs: int, start: int = 0) -> Manifest:
    man = Manifest(tmp_path / "manifest.sqlite")
    rng = random.Random(n_docs + start)
    for d in range(start, start + n_docs):
        doc = Document(source=f"doc{d}", title=f"文档{d}", text="", region=rng.choice(["巴州", "泰安市"]),
                       doc_type="policy", content_hash=f"h{d}")
        chunks, toks = [], []
        for j in range(3):
            words = [rng.choice(WORDS[:50]) for _ in range(20)] + (["棉花"] if d % 5 == 0 else [])
            chunks.append(Chunk(chunk_id=f"d{d}-{j}", source=doc.source, title=doc.title, text=" ".join(words),
                                start=0, end=1, ordinal=j, metadata={"source": doc.source, "region": doc.region,
                                                                     "type": "policy", "kb": "default"}))
            toks.append(words)
        man.mark_pending(doc, doc.source)
        man.commit_document(doc, doc.source, chunks, toks)
    return man


def test_saved_index_is_memory_mapped_and_reloaded(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.bm25._DENSE_MIN_CHUNKS", 0)  # the common terms' rows are saved and mapped too
    man = _manifest(tmp_path, 40)
    idx = BM25Index(tmp_path / "bm25")
    idx.ensure(man)
    hits = idx.search(["棉花"], 10)
    assert hits and all(cid.split("-")[0] in {f"d{d}" for d in range(0, 40, 5)} for cid, _ in hits)
    again = BM25Index(tmp_path / "bm25")  # another process: loads what was saved, does not rebuild
    again._build = lambda *_: pytest.fail("rebuilt although the saved index is current")
    again.ensure(man)
    assert isinstance(again._snap.data, np.memmap) and again.search(["棉花"], 10) == hits
    assert isinstance(again._snap.dense, np.memmap) and len(again._snap.dense) > 0
    common = max(again._snap.vocab, key=lambda t: again._snap.dense_row[again._snap.vocab[t]])
    assert again.search([common, "棉花"], 30) == idx.search([common, "棉花"], 30)
    every = again.search(["棉花"], 1000)
    assert len(every) == 24 and {c for c, _ in every} >= {c for c, _ in hits}
    in_bazhou = {c for c, _ in again.search(["棉花"], 1000, regions=["巴州"])}
    assert in_bazhou and in_bazhou == {c for c, _ in every if man.chunk(c)["metadata"]["region"] == "巴州"}


def test_a_rebuild_leaves_a_mapped_older_version_readable(tmp_path):
    man = _manifest(tmp_path, 20)
    reader = BM25Index(tmp_path / "bm25")
    reader.ensure(man)
    before = reader.search(["棉花"], 50)
    _manifest(tmp_path, 20, start=20)  # more documents: a new version
    writer = BM25Index(tmp_path / "bm25")
    writer.ensure(man)
    assert len(writer.search(["棉花"], 50)) > len(before)
    assert len([p for p in (tmp_path / "bm25").iterdir() if p.is_dir()]) == 1  # the old directory is removed …
    assert reader.search(["棉花"], 50) == before  # … while the reader still has it mapped


def test_an_index_saved_in_the_older_layout_is_rebuilt(tmp_path):
    man = _manifest(tmp_path, 10)
    d = tmp_path / "bm25"
    (d / "model").mkdir(parents=True)
    (d / "side.json").write_text("{}", encoding="utf-8")
    (d / "stamp.json").write_text(json.dumps({"version": man.version(), "n": 30}), encoding="utf-8")
    idx = BM25Index(d)
    idx.ensure(man)
    assert idx.search(["棉花"], 5)
    assert not (d / "model").exists() and not (d / "side.json").exists()


def test_an_empty_manifest_searches_to_nothing(tmp_path):
    idx = BM25Index(tmp_path / "bm25")
    idx.ensure(Manifest(tmp_path / "m.sqlite"))
    assert idx.search(["棉花"], 5) == [] and idx.search(["棉花"], 5, kbs=[]) == []


@pytest.mark.parametrize("kind", ["distinct", "sparse", "ties", "few"])
def test_best_through_a_sampled_threshold_equals_a_full_partition(kind):
    """``best`` narrows long arrays by a threshold read off a sample; it returns the n highest scores, highest
    first, as a sort of the whole array does (equal scores in a fixed order, not by position)."""
    rng = np.random.default_rng(len(kind))
    for _ in range(40):
        size, n = int(rng.choice([70_000, 300_000])), int(rng.choice([1, 6, 40, 80, 500]))
        if kind == "distinct":
            s = rng.permutation(size).astype(np.float32)
        elif kind == "sparse":
            s = np.where(rng.random(size) < 0.3, rng.random(size), 0).astype(np.float32)
        elif kind == "ties":
            s = np.round(rng.random(size) * 5).astype(np.float32)
        else:  # a few chunks score, the rest 0
            s = np.bincount(rng.integers(0, size, 10), minlength=size).astype(np.float32)
        got, want = best(s, n), np.lexsort((np.arange(size), -s))[:n]  # by score, highest first
        np.testing.assert_array_equal(s[got], s[want])  # the same scores in the same order
        assert len(set(got.tolist())) == n  # n different chunks
        np.testing.assert_array_equal(best(s, n), got)  # the same input, the same output
        if kind == "distinct":
            np.testing.assert_array_equal(got, want)

