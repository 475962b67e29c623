import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation import metrics as M
from assistant.evaluation.golden import GoldenSetError, import_rgb, load_golden
from assistant.evaluation.runner import check_thresholds, load_configs, run_eval
from tests.conftest import SEEDS, make_settings

ROOT = Path(__file__).resolve().parent.parent


def test_fact_normalisation():
    assert M.fact_hits("补助500万元", ["500万"]) == [True]
    assert M.fact_hits("补助500万", ["500万元"]) == [True]
    assert M.fact_hits("陜西省科協組建服務團", ["科协", "服务团"]) == [True, True]
    assert M.fact_hits("比例为１０％", ["10%"]) == [True]
    assert M.fact_hits("500 万元", ["500万元"]) == [True]
    assert M.fact_hits("补助50万元", ["500万元"]) == [False]


def test_retrieval_metrics():
    retrieved = ["b", "b", "a", "c"]
    assert M.hit_at_k(retrieved, ["a"], 1) == 0 and M.hit_at_k(retrieved, ["a"], 2) == 1
    assert M.mrr(retrieved, ["a"]) == 0.5  # chunks of one source count once
    assert M.recall_at_k(retrieved, ["a", "c"], 2) == 0.5
    assert M.ndcg_at_k(["a", "x"], ["a"], 5) == 1.0
    assert round(M.ndcg_at_k(["x", "a"], ["a"], 5), 3) == 0.631
    assert M.citation_precision(["a", "x"], ["a"]) == 0.5 and M.citation_precision([], ["a"]) is None


def test_groundedness():
    passages = {1: "企业研发费用按实际发生额的100%在税前加计扣除。"}
    assert M.groundedness("企业研发费用按实际发生额的100%加计扣除。[1]", passages) == 1.0
    assert M.groundedness("企业研发费用按实际发生额的100%加计扣除。[1]所有企业还能拿到一千万补贴。", passages) == 0.5


def test_golden_errors_name_file_line_and_field(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text("\n".join([
        json.dumps({"id": "a", "question": "q", "type": "factoid", "reference_answer": "", "must_include": [],
                    "sources": ["x"]}),
        json.dumps({"id": "b", "question": "q", "type": "nonsense", "sources": []}),
        json.dumps({"id": "c", "question": "q", "type": "factoid", "must_include": "不是列表"}),
        "{broken",
        json.dumps({"id": "a", "question": "q", "type": "factoid"}),
        json.dumps({"id": "d", "question": "q", "type": "unanswerable", "sources": ["x"]}),
        json.dumps({"id": "e", "question": "q", "type": "support"}),
        json.dumps({"id": "f", "question": "q", "type": "factoid", "extra_field": 1}),
    ]), encoding="utf-8")
    with pytest.raises(GoldenSetError) as info:
        load_golden(p)
    errs = "\n".join(info.value.errors)
    for line in ("第 2 行", "第 3 行，字段 must_include", "第 4 行：JSON", "第 5 行，字段 id", "第 6 行", "第 7 行",
                 "第 8 行，字段 extra_field"):
        assert line in errs, line
    assert all("bad.jsonl" in e for e in info.value.errors)


@pytest.mark.parametrize("name", ["seeds.jsonl", "corpus.jsonl"])
def test_our_golden_sets_load(name):
    path = ROOT / "eval" / "golden" / name
    cases = load_golden(path)
    types = {c.type for c in cases}
    if name == "seeds.jsonl":
        assert len(cases) >= 30 and {"factoid", "multi", "unanswerable"} <= types
    else:
        assert len(cases) >= 60 and {"factoid", "multi", "support", "unanswerable"} <= types
        assert all(c.profile for c in cases if c.type == "support")


def test_rgb_import_and_eval_with_fresh_index(tmp_path, embed_cache):
    rgb = tmp_path / "rgb.jsonl"
    rgb.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 1, "query": "首届科技节在哪一年举办", "answer": ["2019年"],
         "positive": ["首届科技节于2019年在某市举办，吸引了上万名市民参加。"],
         "negative": ["某市图书馆于2021年完成改造。", "科技节的吉祥物是一只熊猫。"]},
        {"id": 2, "query": "科技馆的开放时间", "answer": [["上午9点", "9:00"]],
         "positive": ["科技馆每天上午9点开放，下午5点闭馆，周一闭馆。"], "negative": []},
    ]), encoding="utf-8")
    corpus, golden = import_rgb(rgb, tmp_path / "imported")
    assert len(list(corpus.glob("*.txt"))) == 4
    cases = load_golden(golden)
    settings = make_settings(tmp_path / "unused", embed_cache)
    run = run_eval(cases, settings, load_configs(["hybrid", "bm25"]), [corpus], golden_name="rgb", k=3,
                   work_dir=tmp_path / "work")
    assert [c.name for c in run.configs] == ["hybrid", "bm25"]
    m = run.configs[0].metrics
    assert m["hit@k"] == 1.0 and m["fact_recall"] == 1.0
    assert "bm25" in run.deltas
    assert check_thresholds(run, {"hit@k": 0.5}) == []
    assert check_thresholds(run, {"false_refusal_rate_max": -1})


