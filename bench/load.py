"""Bounded load test on loopback: N concurrent chat requests through the app's HTTP interface (the Gradio
API endpoint /ask, called with gradio_client), reporting throughput, p50/p95 latency and errors.

    .venv/bin/python -m bench.load --requests 40 --concurrency 4 [--embedding e5]

Only 127.0.0.1 is ever contacted; the loop is bounded in count and time and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--embedding", default="e5", choices=["e5", "fake"])
    args = ap.parse_args()
    print(json.dumps(run(args.requests, args.concurrency, args.embedding), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
