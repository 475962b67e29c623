"""Issue 12, conversation: whether a message is a follow-up is decided by what it says, not its length.
``eval/golden/multiturn.jsonl`` (60 cases written from the documents, 30 % held out) is played offline."""

from __future__ import annotations

import pytest

from assistant.chains import Assistant
from assistant.evaluation import multiturn as M
from assistant.followup import standalone
from assistant.knowledge_base import KnowledgeBase
from tests.conftest import CORPORA, make_settings


@pytest.fixture(scope="module")
def results(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("mt"), embed_cache))
    kb.ingest([CORPORA])
    yield M.run(Assistant(kb.settings, kb=kb))
    kb.close()


def test_every_dev_conversation_is_told_follow_up_or_new_topic_right(results):
    wrong = [(r.case["id"], r.case["turns"], r.standalone) for r in results
             if r.case["split"] == "dev" and not r.kind_ok]
    assert not wrong


def test_held_out_conversations_and_answers_stay_above_their_first_measurement(results):
    s = M.summary(results)
    assert s["holdout/follow_up"]["kind_right"] + s["holdout/switch"]["kind_right"] >= 16  # 16/18 first measured
    # answers: 14/18 held out and 26/42 dev first; after the answerer stopped padding from other documents
    # (corpus set: fact recall 0.830 → 0.840, citation precision 0.636 → 0.776) 13/18 and 30/42
    assert s["holdout/follow_up"]["passed"] + s["holdout/switch"]["passed"] >= 13
    # the place and year carried with the programme, the earlier question whole when the follow-up names nothing
    # new (tests/tables/followups.jsonl), a place preferred in ranking and the kind of value asked (a length of
    # time, a threshold, whether a measure is still open): with these fake embeddings 32 → 34 dev (15 held out
    # both); with e5 (`kechuang eval multiturn`) 33 → 39 dev
    failed = [(r.case["id"], r.standalone) for r in results if r.case["split"] == "dev" and not r.ok]
    assert s["dev/follow_up"]["passed"] + s["dev/switch"]["passed"] >= 34, failed


@pytest.mark.parametrize(("turns", "expected"), [
    (["研发费用加计扣除比例是多少", "科小评价的条件"], "科小评价的条件"),  # short, but a new programme
    (["高企认定要什么条件", "那科小呢"], "科小认定要什么条件"),  # ellipsis: the programme swapped in
    (["泰安知识产权质押贴息比例是多少", "成都的呢"], "成都知识产权质押贴息比例是多少"),  # the place swapped in
    (["高企认定要什么条件", "那科小呢", "申报时间呢"], "科小 申报时间"),  # the topic carried two turns
    (["天津揭榜挂帅项目财政支持多少", "钱怎么拨"], "天津揭榜挂帅 钱怎么拨"),  # the place carried with the programme
    (["巴州院士工作站申报时间", "揭榜挂帅是什么"], "揭榜挂帅是什么"),
])
def test_standalone_questions(turns, expected):
    assert standalone(turns[-1], turns[:-1]) == expected