def test_cli_eval_json_reports_and_threshold_exit(tmp_path):
    env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(tmp_path / "c")}
    golden = tmp_path / "mini.jsonl"
    golden.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "m1", "question": "巴州综合排名位居试点城市第几位", "type": "factoid", "reference_answer": "第15位",
         "must_include": ["第15位"], "sources": ["000_05fe24ebefbc01aa.txt"]},
        {"id": "m2", "question": "火星基地的建设补贴是多少", "type": "unanswerable", "reference_answer": "",
         "must_include": [], "sources": []},
    ]), encoding="utf-8")
    thresholds = tmp_path / "t.json"
    thresholds.write_text(json.dumps({"mini": {"hit@k": 0.5, "fact_recall": 1.01}}), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["eval", "--set", str(golden), "--corpus", str(SEEDS), "--out", str(tmp_path / "rep"),
                            "--json", "--thresholds", str(thresholds)], env=env)
    assert r.exit_code == 1, r.output  # fact_recall can never reach 1.01
    out = json.loads(r.stdout)
    assert {"hit@k", "recall@k", "mrr", "fact_recall", "citation_precision", "refusal_accuracy"} <= set(out["metrics"])
    case = out["cases"][0]
    assert {"id", "answer", "refused", "cited_sources", "retrieved_sources", "fact_hits"} <= set(case)
    html = (tmp_path / "rep" / "mini.html").read_text(encoding="utf-8")
    assert "<svg" in html and "m1" in html and "逐题明细" in html
    assert (tmp_path / "rep" / "mini.md").exists()


def _ranking_case(tmp_path: Path) -> Path:
    """A one-case golden set over seed 000 (巴州's ranking), for runs against the fake LLM server."""
    golden = tmp_path / "g.jsonl"
    golden.write_text(json.dumps({"id": "r1", "question": "巴州综合排名第几位", "type": "factoid",
                                  "must_include": ["第15位"], "sources": ["000_05fe24ebefbc01aa.txt"]},
                                 ensure_ascii=False), encoding="utf-8")
    return golden


def test_llm_judge_is_reported_separately(tmp_path, embed_cache):
    from tests.fake_openai import FakeOpenAIServer

    golden = _ranking_case(tmp_path)
    with FakeOpenAIServer() as server:
        server.responder = lambda body: ('{"faithfulness": 5, "relevance": 4}' if "问答质量评审员" in
                                         body["messages"][-1]["content"] else "巴州综合排名第15位[1]。")
        settings = make_settings(tmp_path / "u", embed_cache, llm={"provider": "custom", "base_url": server.base_url,
                                                                     "max_retries": 0})
        run = run_eval(load_golden(golden), settings, load_configs(["hybrid"]), [SEEDS], golden_name="g",
                       work_dir=tmp_path / "w", judge=True)
    cfg = run.configs[0]
    assert cfg.judge == {"faithfulness": 5.0, "relevance": 4.0, "judged": 1.0}
    assert cfg.metrics["fact_recall"] == 1.0 and cfg.metrics["tokens_prompt"] > 0
    assert "faithfulness" not in cfg.metrics


def test_prompt_variants_side_by_side_with_cost(tmp_path, embed_cache):
    from tests.fake_openai import FakeOpenAIServer

    golden = _ranking_case(tmp_path)
    with FakeOpenAIServer() as server:
        server.responder = lambda body: "巴州综合排名第15位[1]。"
        settings = make_settings(tmp_path / "u", embed_cache, llm={
            "provider": "custom", "base_url": server.base_url, "max_retries": 0,
            "price_input_per_1k": 0.002, "price_output_per_1k": 0.008})
        configs = load_configs(["hybrid", "llm-terse-prompt"], ROOT / "eval" / "configs.json")
        run = run_eval(load_golden(golden), settings, configs, [SEEDS], golden_name="g", work_dir=tmp_path / "w")
        systems = {r["body"]["messages"][0]["content"][:20] for r in server.requests}
    a, b = run.configs
    assert a.prompt_hashes["answer_system"] != b.prompt_hashes["answer_system"]
    assert a.settings_fingerprint != b.settings_fingerprint
    assert len(systems) == 2  # each configuration really sent its own prompt
    assert a.metrics["tokens_prompt"] == 100 and a.metrics["tokens_completion"] == len("巴州综合排名第15位[1]。")
    assert a.metrics["cost"] == pytest.approx(100 / 1000 * 0.002 + len("巴州综合排名第15位[1]。") / 1000 * 0.008)
