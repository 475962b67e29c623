"""CI gate: the offline evaluation over our golden sets, with the real offline embedding model, must stay
above the thresholds in eval/thresholds.json. The full evaluation with HTML reports is `make eval`."""

import json
from pathlib import Path

import pytest

from assistant.evaluation.golden import load_golden
from assistant.evaluation.runner import check_thresholds, load_configs, run_eval
from tests.conftest import CORPORA, SEEDS, make_settings

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = json.loads((ROOT / "eval" / "thresholds.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("golden", "corpus"), [("seeds", SEEDS), ("corpus", CORPORA)])
def test_offline_eval_meets_thresholds(golden, corpus, tmp_path, embed_cache):
    cases = load_golden(ROOT / "eval" / "golden" / f"{golden}.jsonl")
    settings = make_settings(tmp_path / "unused", embed_cache, provider="e5")
    run = run_eval(cases, settings, load_configs(["hybrid"]), [corpus], golden_name=golden, k=5,
                   work_dir=tmp_path / "work")
    metrics = run.configs[0].metrics
    assert metrics["errors"] == 0, [c.error for c in run.configs[0].cases if c.error]
    problems = check_thresholds(run, {k: v for k, v in THRESHOLDS[golden].items() if not k.startswith("_")})
    assert not problems, problems
