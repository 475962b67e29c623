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
# pairs of a need and one record, with the offer and the need's words a reason should connect (or, for a negative
# pair, the record must not be called related): the evidence of a match at paraphrase level
EVIDENCE = Path(__file__).resolve().parents[2] / "tests" / "tables" / "match_evidence.jsonl"


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


def _matches(kb, row: dict[str, Any], k: int):
    from datetime import date

    from assistant.domain import regions
    from assistant.drafting.match import match_supply
    from assistant.drafting.need import extract_need

    posting = extract_need(row["need"], today=date(2026, 11, 24))
    place = regions.best_region(row.get("region") or "", include_country=False)
    if place is not None:
        posting.region, posting.region_path = place.label, place.path
    return match_supply(kb, posting, k=k)


def run(kb, rows: list[dict[str, Any]] | None = None, k: int = 10) -> list[MatchResult]:
    out = []
    for row in rows or load():
        matches = _matches(kb, row, k)
        out.append(MatchResult(row, [m.id for m in matches], [m.id for m in matches if m.strong]))
    return out


@dataclass
class EvidenceResult:
    row: dict[str, Any]
    rank: int | None  # 1-based place of the record among the first ten matches, None when not shown
    reasons: list[str]

    @property
    def related(self) -> list[str]:
        """The reasons that connect an offer of the record with words of the need."""
        return [r for r in self.reasons if "相关）" in r or r == "高度相关"]

    def _pairs(self) -> list[tuple[str, str]]:
        """(offer, need clause) of each reason that relates the two."""
        out = []
        for reason in self.related:
            if "（与需求“" in reason:
                offer = reason.split("：", 1)[-1].split("（与需求“", 1)[0]
                out.append((offer, reason.rsplit("（与需求“", 1)[1].removesuffix("”相关）").rstrip("…")))
        return out

    @property
    def points_at_need(self) -> bool:
        """A reason relates an offer of the record to the words of the need the table names."""
        return any(_overlap(clause, p) for _, clause in self._pairs() for p in self.row["need_phrases"])

    @property
    def passed(self) -> bool:
        """Negative pair: not called related. Positive pair: a reason relates one of the offers the table names
        (either contains the other) to the words of the need it names."""
        if not self.row["match"]:
            return not self.related
        return any((any(i in offer or offer in i for i in self.row["record_items"]))
                   and any(_overlap(clause, p) for p in self.row["need_phrases"]) for offer, clause in self._pairs())


def _overlap(a: str, b: str, run: int = 4) -> bool:
    """One contains the other, or they share a run of ``run`` characters."""
    if a in b or b in a:
        return True
    return any(a[i:i + run] in b for i in range(len(a) - run + 1))


def run_evidence(kb, rows: list[dict[str, Any]] | None = None) -> list[EvidenceResult]:
    out = []
    for row in rows or read_jsonl(EVIDENCE):
        matches = _matches(kb, row, 10)
        found = next(((i, m) for i, m in enumerate(matches, 1) if m.id == row["record"]), None)
        out.append(EvidenceResult(row, found[0] if found else None, found[1].reasons if found else []))
    return out


def evidence_markdown(results: list[EvidenceResult]) -> str:
    lines = ["| evidence set | pairs that should match | shown in the first 10 | a reason relates the need's words named "
             "in the table | … to an offer named in the table | negative pairs | shown in the first 10 | not called related |",
             "|---|---|---|---|---|---|---|---|"]
    for split in ("dev", "holdout"):
        pos = [r for r in results if r.row["split"] == split and r.row["match"]]
        neg = [r for r in results if r.row["split"] == split and not r.row["match"]]
        lines.append(f"| {split} | {len(pos)} | {sum(r.rank is not None for r in pos)} | "
                     f"{sum(r.points_at_need for r in pos)} | {sum(r.passed for r in pos)} | {len(neg)} | "
                     f"{sum(r.rank is not None for r in neg)} | {sum(r.passed for r in neg)} |")
    return "\n".join(lines)


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


__all__ = ["EVIDENCE", "GOLDEN", "EvidenceResult", "MatchResult", "evidence_markdown", "load", "markdown", "run",
           "run_evidence", "summary"]
