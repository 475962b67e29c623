"""Issue 12, near-miss questions: what a question asks about (its focus) and which quoted name owns it.

A sentence that lacks the thing asked about ("注册资本", "综合排名") does not answer, however many other words
of the question it shares; generic words (条件、标准、比例、规模) and yes/no questions pin nothing, since those
are answered in other words. Rows written the way people ask, before the rule."""

from __future__ import annotations

import pytest

from assistant.extractive import constraints, focus, question_types

FOCUS = [
    ("天津揭榜挂帅项目对揭榜单位的注册资本有什么要求？", "注册资本"),
    ("成都科创贷的合作银行具体有哪几家？", "合作银行"),
    ("“科普天津云”平台的注册用户有多少?", "用户"),
    ("西咸新区在2022年“科创中国”榜单上综合排名第几?", "综合排名"),
    ("在天津申请产业类科普基地，场地面积最少要多大？", "场地面积"),
    ("天津科普基地每年对公众开放和接待量有什么要求？", "接待量"),
    ("巴州个人、团队、法人三类科技特派员的工作经费各是多少？", "工作经费"),
    ("高企有效期几年", "高企有效期"),
    ("科小入库后有效期多长", "有效期"),
    ("镇江技术经纪人的奖励上限是多少", None),  # 上限: an aspect named in other words
    ("高企认定对科技人员比例有啥要求", None),
    ("科小对企业规模有什么限制？", "企业规模"),  # named in other words: see the synonym test below
    ("研发费用加计扣除比例是多少", None),
    ("镇江高企培育库入库要什么条件", "入库"),  # the 条件 of 入库
    ("西安市有没有做结构陶瓷材料的专家？", None),  # yes/no: the thing asked follows
    ("介绍泰安试点经验的那篇文章是谁写的?", None),  # a verb between
    ("天津揭榜挂帅的发榜企业在营收和研发上要满足什么条件？", None),
    ("加计扣除能不能在预缴时享受", None),
    ("高企申报需要准备哪些材料", None),
    ("泰安企业科协星级评定的奖金是多少", "奖金"),
    ("巴州院士工作站专家每年在站时间要多少天", None),  # 时间: generic
    ("成都科创贷单户贴息上限多少", None),
    ("西安服务团团长的职称有什么要求", "职称"),
    ("这个平台的日活跃用户数是多少", "活跃用户数"),
    ("天府科技云的注册用户数有多少", "用户数"),
    ("新疆科协的年度预算是多少", "年度预算"),
]


@pytest.mark.parametrize(("question", "expected"), FOCUS)
def test_the_thing_a_question_asks_about(question, expected):
    got = focus(question)
    assert (got[0][0] if got else None) == expected


def test_a_compound_is_also_matched_by_its_head():
    forms, _ = focus("在天津申请产业类科普基地，场地面积最少要多大？")
    assert "面积" in forms  # "场所，面积不少于500平方米" answers
    forms, _ = focus("公司刚拿到高企证书，企业所得税能按多少的税率交？")
    assert "所得税" in forms


def test_a_focus_is_also_matched_by_its_synonyms():
    forms, _ = focus("科小对企业规模有什么限制？")
    assert {"职工总数", "资产总额"} <= set(forms)  # "职工总数不超过500人、…资产总额不超过2亿元" answers


@pytest.mark.parametrize(("question", "names"), [
    ("“科普天津云”平台的注册用户有多少?", ["科普天津云"]),  # owns the thing asked about
    ("《科技型中小企业评价办法》的有效期是多久", ["科技型中小企业评价办法"]),
    ("介绍泰安“科创中国”试点经验的那篇文章是谁写的?", []),  # quoted, but not the owner
    ("广州“十三五”时期公民具备科学素质的比例是多少?", []),
    ("盘州和建有“1+4”高新区体系的那个市相比,全社会研发投入占GDP的比重各是多少?", []),
])
def test_a_quoted_name_constrains_only_when_it_owns_the_thing_asked(question, names):
    assert [f[0] for k, f in constraints(question) if k == "name"] == names


@pytest.mark.parametrize(("question", "kind", "asked"), [
    ("宁夏科协第九次代表大会是哪一天召开的?", "day", True),
    ("代表大会几月几号开", "day", True),
    ("大会是哪年开的", "day", False),
    ("西咸新区综合排名第几", "rank", True),
    ("泰安在试点城市里排在第几名", "rank", True),
    ("高企奖励多少钱", "rank", False),
])
def test_day_and_rank_questions_need_a_day_or_a_rank(question, kind, asked):
    assert (kind in question_types(question)) is asked
