"""Need postings drafted by conversation, played against a table of dialogues written the way enterprises type
(``tests/tables/need_dialogues.jsonl``).

A row gives the messages a user types unprompted (``opening``: a description, additions, corrections) and the
replies they give when asked about a field (``answers``; any other question gets the row's ``decline`` reply).
The final posting is checked against ``expect``, the fields in ``absent`` must stay empty (nothing invented),
and in every dialogue no field is asked again once it was answered or declined (a question the user talked past
with a correction or an addition is put once more), none a third time, and every reply asks at most one
question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.drafting.field_inference import infer_field
from assistant.drafting.need import extract_need
from assistant.drafting.need_session import NeedSession
from assistant.evaluation import read_jsonl
from assistant.evaluation.tables import summary  # rows, passed and rate per split, as for the domain tables
from assistant.knowledge_base import KnowledgeBase

TABLE = Path(__file__).resolve().parents[2] / "tests" / "tables" / "need_dialogues.jsonl"
TODAY = date(2026, 11, 24)
MAX_QUESTIONS = 12


@dataclass
class DialogueResult:
    row: dict[str, Any]
    session: NeedSession
    transcript: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        talk = " / ".join(f"{who}:{text}" for who, text in self.transcript)
        return f"{self.row['id']}: {'; '.join(self.problems)}\n  {talk}"


def load(path: Path = TABLE) -> list[dict[str, Any]]:
    return read_jsonl(path)


def _empty(session: NeedSession, key: str) -> bool:
    p = session.posting
    if key == "budget_wan":
        return p.budget_wan is None and not p.budget_note
    if key == "deadline":
        return p.deadline is None and not p.deadline_note
    return getattr(p, key) in (None, "", [])


def _check(session: NeedSession, expect: dict[str, Any], absent: list[str]) -> list[str]:
    p = session.posting
    bad: list[str] = []

    def want(key: str, ok: bool, got: Any) -> None:
        if not ok:
            bad.append(f"{key}: expected {expect[key]!r}, got {got!r}")

    def one_of(v: Any) -> list[Any]:
        return v if isinstance(v, list) else [v]

    for key, value in expect.items():
        if key == "region":
            got = f"{p.region or ''}|{p.region_path or ''}"
            want(key, bool(p.region) and any(v in got for v in one_of(value)), got)
        elif key in ("budget_wan", "budget_low_wan", "budget_high_wan"):
            got = getattr(p, key)
            want(key, got is not None and abs(got - float(value)) < 1e-6, got)
        elif key == "deadline":
            got = p.deadline.isoformat() if p.deadline else None
            lo, hi = (value, value) if isinstance(value, str) else value
            want(key, got is not None and lo <= got <= hi, got)
        elif key in ("budget_note", "deadline_note", "organization"):
            want(key, getattr(p, key) == value, getattr(p, key))
        elif key in ("need_type", "field"):
            want(key, getattr(p, key) in one_of(value), getattr(p, key))
        elif key == "cooperation_includes":
            want(key, all(v in p.cooperation for v in value), p.cooperation)
        elif key == "cooperation_excludes":
            want(key, not any(v in p.cooperation for v in value), p.cooperation)
        elif key.endswith("_contains"):
            got = getattr(p, key[: -len("_contains")]) or ""
            want(key, all(v in got for v in one_of(value)), got)
        else:
            bad.append(f"unknown expectation {key!r}")
    for key in absent:
        note = {"budget_wan": "budget_note", "deadline": "deadline_note"}.get(key)
        if note in expect and getattr(p, key) is None:
            continue  # 面议 / 不限 expected: only a figure or a date would be invented
        if not _empty(session, key):
            got = (p.budget_wan, p.budget_note) if key == "budget_wan" else (
                (p.deadline, p.deadline_note) if key == "deadline" else getattr(p, key))
            bad.append(f"{key} invented: {got!r}")
    return bad


def run_dialogue(row: dict[str, Any], today: date | None = None, kb: KnowledgeBase | None = None) -> DialogueResult:
    """One dialogue; with ``kb`` the field is inferred as in the product (``field_inference.infer_field``),
    without it by the keyword lists alone."""
    today = date.fromisoformat(row["today"]) if row.get("today") else (today or TODAY)
    session = NeedSession()
    extract = (extract_need if kb is None else
               lambda text, draft, day: extract_need(text, draft, day, classify=lambda t: infer_field(kb, t)))
    result = DialogueResult(row, session)
    asked: list[str] = []
    settled: set[str] = set()  # fields answered or declined: never asked again

    def send(text: str) -> None:
        was = session.pending
        turn = session.read(text, today=today, extract=extract)
        result.transcript.append(("用户", text))
        if was and (turn.declined == was or (was in turn.changed and was not in session.inferred)):
            settled.add(was)
        if turn.asking:
            result.transcript.append(("问", turn.asking))
            if turn.asking in settled:
                result.problems.append(f"asked {turn.asking} again after it was answered or declined")
            if asked.count(turn.asking) >= 2:
                result.problems.append(f"asked {turn.asking} a third time")
            asked.append(turn.asking)

    for text in row["opening"]:
        send(text)
    for _ in range(MAX_QUESTIONS):
        if session.pending is None or result.problems:
            break
        send(row.get("answers", {}).get(session.pending, row.get("decline", "这个先不填")))
    else:
        result.problems.append("the conversation never ended")
    result.problems += _check(session, row.get("expect", {}), row.get("absent", []))
    return result


def run_table(path: Path = TABLE, kb: KnowledgeBase | None = None) -> list[DialogueResult]:
    return [run_dialogue(r, kb=kb) for r in load(path)]


__all__ = ["DialogueResult", "load", "run_dialogue", "run_table", "summary"]
