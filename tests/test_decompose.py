"""Issue 12: a question that asks the same thing of several entities ("泰安和巴州分别引进了多少人才", "A的贴息和B的贴息
各能拿多少") is split into one question per entity, each retrieved and answered on its own; a question that
names several things without asking of each ("高企和科小的区别", "产学研合作") is left whole."""

from __future__ import annotations

import pytest

from assistant.decompose import per_entity
from tests._passages import passages

SPLIT: list[tuple[str, list[str]]] = [
    ("泰安和巴州在“科创中国”试点中分别引进了多少人才?",
     ["泰安在“科创中国”试点中引进了多少人才?", "巴州在“科创中国”试点中引进了多少人才?"]),
    ("巴州2026年院士专家工作站申报和科技特派员选派分别什么时候截止？",
     ["巴州2026年院士专家工作站申报什么时候截止？", "巴州2026年科技特派员选派什么时候截止？"]),
    ("泰安的知识产权质押贴息和成都的科创贷贴息，每家企业每年最高各能拿多少？",
     ["泰安的知识产权质押贴息，每家企业每年最高能拿多少？", "成都的科创贷贴息，每家企业每年最高能拿多少？"]),
    ("南师大师范类学费2023年和2024年分别是多少？",
     ["南师大师范类学费2023年是多少？", "南师大师范类学费2024年是多少？"]),
    ("天津和西安的科协分别做了哪些工作", ["天津的科协做了哪些工作", "西安的科协做了哪些工作"]),
    ("镇江、泰安、巴州各有多少家入驻组织？",
     ["镇江有多少家入驻组织？", "泰安有多少家入驻组织？", "巴州有多少家入驻组织？"]),
    ("比较一下高企和科小的研发费用占比要求",
     ["高企的研发费用占比要求", "科小的研发费用占比要求"]),
    ("高新技术企业和科技型中小企业的认定条件分别是什么",
     ["高新技术企业的认定条件是什么", "科技型中小企业的认定条件是什么"]),
    ("2022年与2024年清源理工的住宿费各是多少", ["2022年清源理工的住宿费是多少", "2024年清源理工的住宿费是多少"]),
    ("首次认定奖励和重新认定奖励分别多少钱", ["首次认定奖励多少钱", "重新认定奖励多少钱"]),
    ("成都和天津对揭榜挂帅项目的最高支持额度分别是多少",
     ["成都对揭榜挂帅项目的最高支持额度是多少", "天津对揭榜挂帅项目的最高支持额度是多少"]),
    ("苏州跟无锡的高企奖励各是多少", ["苏州的高企奖励是多少", "无锡的高企奖励是多少"]),
    ("对比泰安和镇江的技术经纪人奖励", ["泰安的技术经纪人奖励", "镇江的技术经纪人奖励"]),
    ("常州与苏州相比，小巨人奖励谁更高", ["常州小巨人奖励", "苏州小巨人奖励"]),
    ("工学类和经管类专业学费分别是多少", ["工学类专业学费是多少", "经管类专业学费是多少"]),
    ("海州财经学院和南江师范大学2024年在江苏的录取最低分分别是多少",
     ["海州财经学院2024年在江苏的录取最低分是多少", "南江师范大学2024年在江苏的录取最低分是多少"]),
    ("和静县和若羌县各有多少专家", ["和静县有多少专家", "若羌县有多少专家"]),
    ("参与揭榜和发榜的企业分别有什么要求", ["参与揭榜的企业有什么要求", "发榜的企业有什么要求"]),
    ("东川理工和南江师范2024年艺术类学费对比一下？", ["东川理工2024年艺术类学费？", "南江师范2024年艺术类学费？"]),
    ("我想问一下，高企和科小分别需要什么材料", ["我想问一下，高企需要什么材料", "我想问一下，科小需要什么材料"]),
]

WHOLE: list[str] = [
    "高企和科小有什么区别",
    "产学研合作有哪些支持",
    "科技人员和研发人员占比要求是多少",
    "泰安的知识产权质押贴息是多少",
    "申报时间和截止时间是什么时候",
    "院士专家工作站的建站条件",
    "企业科协和学会服务站有哪些支持政策",
    "巴州有哪些专家研究盐碱地改良？",
    "研发费用加计扣除比例是多少",
    "各区县的高企奖励一样吗",
    # A's boundary unknown (a long A against a short B): one question rather than two wrong ones
    "南江师范艺术类综合分文化课和专业各占多少？",
    "浙江院士工作站绩效评估优秀和良好分别奖补多少",
    "巴州科创中国平台板块现在入驻组织和发布的科技成果分别有多少？",
    "",
]


@pytest.mark.parametrize("question,parts", SPLIT)
def test_a_question_about_several_entities_is_asked_of_each(question, parts):
    assert per_entity(question) == parts


@pytest.mark.parametrize("question", WHOLE)
def test_a_question_that_does_not_ask_of_each_is_left_whole(question):
    assert per_entity(question) == []


_PASSAGES = passages({
    "泰安市知识产权质押融资贴息细则": "第五条 按企业实际支付利息的50%给予贴息，单个企业每年最高30万元。",
    "成都市科技企业科创贷贴息办法": "第六条 按贷款利息的40%给予贴息，每家企业每年贴息最高50万元。",
    "镇江市技术经纪人奖励办法": "第六条 按技术合同实际到账交易额的2%给予奖励，单个合同奖励最高5万元。",
})


@pytest.mark.parametrize("question", ["泰安和成都的贴息每家企业每年最高分别是多少", "泰安的质押贷款贴息和成都的科创贷贴息，每年最高各能拿多少？",
                                      "成都与泰安相比，贴息每年最高多少"])
def test_each_entity_is_answered_from_its_own_passage(question):
    from assistant.extractive import answer_extractive

    text, cites, refused = answer_extractive(question, _PASSAGES)
    assert not refused and "30万元" in text and "50万元" in text, text
    assert {c.source for c in cites} == {"doc0.md", "doc1.md"}
    assert sorted(c.n for c in cites) == [1, 2]


def test_an_entity_not_found_is_said_so_and_the_other_answered():
    from assistant.extractive import PART_NOT_FOUND, answer_extractive

    text, _, refused = answer_extractive("泰安和巴州的贴息每年最高分别是多少", _PASSAGES)
    assert not refused and "30万元" in text
    assert PART_NOT_FOUND + "巴州的贴息每年最高是多少" in text.splitlines()


def test_each_entity_is_answered_briefly():
    from assistant.extractive import answer_extractive

    text, _, _ = answer_extractive("泰安和成都的贴息每家企业每年最高分别是多少", _PASSAGES, max_sentences=4)
    assert len(text.splitlines()) <= 4
