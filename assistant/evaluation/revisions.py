"""Report revisions asked for in words, against a table of instructions written the way staff type them
(``tests/tables/report_revisions.jsonl``): each row names the type of the report being revised, the
instruction, and the structured revision it asks for (or ``refuse`` when it must be refused offline: a
request to invent or change figures, to remove the overview, a section the report does not have, or nothing
structural at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.drafting.report import Report
from assistant.drafting.report_revision import parse_revision
from assistant.errors import AssistantError
from assistant.evaluation import read_jsonl

TABLE = Path(__file__).resolve().parents[2] / "tests" / "tables" / "report_revisions.jsonl"
KEYS = {"type": "report_type", "remove": "remove", "detail_sections": "detail_sections",
        "brief_sections": "brief_sections", "length": "length", "add_topics": "add_topics"}


@dataclass
class RevisionResult:
    row: dict[str, Any]
    got: dict[str, Any]

    @property
    def ok(self) -> bool:
        want = self.row["expect"]
        if want.get("refuse"):
            return bool(self.got.get("refuse"))
        return self.got == {k: (sorted(v) if isinstance(v, list) else v) for k, v in want.items()}

    def describe(self) -> str:
        r = self.row
        return f"{r['id']} [{r['report_type']}] {r['instruction']!r}: expected {r['expect']}, got {self.got}"


def outcome(report: Report, instruction: str) -> dict[str, Any]:
    """The revision an instruction is read as, in the table's terms ({"refuse": True} when refused)."""
    try:
        rev = parse_revision(report, instruction)
    except AssistantError as exc:
        return {"refuse": True, "message": str(exc)}
    out: dict[str, Any] = {}
    for key, attr in KEYS.items():
        value = getattr(rev, attr)
        if value:
            out[key] = sorted(value) if isinstance(value, list) else value
    return out


def run(reports: dict[str, Report], path: Path = TABLE) -> list[RevisionResult]:
    """Every row read against the report of its type (``reports``: report type → a built report)."""
    results = []
    for row in read_jsonl(path):
        got = outcome(reports[row["report_type"]], row["instruction"])
        if row["expect"].get("refuse") and got.get("refuse"):
            got = {"refuse": True}
        results.append(RevisionResult(row, got))
    return results
