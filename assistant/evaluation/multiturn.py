"""Multi-turn evaluation (``eval/golden/multiturn.jsonl``): two- and three-turn conversations, half follow-ups
whose last turn needs the earlier ones ("那科小呢", "申报时间呢", "它到期了怎么办"), half topic switches whose last
turn must be answered on its own, however short ("科小评价的条件" after a 加计扣除 question).

Each conversation is played through the assistant with the real history (questions and the answers it gave).
A case passes when the last answer is not a refusal, cites one of the expected documents and states the
expected fact; the kind is right when a follow-up was rewritten with its context and a switch was left alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant._text import search_key
from assistant.evaluation import read_jsonl

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "golden" / "multiturn.jsonl"


@dataclass
class TurnResult:
    case: dict[str, Any]
    standalone: str
    answer: str
    sources: list[str]
    refused: bool

    @property
    def kind_ok(self) -> bool:
        last = self.case["turns"][-1]
        rewritten = search_key(self.standalone) != search_key(last)
        return rewritten if self.case["kind"] == "follow_up" else not rewritten

    @property
    def cited(self) -> bool:
        return bool(set(self.sources) & set(self.case["sources"]))

    @property
    def fact(self) -> bool:
        return all(search_key(f) in search_key(self.answer) for f in self.case["must_include"])

    @property
    def ok(self) -> bool:
        return not self.refused and self.cited and self.fact


def load(path: Path = GOLDEN) -> list[dict[str, Any]]:
    return read_jsonl(path)


def run(assistant, cases: list[dict[str, Any]] | None = None) -> list[TurnResult]:
    out = []
    for case in cases or load():
        history: list[dict[str, str]] = []
        ans = None
        for turn in case["turns"]:
            ans = assistant.ask(turn, history=history)
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": ans.text}]
        assert ans is not None
        out.append(TurnResult(case, ans.standalone_question or "", ans.text,
                              list(dict.fromkeys(c.source for c in ans.citations)), ans.refused))
    return out


def summary(results: list[TurnResult]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for split in ("dev", "holdout"):
        for kind in ("follow_up", "switch"):
            rs = [r for r in results if r.case["split"] == split and r.case["kind"] == kind]
            if rs:
                out[f"{split}/{kind}"] = {
                    "cases": len(rs), "passed": sum(r.ok for r in rs), "kind_right": sum(r.kind_ok for r in rs),
                    "cited_right_doc": sum(r.cited for r in rs), "fact": sum(r.fact for r in rs)}
    return out


def markdown(results: list[TurnResult]) -> str:
    lines = ["| multi-turn set | cases | passed (answer right) | follow-up/switch told right | right document cited | fact stated |",
             "|---|---|---|---|---|---|"]
    for name, s in summary(results).items():
        lines.append(f"| {name} | {s['cases']} | {s['passed']} | {s['kind_right']} | {s['cited_right_doc']} | {s['fact']} |")
    return "\n".join(lines)
