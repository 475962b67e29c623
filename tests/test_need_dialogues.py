"""Need postings drafted by conversation, against dialogues written the way enterprises type
(tests/tables/need_dialogues.jsonl; played by ``assistant.evaluation.dialogues``).

Every dev dialogue must end with the expected posting, nothing invented, no question asked again once answered or
declined and none a third time. Known failures are strict xfails (fixing one fails the build until the mark is
removed). The held-out dialogues were not looked at while building the feature: their pass rate must stay above
a floor, and is reported in eval/RESULTS.md.
"""

from __future__ import annotations

import pytest

from assistant.evaluation.dialogues import load, run_dialogue, run_table, summary

HOLDOUT_FLOOR = 0.5
KNOWN = {
    "nd-062": "“快速检测” is read as the 技术服务 mode, although the enterprise wants a test method developed",
}


def _dev():
    for row in load():
        if row["split"] == "dev":
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[row["id"]])] if row["id"] in KNOWN else []
            yield pytest.param(row, id=row["id"], marks=marks)


@pytest.mark.parametrize("row", list(_dev()))
def test_dev_dialogue(row):
    result = run_dialogue(row)
    assert result.ok, result.describe()


def test_table_is_big_enough_and_split():
    rows = load()
    assert len(rows) >= 30 and {r["split"] for r in rows} == {"dev", "holdout"}
    assert sum(len(r["opening"]) > 1 or bool(r.get("answers")) for r in rows) >= 20  # multi-turn dialogues
    answers = [a for r in rows for a in r.get("answers", {}).values()]
    for phrase in ("面议", "不限"):
        assert any(phrase in a for a in answers) or any(phrase in m for r in rows for m in r["opening"])


def test_holdout_stays_above_floor():
    s = summary(run_table())
    assert s["holdout"]["rate"] >= HOLDOUT_FLOOR, s


def test_a_reply_is_read_as_the_answer_to_the_question_asked():
    from datetime import date

    from assistant.drafting.need_session import NeedSession

    s = NeedSession()
    today = date(2026, 11, 24)
    s.read("我们是巴州的棉纺企业，想解决细纱断头率高的问题", today=today)
    asked = []
    replies = {"cooperation": "技术开发", "budget_wan": "80万", "deadline": "明年6月底", "contact": "不方便说"}
    while s.pending:
        asked.append(s.pending)
        s.read(replies.get(s.pending, "不知道"), today=today)
    p = s.posting
    assert p.budget_wan == 80 and p.deadline == date(2027, 6, 30) and p.cooperation == ["技术开发"]
    assert p.contact is None and "contact" in s.declined
    assert len(asked) == len(set(asked))  # no question twice
    s.read("预算改成100万", today=today)
    assert s.posting.budget_wan == 100 and s.pending is None
    s.read("不对，截止时间不限", today=today)  # the date goes with its notes, not only the note comes
    assert s.posting.deadline is None and s.posting.deadline_note == "不限"
    assert not any(n.startswith("截止") for n in s.posting.notes)
