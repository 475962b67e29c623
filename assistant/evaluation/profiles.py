"""The enterprise journey measured on profiles written as people write them (``tests/tables/profiles.jsonl``):
for every profile (free text or a form), the expected verdict of every measure, per split."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assistant.evaluation import read_jsonl
from assistant.support import EnterpriseProfile, SupportFinder, profile_from_text

TABLE = Path(__file__).resolve().parents[2] / "tests" / "tables" / "profiles.jsonl"


@dataclass
class RowResult:
    id: str
    split: str
    wrong: dict[str, tuple[str, str]] = field(default_factory=dict)  # measure → (expected, got)
    missing_warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.wrong and not self.missing_warnings


def load(path: Path = TABLE) -> list[dict]:
    return read_jsonl(path)


def profile_of(row: dict) -> EnterpriseProfile:
    today = date.fromisoformat(row.get("today", "2026-11-23"))
    if row["input"] == "form":
        return EnterpriseProfile.model_validate({**row["form"], "as_of": today})
    return profile_from_text(row["text"], today=today)


def run_row(finder: SupportFinder, row: dict) -> RowResult:
    profile = profile_of(row)
    report = finder.find(profile)
    got = {m.id: m.status for m in report.measures}
    res = RowResult(row["id"], row.get("split", "dev"))
    for mid, want in row["expect"].items():
        have = got.get(mid, "excluded")
        if have != want:
            res.wrong[mid] = (want, have)
    warnings = " ".join(profile.warnings())
    res.missing_warnings = [w for w in row.get("warnings", []) if w not in warnings]
    return res


def run(finder: SupportFinder, rows: list[dict] | None = None) -> list[RowResult]:
    return [run_row(finder, r) for r in (rows if rows is not None else load())]


def summary(results: list[RowResult]) -> dict[str, dict[str, float]]:
    out = {}
    for split in ("dev", "holdout"):
        rs = [r for r in results if r.split == split]
        if rs:
            verdicts = sum(24 for _ in rs)
            wrong = sum(len(r.wrong) for r in rs)
            out[split] = {"profiles": len(rs), "profiles_all_right": sum(r.ok for r in rs),
                          "verdict_accuracy": round(1 - wrong / verdicts, 4)}
    return out
