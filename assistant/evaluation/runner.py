"""Run a golden set against one or more configurations side by side."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.chains import Assistant
from assistant.conversation import render_support
from assistant.evaluation import metrics as M
from assistant.evaluation.golden import GoldenCase
from assistant.knowledge_base import KnowledgeBase
from assistant.settings import Settings
from assistant.support import EnterpriseProfile, SupportFinder

BUILTIN_CONFIGS: dict[str, dict[str, Any]] = {
    "hybrid": {},
    "bm25": {"retrieval": {"mode": "bm25"}},
    "dense": {"retrieval": {"mode": "dense"}},
    "hybrid-k4": {"answer": {"k": 4}},
    "chunk200": {"chunking": {"chunk_tokens": 200, "overlap_tokens": 40}},
}


class EvalConfig(BaseModel):
    name: str
    overrides: dict[str, Any] = Field(default_factory=dict)
    description: str = ""


class CaseResult(BaseModel):
    id: str
    type: str
    question: str
    tags: list[str] = Field(default_factory=list)
    split: str = "dev"
    answer: str = ""
    refused: bool = False
    cited_sources: list[str] = Field(default_factory=list)
    retrieved_sources: list[str] = Field(default_factory=list)
    retrieved: list[dict[str, Any]] = Field(default_factory=list)  # passages for the drill-down
    citations: list[dict[str, Any]] = Field(default_factory=list)
    gold_sources: list[str] = Field(default_factory=list)
    must_include: list[str] = Field(default_factory=list)
    fact_hits: list[bool] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)
    latency_ms: float = 0.0
    usage: dict[str, int] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)
    error: str | None = None


class ConfigResult(BaseModel):
    name: str
    description: str = ""
    settings_fingerprint: str
    index_fingerprint: str
    prompt_hashes: dict[str, str]
    mode: str
    metrics: dict[str, float | None]
    by_type: dict[str, dict[str, float | None]]
    by_split: dict[str, dict[str, float | None]] = Field(default_factory=dict)  # dev / holdout
    cases: list[CaseResult]
    judge: dict[str, float | None] | None = None


class EvalRun(BaseModel):
    golden_set: str
    n_cases: int
    k: int
    corpus: list[str]
    started: str
    configs: list[ConfigResult]
    deltas: dict[str, dict[str, float | None]] = Field(default_factory=dict)  # vs the first configuration


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, v in over.items():
        out[key] = _merge(out[key], v) if isinstance(v, dict) and isinstance(out.get(key), dict) else v
    return out


def apply_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    data = _merge(settings.model_dump(), overrides)
    return Settings.model_validate(data)


def load_configs(names: list[str] | None, path: Path | None = None) -> list[EvalConfig]:
    table = dict(BUILTIN_CONFIGS)
    descriptions: dict[str, str] = {}
    if path and path.exists():
        for name, spec in json.loads(path.read_text(encoding="utf-8")).items():
            table[name] = spec.get("overrides", {})
            descriptions[name] = spec.get("description", "")
    names = names or ["hybrid"]
    unknown = [n for n in names if n not in table]
    if unknown:
        from assistant.errors import ConfigError

        raise ConfigError(f"未知的评测配置：{', '.join(unknown)}。可选：{', '.join(sorted(table))}")
    return [EvalConfig(name=n, overrides=table[n], description=descriptions.get(n, "")) for n in names]


def _as_gold(sources: list[str], gold: list[str], file_of: dict[str, str]) -> list[str]:
    """A golden set may name a record by its file ("experts.csv") rather than its id ("exp-xa-001"): a
    record then counts as its file."""
    return [file_of[s] if s not in gold and file_of.get(s) in gold else s for s in sources]


def _score_case(case: GoldenCase, res: CaseResult, k: int, file_of: dict[str, str] | None = None) -> None:
    gold = case.sources
    res.retrieved_sources = _as_gold(res.retrieved_sources, gold, file_of or {})
    res.cited_sources = list(dict.fromkeys(_as_gold(res.cited_sources, gold, file_of or {})))
    retrieved = res.retrieved_sources
    s: dict[str, float | None] = {}
    if case.answerable:
        s["hit@1"] = M.hit_at_k(retrieved, gold, 1)
        s["hit@k"] = M.hit_at_k(retrieved, gold, k)
        s["recall@k"] = M.recall_at_k(retrieved, gold, k)
        s["mrr"] = M.mrr(retrieved, gold)
        s["ndcg@k"] = M.ndcg_at_k(retrieved, gold, k)
        res.fact_hits = M.fact_hits(res.answer, case.must_include)
        s["fact_recall"] = (sum(res.fact_hits) / len(res.fact_hits)) if res.fact_hits else None
        s["citation_precision"] = M.citation_precision(res.cited_sources, gold)
        s["citation_recall"] = M.citation_recall(res.cited_sources, gold)
        s["false_refusal"] = float(res.refused)
    else:
        s["refusal"] = float(res.refused)
    res.scores = s
    f = res.failures
    if case.answerable:
        if not s["hit@k"]:
            f.append(f"前 {k} 个检索结果中没有正确来源")
        if res.refused:
            f.append("错误拒答")
        missing = [m for m, h in zip(case.must_include, res.fact_hits, strict=True) if not h]
        if missing and not res.refused:
            f.append("答案缺少：" + "、".join(missing))
        if s["citation_precision"] is not None and s["citation_precision"] < 1:
            f.append("引用了不含答案的来源")
    elif not res.refused:
        f.append("应拒答但给出了答案")


def _aggregate(results: list[CaseResult]) -> dict[str, float | None]:
    def col(name: str) -> list[float | None]:
        return [r.scores.get(name) for r in results if name in r.scores]

    lat = [r.latency_ms for r in results if r.error is None]
    out = {name: M.mean(col(name)) for name in
           ("hit@1", "hit@k", "recall@k", "mrr", "ndcg@k", "fact_recall", "citation_precision", "citation_recall",
            "groundedness", "support_precision", "support_recall")}
    out["refusal_accuracy"] = M.mean(col("refusal"))
    out["false_refusal_rate"] = M.mean(col("false_refusal"))
    out["latency_p50_ms"] = M.percentile(lat, 50)
    out["latency_p95_ms"] = M.percentile(lat, 95)
    out["tokens_prompt"] = float(sum(r.usage.get("input_tokens", 0) for r in results))
    out["tokens_completion"] = float(sum(r.usage.get("output_tokens", 0) for r in results))
    out["errors"] = float(sum(r.error is not None for r in results))
    out["cost"] = None  # filled per configuration from its prices
    out["n"] = float(len(results))
    return out


def _run_case(case: GoldenCase, assistant: Assistant, finder: SupportFinder, k: int,
              file_of: dict[str, str] | None = None) -> CaseResult:
    res = CaseResult(id=case.id, type=case.type, question=case.question, tags=case.tags, split=case.split,
                     gold_sources=case.sources,
                     must_include=case.must_include)
    t0 = time.perf_counter()
    try:
        if case.type == "support":
            report = finder.find(EnterpriseProfile.model_validate(case.profile))
            found = [m.id for m in report.measures if m.status in ("eligible", "possible")]
            res.answer = render_support(report, limit=50)
            res.retrieved_sources = found
            res.cited_sources = found
            res.retrieved = [{"source": m.id, "title": m.name, "status": m.status} for m in report.measures]
        else:
            ans = assistant.ask(case.question)
            res.answer, res.refused, res.usage = ans.text, ans.refused, ans.usage
            res.retrieved_sources = [c.source for c in ans.contexts]
            res.retrieved = [{"source": c.source, "chunk_id": c.chunk_id, "title": c.title, "heading": c.heading,
                              "score": c.score, "text": c.text[:600], "matched_terms": c.matched_terms}
                             for c in ans.contexts]
            res.cited_sources = list(dict.fromkeys(c.source for c in ans.citations))
            res.citations = [c.model_dump() for c in ans.citations]
            passages = {c.n: next((x.text for x in ans.contexts if x.chunk_id == c.chunk_id), c.quote)
                        for c in ans.citations}
            res.scores["groundedness"] = None if ans.refused else M.groundedness(ans.text, passages)
    except Exception as exc:  # one broken case must not stop the run
        res.error = f"{type(exc).__name__}: {exc}"
    res.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
    extra = dict(res.scores)
    _score_case(case, res, k, file_of)
    res.scores.update({k2: v for k2, v in extra.items() if k2 not in res.scores})
    if case.type == "support":
        gold = set(case.sources)
        found = set(res.retrieved_sources)
        res.scores["support_precision"] = len(found & gold) / len(found) if found else None
        res.scores["support_recall"] = len(found & gold) / len(gold) if gold else None
    if res.error:
        res.failures.insert(0, "运行出错：" + res.error)
    return res


def run_eval(cases: list[GoldenCase], base: Settings, configs: list[EvalConfig], corpus: list[Path] | None,
             golden_name: str = "", k: int = 5, progress: Callable[[str, int, int], None] | None = None,
             work_dir: Path | None = None, judge: bool = False) -> EvalRun:
    work = work_dir or Path(tempfile.mkdtemp(prefix="kc-eval-"))
    results: list[ConfigResult] = []
    kbs: dict[str, KnowledgeBase] = {}
    for cfg in configs:
        settings = apply_overrides(base, cfg.overrides)
        if corpus:
            # One fresh index per index fingerprint, shared by configurations that only differ in retrieval.
            settings = settings.model_copy(update={"data_dir": work / settings.index_fingerprint()})
            key = settings.index_fingerprint()
            if key not in kbs:
                kbs[key] = KnowledgeBase(settings)
                report = kbs[key].ingest(corpus)
                if report.failed:
                    import logging

                    logging.getLogger(__name__).warning("eval corpus: %d files failed", len(report.failed))
            kb = kbs[key]
            kb.settings = settings
        else:
            kb = KnowledgeBase(settings)
        assistant = Assistant(settings, kb=kb)
        finder = SupportFinder(kb)
        out: list[CaseResult] = []
        file_of = {d["source"]: d["file"] for d in kb.documents() if d.get("kind") == "record" and d.get("file")}
        for i, case in enumerate(cases):
            if progress:
                progress(cfg.name, i, len(cases))
            out.append(_run_case(case, assistant, finder, k, file_of))
        by_type = {t: _aggregate([r for r in out if r.type == t]) for t in sorted({r.type for r in out})}
        by_split = {s: _aggregate([r for r in out if r.split == s]) for s in ("dev", "holdout")
                    if any(r.split == s for r in out)}
        judged = None
        if judge and assistant.use_llm:
            from assistant.evaluation.judge import judge_cases

            judged = judge_cases(assistant, out)
        metrics = _aggregate(out)
        llm = settings.llm
        if assistant.use_llm and (llm.price_input_per_1k or llm.price_output_per_1k):
            metrics["cost"] = round(metrics["tokens_prompt"] / 1000 * llm.price_input_per_1k
                                    + metrics["tokens_completion"] / 1000 * llm.price_output_per_1k, 6)
        results.append(ConfigResult(
            name=cfg.name, description=cfg.description, settings_fingerprint=settings.fingerprint(),
            index_fingerprint=settings.index_fingerprint(), prompt_hashes=assistant.prompt_hashes(),
            mode=assistant.mode_label, metrics=metrics, by_type=by_type, by_split=by_split, cases=out, judge=judged))
    run = EvalRun(golden_set=golden_name, n_cases=len(cases), k=k, corpus=[str(p) for p in corpus or []],
                  started=time.strftime("%Y-%m-%d %H:%M:%S"), configs=results)
    first = results[0].metrics if results else {}
    for r in results[1:]:
        run.deltas[r.name] = {m: (round(v - first[m], 4) if v is not None and first.get(m) is not None else None)
                              for m, v in r.metrics.items()}
    return run


def check_thresholds(run: EvalRun, thresholds: dict[str, float]) -> list[str]:
    """Regressions: a metric below its minimum (or above its ``*_max``)."""
    problems = []
    for cfg in run.configs:
        for name, bound in thresholds.items():
            metric, is_max = (name[:-4], True) if name.endswith("_max") else (name, False)
            value = cfg.metrics.get(metric)
            if value is None:
                continue
            if (is_max and value > bound) or (not is_max and value < bound):
                problems.append(f"[{cfg.name}] {metric} = {value:.3f}，{'高于上限' if is_max else '低于下限'} {bound}")
    return problems
