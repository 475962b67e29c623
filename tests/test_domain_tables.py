"""The domain layer against tables of inputs written the way people write them (tests/tables/*.jsonl).

Every dev row must pass. The held-out rows were written at the same time but not used while building the
parsers; they are reported by ``kechuang eval tables`` and here must stay above a floor, so a change that
generalises worse fails the build.
"""

from __future__ import annotations

import pytest

from assistant.evaluation.tables import TABLES, load, run_row, run_table, summary

HOLDOUT_FLOOR = {"quantities": 0.9, "dates": 0.9, "regions": 0.9, "vocab": 0.8, "features": 0.75, "statements": 0.8, "wording": 0.85,
                 "followups": 0.8}


def _dev_rows():
    for table in TABLES:
        for row in load(table):
            if row.get("split") == "dev":
                yield pytest.param(table, row, id=f"{table}:{row['_line']}")


@pytest.mark.parametrize(("table", "row"), list(_dev_rows()))
def test_dev_row(table, row):
    got, ok = run_row(table, row)
    assert ok, f"{row.get('fn', row.get('feature'))}({row.get('input', row.get('text', row.get('turns')))!r}): expected {row['expect']!r}, got {got!r}"


@pytest.mark.parametrize("table", TABLES)
def test_tables_are_big_enough_and_split(table):
    rows = load(table)
    assert len(rows) >= 40
    assert {r["split"] for r in rows} == {"dev", "holdout"}


@pytest.mark.parametrize("table", TABLES)
def test_holdout_stays_above_floor(table):
    s = summary(run_table(table))
    assert s["holdout"]["rate"] >= HOLDOUT_FLOOR[table], s
