"""Supply–demand matching against a golden set (``eval/golden/matching.jsonl``): needs written as enterprises
write them, each with the records that could take it on (graded 2 = clearly, 1 = partly) and records a keyword
matcher would wrongly offer (``irrelevant``: the negative pairs).

Each need is read into a posting offline (``extract_need``, with the place the row gives) and matched against
the records of the knowledge base. Reported, dev and held-out apart:

- precision@3: the share of the first three matches that are relevant (grade ≥ 1), over needs that have any;
- nDCG@5 with the grades as gains (records not judged count as 0);
- negatives shown: the share of needs whose first five matches include a record marked irrelevant;
- no-match needs: how many of those with nothing relevant got a match labelled 高度相关 (should be none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation import read_jsonl

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "golden" / "matching.jsonl"


@dataclass
class MatchResult:
    row: dict[str, Any]
    ranked: list[str]
    strong: list[str]  # ids labelled 高度相关

    @property
    def relevant(self) -> dict[str, int]:
        return self.row.get("relevant") or {}

    def precision_at(self, k: int = 3) -> float | None:
        if not self.relevant:
            return None
        top = self.ranked[:k]
        return sum(1 for r in top if r in self.relevant) / k

    def ndcg_at(self, k: int = 5) -> float | None:
        if not self.relevant:
            return None
        dcg = sum((2 ** self.relevant.get(r, 0) - 1) / math.log2(i + 2) for i, r in enumerate(self.ranked[:k]))
        ideal = sorted(self.relevant.values(), reverse=True)[:k]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        return dcg / idcg if idcg else 0.0

    @property
    def negatives_shown(self) -> list[str]:
        return [r for r in self.ranked[:5] if r in set(self.row.get("irrelevant", []))]


def load(path: Path = GOLDEN) -> list[dict[str, Any]]:
    return read_jsonl(path)


def run(kb, rows: list[dict[str, Any]] | None = None, k: int = 10) -> list[MatchResult]:
    from datetime import date

    from assistant.domain import regions
    from assistant.drafting.match import match_supply
    from assistant.drafting.need import extract_need

    out = []
    for row in rows or load():
        posting = extract_need(row["need"], today=date(2026, 11, 24))
        place = regions.best_region(row.get("region") or "", include_country=False)
        if place is not None:
            posting.region, posting.region_path = place.label, place.path
        matches = match_supply(kb, posting, k=k)
        out.append(MatchResult(row, [m.id for m in matches], [m.id for m in matches if m.strong]))
    return out


def _mean(xs: list[float]) -> float:
    return round(sum(xs) / len(xs), 3) if xs else 0.0


def summary(results: list[MatchResult]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for split in ("dev", "holdout"):
        rs = [r for r in results if r.row.get("split") == split]
        judged = [r for r in rs if r.relevant]
        empty = [r for r in rs if not r.relevant]
        out[split] = {
            "needs": len(rs),
            "precision@3": _mean([r.precision_at(3) for r in judged]),  # type: ignore[misc]
            "ndcg@5": _mean([r.ndcg_at(5) for r in judged]),  # type: ignore[misc]
            "negatives_in_top5": _mean([1.0 if r.negatives_shown else 0.0 for r in rs]),
            "no_match_needs": len(empty),
            "no_match_called_strong": sum(1 for r in empty if r.strong),
        }
    return out


def markdown(results: list[MatchResult]) -> str:
    lines = ["| matching set | needs | precision@3 | nDCG@5 | needs with a negative in the top 5 | "
             "needs with no good match given a 高度相关 match |", "|---|---|---|---|---|---|"]
    for split, s in summary(results).items():
        lines.append(f"| {split} | {s['needs']} | {s['precision@3']:.3f} | {s['ndcg@5']:.3f} | "
                     f"{s['negatives_in_top5']:.3f} | {s['no_match_called_strong']} of {s['no_match_needs']} |")
    return "\n".join(lines)


__all__ = ["GOLDEN", "MatchResult", "load", "markdown", "run", "summary"]
