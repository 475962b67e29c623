"""How well support items are drafted from policy documents: condition recall and precision against
hand-checked golden conditions (``eval/golden/policy_conditions.jsonl`` for the sample corpus,
``tests/fixtures/policies_extra/gold.jsonl`` for documents written after the extractor), per split.

A drafted condition matches a golden one when one quote contains the other or their character bigrams overlap
by at least half (quotes of the same requirement differ by a leading 企业 or a trailing 的企业). Scored per
document on distinct conditions, since a condition shared by several measures is one requirement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant._text import search_key
from assistant.evaluation import read_jsonl

_FACT_EQUIV = {"manual": {"manual", "statement"}, "statement": {"statement", "manual"}}


def _norm(text: str) -> str:
    return re.sub(r"[\s，,。；;：:、“”\"《》（）()]", "", search_key(text or ""))


def _grams(t: str) -> set[str]:
    return {t[i:i + 2] for i in range(len(t) - 1)} or {t}


def same_condition(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    if not x or not y:
        return False
    if x in y or y in x:
        return min(len(x), len(y)) >= 0.4 * max(len(x), len(y))
    gx, gy = _grams(x), _grams(y)
    return len(gx & gy) / len(gx | gy) >= 0.5


@dataclass
class DocScore:
    source: str
    split: str
    gold: int = 0
    predicted: int = 0
    gold_found: int = 0
    predicted_right: int = 0
    fact_right: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)


def load_gold(path: Path) -> list[dict]:
    return read_jsonl(path)


def score_document(source: str, gold_rows: list[dict], predicted: list[tuple[str, str]]) -> dict[str, DocScore]:
    """Scores per split of the golden rows of one document; ``predicted`` is (quote, fact key) pairs."""
    pred = list({_norm(t): (t, k) for t, k in predicted}.values())
    out: dict[str, DocScore] = {}
    for split in sorted({r.get("split", "dev") for r in gold_rows}):
        gold = list({_norm(c["text"]): c for r in gold_rows if r.get("split", "dev") == split
                     for c in r["conditions"]}.values())
        s = DocScore(source, split, gold=len(gold))
        for g in gold:
            hit = [p for p in pred if same_condition(p[0], g["text"])]
            if hit:
                s.gold_found += 1
                if any(k == g["fact"] or k in _FACT_EQUIV.get(g["fact"], set()) for _, k in hit):
                    s.fact_right += 1
            else:
                s.missed.append(g["text"])
        out[split] = s
    # precision is measured once per document, against every golden condition of it
    all_gold = [c["text"] for r in gold_rows for c in r["conditions"]]
    first = next(iter(out.values()))
    first.predicted = len(pred)
    for t, _ in pred:
        if any(same_condition(t, g) for g in all_gold):
            first.predicted_right += 1
        else:
            first.spurious.append(t)
    return out


def summarize(scores: list[DocScore]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for split in ("dev", "holdout"):
        ss = [s for s in scores if s.split == split]
        g = sum(s.gold for s in ss)
        if g:
            rows[split] = {"conditions": g, "recall": sum(s.gold_found for s in ss) / g,
                           "fact_accuracy": sum(s.fact_right for s in ss) / max(1, sum(s.gold_found for s in ss))}
    p = sum(s.predicted for s in scores)
    rows["all"] = {"predicted": p, "precision": sum(s.predicted_right for s in scores) / p if p else 0.0}
    return rows


def evaluate_extraction(kb, gold_path: Path) -> tuple[list[DocScore], dict[str, dict[str, float]]]:
    """Draft items for every document the golden file names (they must be in ``kb``) and score them."""
    from assistant.policy_rules import draft_items

    gold = load_gold(gold_path)
    docs = {d["source"]: d for d in kb.documents()}
    scores: list[DocScore] = []
    for source in sorted({r["source"] for r in gold}):
        if source not in docs:
            raise FileNotFoundError(f"{source} 不在知识库中：先导入它再评测提取。")
        drafts = draft_items(kb.chunks(source), docs[source])
        predicted = [(c.text, c.key) for d in drafts for c in d.item.conditions]
        scores += score_document(source, [r for r in gold if r["source"] == source], predicted).values()
    return scores, summarize(scores)
