from datetime import date

import pytest

from assistant.chains import Assistant
from assistant.conversation import Conversation, detect_intent
from assistant.knowledge_base import KnowledgeBase
from tests.conftest import CORPORA, make_settings


def test_intent_detection():
    assert detect_intent("我们是镇江的高企，有哪些政策适用于我？") == "support"
    assert detect_intent("我是一家做棉花加工的企业，能享受什么补贴") == "support"
    assert detect_intent("研发费用加计扣除的比例是多少") == "qa"
    assert detect_intent("职工120人", profile_started=True) == "support"
    assert detect_intent("职工120人") == "qa"


@pytest.fixture(scope="module")
def conv(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("conv"), embed_cache))
    kb.ingest([CORPORA / "policies", CORPORA / "records" / "policy_items.json"])
    yield Conversation(Assistant(kb.settings, kb=kb))
    kb.close()


def test_support_by_chat_then_follow_up_fact_then_question(conv):
    conv.reset()
    r = conv.send("我们是成都市的电子信息企业，有哪些支持政策适用于我？")
    assert r.intent == "support" and r.support is not None
    assert conv.profile.region == "成都市" and conv.profile.industry == "电子信息"
    assert "请补充" in r.text
    before = {m.id: m.status for m in r.support.measures}
    r2 = conv.send("职工120人，营收6000万元，资产5000万元")
    assert r2.intent == "support" and conv.profile.employees == 120 and conv.profile.region == "成都市"
    after = {m.id: m.status for m in r2.support.measures}
    # the head count decides its condition; the measure stays 可能符合 while other conditions are unknown
    assert before.get("pol-tsme-eval") == "possible" and after.get("pol-tsme-eval") == "possible"
    tsme = next(m for m in r2.support.measures if m.id == "pol-tsme-eval")
    assert next(c for c in tsme.conditions if c.key == "employees").status == "met"
    tsme = next(m for m in r2.support.measures if m.id == "pol-tsme-eval")
    assert "职工总数" not in tsme.missing_facts
    r3 = conv.send("研发费用加计扣除比例是多少")
    assert r3.intent == "qa" and r3.answer is not None and "100%" in r3.text
    assert len(conv.history) == 6


def test_a_profile_with_a_question_is_answered_and_the_next_question_is_not_more_profile(conv):
    conv.reset()
    r = conv.send("我们公司在成都，职工120人，营收6000万元，科技型中小企业评价对职工人数有上限吗？")
    assert r.intent == "qa" and r.answer is not None and "500人" in r.text, r.text
    assert conv.profile is not None and conv.profile.employees == 120  # kept for a later support question
    r2 = conv.send("研发费用加计扣除比例是多少？")
    assert r2.intent == "qa" and "沿用此前" not in r2.text and "100%" in r2.text, r2.text
    r3 = conv.send("有哪些政策适用于我们？")
    assert r3.intent in ("support", "policies") and "此前提供的企业信息（成都市）" in r3.text, r3.text


def test_the_question_a_profile_ends_with_is_not_part_of_the_profile(conv):
    conv.reset()
    r = conv.send("我们是镇江的新材料企业，职工150人，营收五千万，高企认定什么时候申报？")
    assert r.intent == "qa"
    # the enterprise asked about 高企; it did not say it is one
    assert conv.profile is not None and conv.profile.employees == 150 and conv.profile.region == "镇江市"
    assert "高新技术企业" not in conv.profile.qualifications
    r2 = conv.send("有哪些政策适用于我们？")
    assert "已是高新技术企业" not in r2.text, r2.text


def test_expired_measures_are_listed_as_expired(conv):
    conv.reset()
    conv.profile = None
    r = conv.send("我们是泰安市的企业，有哪些政策适用于我？")
    assert "已失效" in r.text and "不再推荐" in r.text
    assert all(m.status == "expired" for m in r.support.measures if m.valid_to and m.valid_to < date.today())


def test_need_and_report_intents():
    assert detect_intent("我们想发布一个科技需求") == "need"
    assert detect_intent("想解决籽棉异性纤维清理不干净的问题") == "need"
    assert detect_intent("帮我起草巴州2023年科创中国试点城市建设工作总结") == "report"
    assert detect_intent("巴州", need_started=True) == "need"
    assert detect_intent("研发费用加计扣除比例是多少？", need_started=True) == "qa"


def test_need_drafting_by_chat_asks_one_question_at_a_time(tmp_path_factory, embed_cache):
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("conv-need"), embed_cache))
    kb.ingest([CORPORA / "records"])
    conv = Conversation(Assistant(kb.settings, kb=kb))
    r = conv.send("想解决光伏组件清洗机器人在沙尘环境下效率低的问题")
    assert r.intent == "need" and r.need.field == "新能源"
    assert conv.need.pending == "region"  # one question: the most important missing field
    assert r.text.rstrip().endswith(conv.need.question("region"))
    assert r.text.count("？") == 1
    r = conv.send("巴州")
    assert r.intent == "need" and conv.need.posting.region == "巴州"
    assert "region" not in (conv.need.pending or "") and conv.need.asked.count("region") == 1
    assert r.matches and any(m.region == "巴州" for m in r.matches)
    r = conv.send("起草巴州2023年科创中国试点城市建设工作总结")
    assert r.intent == "report" and r.report is not None and r.text.startswith("# 巴州2023年")
    r = conv.send("去掉存在问题")  # a revision of the draft, by chat
    assert r.intent == "revise" and "存在问题" not in r.report.markdown() and r.text.startswith("已去掉")
    r = conv.send("改成工作亮点")
    assert r.intent == "revise" and r.report.report_type == "工作亮点"
    kb.close()
