"""Table-driven checks of the domain layer: rows written the way people write amounts, dates, places and
vocabulary (``tests/tables/*.jsonl``), each with its expected reading. Part of every table is kept aside
(``split: holdout``) and reported separately: fitting the dev rows is not the goal, generalising is.

``kechuang eval tables`` prints the pass rate of each table and split; the tests require every dev row to
pass and the held-out part to stay above a floor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

TABLES_DIR = Path(__file__).resolve().parents[2] / "tests" / "tables"
TABLES = ("quantities", "dates", "regions", "vocab", "features", "statements", "wording", "followups")


@dataclass
class RowResult:
    table: str
    n: int
    row: dict[str, Any]
    got: Any
    ok: bool

    def describe(self) -> str:
        r = self.row
        what = r.get("input", r.get("text", r.get("turns", {k: r[k] for k in r if k not in ("expect", "split", "note")})))
        return f"{self.table}:{self.n} {r.get('fn', r.get('feature'))}({what!r}) expected {r['expect']!r}, got {self.got!r}"


def load(table: str, tables_dir: Path = TABLES_DIR) -> list[dict[str, Any]]:
    path = tables_dir / f"{table}.jsonl"
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            row["_line"] = n
            rows.append(row)
    return rows


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _subset(got: dict[str, Any] | None, want: dict[str, Any]) -> bool:
    if got is None:
        return False
    return all(_close(got.get(k), v) for k, v in want.items())


def _today(row: dict[str, Any]) -> date:
    return date.fromisoformat(row.get("today") or "2026-11-23")


def run_row(table: str, row: dict[str, Any]) -> tuple[Any, bool]:
    """(what the library returned, whether it matches the row's expectation)."""
    fn, want = row.get("fn"), row["expect"]
    if table == "quantities":
        from assistant.domain import quantities as q

        kw = row.get("kwargs") or {}
        if fn in ("parse_money", "find_money"):
            m = getattr(q, fn)(row["input"], **kw)
            got = None if m is None else {"wan": m.wan, "qualifier": m.qualifier, "low_wan": m.low_wan,
                                          "high_wan": m.high_wan}
            return got, (got is None if want is None else _subset(got, want))
        got = getattr(q, fn)(row["input"], **kw)
        return got, (got is None if want is None else _close(got, want))
    if table == "dates":
        from assistant.domain import dates as d

        today = _today(row)
        if fn == "find_date":
            v = d.find_date(row["input"], today)
            got = v.isoformat() if v else None
            return got, got == want
        if fn == "years_in":
            got = d.years_in(row["input"])
            return got, got == want
        if fn == "is_past":
            try:
                got = d.is_past(row["input"], today)
            except ValueError:
                got = "error"
            return got, got == want
        try:
            p = getattr(d, fn)(row["input"], today)
        except d.PeriodError:
            return "error", want == "error"
        got = {"start": p.start.isoformat(), "end": p.end.isoformat(), "ongoing": p.ongoing}
        return got, want != "error" and _subset(got, want)
    if table == "regions":
        from assistant.domain import regions as r

        if fn in ("resolve", "best_region"):
            reg = getattr(r, fn)(row["input"])
            got = reg.path if reg else None
        elif fn == "applies":
            got = r.applies(row["measure"], row["enterprise"])
        else:
            got = r.contains(row["outer"], row["inner"])
        return got, got == want
    if table == "vocab":
        from assistant.domain import vocab as v

        got = getattr(v, fn)(row["input"])
        return got, _close(got, want)
    if table == "wording":
        from assistant.domain import wording as w

        if fn == "value_shape":
            shape = w.value_shape(row["input"])
            got = bool(shape and shape.search(row["text"]))
        else:
            got = getattr(w, fn)(row["input"])
        return got, got == want
    if table == "features":
        return _feature(row)
    if table == "statements":
        from assistant.domain import enterprise

        got = enterprise.find_statements(row["text"])
        return got, got == want  # exactly: a statement the text does not make must not be read
    if table == "followups":
        return _followup(row)
    raise ValueError(f"unknown table {table}")


def _followup(row: dict[str, Any]) -> tuple[Any, bool]:
    """A conversation's last message as a standalone question: a topic switch is left exactly as asked; a
    follow-up keeps every term the row lists (the programme, place, year and aspect it is about) and none of
    those it must drop (the asker's own story: "我们去年贷了300万" does not make 去年 the topic)."""
    from assistant._text import search_key
    from assistant.followup import standalone

    turns, want = row["turns"], row["expect"]
    got = standalone(turns[-1], turns[:-1])
    if want["kind"] == "switch":
        return got, got == turns[-1]
    return got, got != turns[-1] and all(search_key(k) in search_key(got) for k in want["keep"]) and not any(
        search_key(d) in search_key(got) for d in want.get("drop", []))


def _feature(row: dict[str, Any]) -> tuple[Any, bool]:
    today, want = _today(row), row["expect"]
    if row["feature"] == "profile":
        from assistant.support import profile_from_text

        p = profile_from_text(row["text"], today=today)
        got = {"region_path": p.region_path, "employees": p.employees, "revenue_wan": p.revenue_wan,
               "rd_expense_wan": p.rd_expense_wan, "assets_wan": p.assets_wan, "rd_ratio": p.rd_ratio,
               "founded_year": p.founded_year, "qualifications": p.qualifications, "field": p.industry}
        ok = all(_close(sorted(got[k]) if k == "qualifications" and got[k] else got.get(k),
                        sorted(v) if k == "qualifications" and v else v) for k, v in want.items())
        return {k: got.get(k) for k in want}, ok
    from assistant.drafting.need import extract_need

    n = extract_need(row["text"], today=today)
    got = {"budget_wan": n.budget_wan, "budget_note": n.budget_note, "budget_qualifier": n.budget_qualifier,
           "budget_low_wan": n.budget_low_wan, "budget_high_wan": n.budget_high_wan,
           "deadline": n.deadline.isoformat() if n.deadline else None, "region_path": n.region_path,
           "field": n.field, "cooperation": n.cooperation}
    return {k: got.get(k) for k in want}, all(_close(got.get(k), v) for k, v in want.items())


def run_table(table: str, tables_dir: Path = TABLES_DIR) -> list[RowResult]:
    out = []
    for row in load(table, tables_dir):
        try:
            got, ok = run_row(table, row)
        except Exception as exc:  # noqa: BLE001 - a crash on a row is a failure of that row, reported
            got, ok = f"{type(exc).__name__}: {exc}", False
        out.append(RowResult(table, row["_line"], row, got, ok))
    return out


def summary(results: list[RowResult]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for split in ("dev", "holdout"):
        rs = [r for r in results if r.row.get("split") == split]
        out[split] = {"rows": len(rs), "passed": sum(r.ok for r in rs),
                      "rate": round(sum(r.ok for r in rs) / len(rs), 3) if rs else 0.0}
    return out


def markdown(tables_dir: Path = TABLES_DIR) -> str:
    lines = ["| table | dev passed | dev rate | holdout passed | holdout rate |", "|---|---|---|---|---|"]
    for t in TABLES:
        if not (tables_dir / f"{t}.jsonl").exists():
            continue
        s = summary(run_table(t, tables_dir))
        lines.append(f"| {t} | {s['dev']['passed']}/{s['dev']['rows']} | {s['dev']['rate']:.3f} | "
                     f"{s['holdout']['passed']}/{s['holdout']['rows']} | {s['holdout']['rate']:.3f} |")
    return "\n".join(lines)
