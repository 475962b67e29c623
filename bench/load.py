"""Bounded load test on loopback: N concurrent chat requests through the app's HTTP interface (the Gradio
API endpoint /ask, called with gradio_client), reporting throughput, p50/p95 latency and errors.

    .venv/bin/python -m bench.load --requests 40 --concurrency 4 [--embedding e5]
    .venv/bin/python -m bench.load --requests 20 --concurrency 2 --during-ingest 4000   # p95 while ingesting

Only 127.0.0.1 is ever contacted; the loop is bounded in count and time and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

QUESTIONS = ["高企认定需要满足哪些条件？", "研发费用加计扣除的比例是多少？", "科小评价对企业规模有什么要求？",
             "巴州的院士专家工作站能获得多少资助？", "揭榜挂帅项目的支持比例", "科技特派员有哪些补助",
             "知识产权质押融资贴息比例", "火星基地建设补贴是多少"]
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(requests: int = 40, concurrency: int = 4, embedding: str = "e5", data_dir: Path | None = None,
        time_limit_s: float = 300.0) -> dict:
    from gradio_client import Client

    from assistant.knowledge_base import KnowledgeBase
    from assistant.settings import Settings
    from ui.app import launch

    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="kc-load-"))
    settings = Settings(data_dir=data_dir, embedding={"provider": embedding})
    kb = KnowledgeBase(settings)
    kb.ingest([ROOT / "corpora"])
    kb.close()
    port = _free_port()
    app = launch(settings, host="127.0.0.1", port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.time() + time_limit_s

    def one(i: int) -> None:
        if time.time() > deadline:
            errors.append("skipped: time limit")
            return
        client = Client(url, verbose=False)
        t = time.perf_counter()
        try:
            out = client.predict(QUESTIONS[i % len(QUESTIONS)], api_name="/ask")
            if not isinstance(out, dict) or "answer" not in out:
                errors.append(f"bad response: {str(out)[:80]}")
        except Exception as exc:  # noqa: BLE001 - counted as an error
            errors.append(f"{type(exc).__name__}: {exc}"[:120])
        latencies.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(requests)))
    finally:
        app.close()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {"requests": requests, "concurrency": concurrency, "embedding": embedding, "errors": len(errors),
            "error_samples": errors[:3], "wall_s": round(wall, 2), "throughput_rps": round(requests / wall, 2),
            "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(lat[min(len(lat) - 1, int(0.95 * (len(lat) - 1) + 0.5))], 1)}


def _needs_file(path: Path, n: int) -> Path:
    """``n`` need records, each with its own text, new at every run (no embedding is cached)."""
    fields = ["石油化工", "纺织", "农业", "新材料", "电子信息", "生物医药"]
    run = time.strftime("%H%M%S")
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({
                "id": f"load-need-{i:05d}", "type": "need", "name": f"第{i}号{fields[i % 6]}技术攻关需求",
                "region": "巴州", "field": fields[i % 6], "date": "2025-03-20",
                "description": f"某企业（批次{run}）第{i}号需求：希望把第{i % 97}道工序的能耗降低{i % 30 + 5}%，"
                               f"预算约{i % 200 + 20}万元，期望{i % 12 + 1}个月内完成，欢迎高校院所揭榜。"},
                ensure_ascii=False) + "\n")
    return path


def _percentile(xs: list[float], q: float) -> float:
    lat = sorted(xs)
    return round(lat[min(len(lat) - 1, int(q * (len(lat) - 1) + 0.5))], 1)


def run_during_ingest(requests: int = 20, concurrency: int = 2, embedding: str = "e5", records: int = 4000,
                      data_dir: Path | None = None, ask_after_s: float = 30.0) -> dict:
    """Questions through `kechuang serve`'s API (``POST /api/v1/ask``), first idle, then, ``ask_after_s`` after a
    background job of the same server started ingesting ``records`` need records (the file is read by then and
    its records are being embedded), again: p50/p95 of each and their ratio."""
    import threading

    import httpx
    import uvicorn

    from assistant.knowledge_base import KnowledgeBase
    from assistant.settings import Settings
    from ui.app import create_server

    work = data_dir or Path(tempfile.mkdtemp(prefix="kc-load-ingest-"))
    settings = Settings(data_dir=work / "data", embedding={"provider": embedding})
    kb = KnowledgeBase(settings)
    kb.ingest([ROOT / "corpora"])
    kb.close()
    big = _needs_file(work / "load_needs.jsonl", records)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_server(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    base = f"http://127.0.0.1:{port}/api/v1"

    def ask_all() -> list[float]:
        out: list[float] = []

        def one(i: int) -> None:
            with httpx.Client(timeout=600) as c:
                t = time.perf_counter()
                r = c.post(base + "/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                r.raise_for_status()
                out.append((time.perf_counter() - t) * 1000)

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(requests)))
        return out

    try:
        ask_all()  # warm: models loaded, caches filled
        idle = ask_all()
        with httpx.Client(timeout=600) as c:
            with big.open("rb") as fh:
                job = c.post(base + "/documents", files=[("files", (big.name, fh, "application/octet-stream"))],
                             data={"wait": "false"}).json()
            t0 = time.perf_counter()
            time.sleep(ask_after_s)  # past reading the file (in the worker): into its embedding
            busy = ask_all()
            asked_s = time.perf_counter() - t0
            state = c.get(f"{base}/documents/jobs/{job['id']}").json()
            running = state["state"] == "running"  # the questions were all asked while the ingest ran
            while state["state"] == "running":
                time.sleep(1)
                state = c.get(f"{base}/documents/jobs/{job['id']}").json()
            ingest_s = time.perf_counter() - t0
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    return {"requests": requests, "concurrency": concurrency, "embedding": embedding, "records": records,
            "idle_p50_ms": _percentile(idle, 0.5), "idle_p95_ms": _percentile(idle, 0.95),
            "ingest_p50_ms": _percentile(busy, 0.5), "ingest_p95_ms": _percentile(busy, 0.95),
            "p95_ratio": round(_percentile(busy, 0.95) / max(1e-9, _percentile(idle, 0.95)), 2),
            "all_asked_during_ingest": running, "asked_from_s": ask_after_s,
            "asked_until_s": round(asked_s, 1), "ingest_s": round(ingest_s, 1),
            "ingest_files": state.get("files")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--embedding", default="e5", choices=["e5", "fake"])
    ap.add_argument("--during-ingest", type=int, metavar="RECORDS", default=0,
                    help="ask while a background ingest of this many need records runs; report p95 against idle")
    ap.add_argument("--write", action="store_true",
                    help="with --during-ingest: put the figures into bench/RESULTS.md (its own section)")
    args = ap.parse_args()
    if args.during_ingest:
        result = run_during_ingest(args.requests, args.concurrency, args.embedding, args.during_ingest)
        if args.write:
            from bench.results_md import write_section

            command = " ".join([".venv/bin/python -m bench.load", *sys.argv[1:]])
            write_section(SECTION, render_during_ingest(result, command))
    else:
        result = run(args.requests, args.concurrency, args.embedding)
    print(json.dumps(result, ensure_ascii=False, indent=2))


SECTION = "Questions during an ingest"


def render_during_ingest(r: dict, command: str) -> str:
    return "\n".join([
        f"## {SECTION}", "",
        f"Measured by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `kechuang serve`'s "
        f"application on 127.0.0.1, {r['requests']} questions at concurrency {r['concurrency']} through "
        f"`POST /api/v1/ask` (offline answers, {r['embedding']} embeddings), first idle, then from "
        f"{r['asked_from_s']:.0f} s into a background upload of {r['records']:,} new need records (until "
        f"{r['asked_until_s']} s; the ingest took {r['ingest_s']} s"
        + ("" if r["all_asked_during_ingest"] else "; **some questions came after it ended**") + ").", "",
        "| | p50 | p95 |", "|---|---|---|",
        f"| idle | {r['idle_p50_ms']} ms | {r['idle_p95_ms']} ms |",
        f"| during the ingest | {r['ingest_p50_ms']} ms | {r['ingest_p95_ms']} ms |",
        f"| ratio | | **{r['p95_ratio']}×** (the issue asks at most 3×) |", ""])


if __name__ == "__main__":
    main()
