"""The field (所属领域) of a need description, against ``tests/tables/need_fields.jsonl``: descriptions written
the way enterprises write, most of them in words the keyword lists do not have, and keyword traps (生物质锅炉,
航空插头). For each split: how often the keyword reading and the inferred field are right, wrong (a field
that would be shown for confirmation but is not the need's), or absent (the user is asked).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.domain import vocab
from assistant.drafting.field_inference import infer_field
from assistant.evaluation import read_jsonl
from assistant.knowledge_base import KnowledgeBase

TABLE = Path(__file__).resolve().parents[2] / "tests" / "tables" / "need_fields.jsonl"


def run(kb: KnowledgeBase | None, path: Path = TABLE) -> list[dict[str, Any]]:
    """Each row with the keyword reading and the inferred field."""
    return [{**row, "keywords": vocab.classify_field(row["text"]), "inferred": infer_field(kb, row["text"])}
            for row in read_jsonl(path)]


def summary(results: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for split in ("dev", "holdout"):
        rs = [r for r in results if r["split"] == split]
        right = sum(r[key] in r["expect"] for r in rs)
        wrong = sum(r[key] is not None and r[key] not in r["expect"] for r in rs)
        out[split] = {"rows": len(rs), "right": right, "wrong": wrong, "asked": len(rs) - right - wrong,
                      "precision": round(right / (right + wrong), 3) if right + wrong else 0.0}
    return out


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| reading | split | rows | right | wrong | none (asked) | precision |", "|---|---|---|---|---|---|---|"]
    for key, label in (("keywords", "keywords only"), ("inferred", "inferred (keywords, else embedding agreement)")):
        for split, s in summary(results, key).items():
            lines.append(f"| {label} | {split} | {s['rows']} | {s['right']} | {s['wrong']} | {s['asked']} | "
                         f"{s['precision']:.3f} |")
    return "\n".join(lines)
