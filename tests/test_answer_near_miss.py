"""Issue 12: near-miss questions whose words a passage shares but whose answer it does not state — how many
of something the report only names, how much money a programme it never prices cost, the 市级 count of a report
that gives the 国家级 and 省级 ones, the overseas share of a company whose domestic share is given, the 小巨人
requirement of a measure for 专精特新中小企业 — are refused; the same questions about what the passages do state
are answered. Documents written here (fictional)."""

from __future__ import annotations

import pytest

from assistant.extractive import answer_extractive
from tests._passages import passages, vocabulary

_DOCS = {
    "青岚市科协2025年工作总结": (
        "一、搭建服务平台。深入实施“1355工程”，建好用活院士专家工作站、学会服务企业工作站等科技创新服务平台。"
        "全年新建学会服务企业工作站12家，累计达到47家。新增省级学会联合体两家。\n"
        "二、加强科普能力建设。现有国家级科普教育基地6家、省级科普教育基地31家。建成乡村科普e站85个。"
        "举办“科技工作者日”主题活动15场，参与人数超过2万人次。市科协连续5年获评全省科普工作优秀单位。\n"
        "三、服务企业创新。组织专家服务团23个，服务企业260余家。“春苗计划”共投入资金860万元，资助青年科技人才42名，参与高校有青岚大学、川西理工学院。"
        "青岚智造股份有限公司在专家团队帮助下突破高精度减速器技术，国内市场占有率提升至38%。\n"
        "四、全市全社会研发经费投入占地区生产总值比重达到2.6%。"),
    "青岚市优质中小企业梯度培育奖励办法": (
        "第三条 首次认定为专精特新中小企业的，给予一次性奖励20万元。\n"
        "第四条 首次认定为国家级专精特新“小巨人”企业的，给予一次性奖励80万元。\n"
        "第五条 申报专精特新中小企业，上年度研发费用总额不低于100万元，且占营业收入比重不低于3%。\n"
        "第六条 企业以知识产权质押从合作银行取得贷款的，按贷款利息的50%给予贴息，单个企业每年最高30万元。\n"
        "第七条 合作银行名单由市财政局另行公布。\n"
        "第八条 企业通过“青岚政务服务网”在线提交申报材料。"),
}

_KNOWN = vocabulary(_DOCS)


ROWS: list[tuple[str, str]] = [
    # counts the report states, in the counter it uses or another of the same kind
    ("学会服务企业工作站建了多少个", "12家"),
    ("今年新建了几家学会服务企业工作站", "12家"),
    ("学会服务企业工作站累计有多少家", "47家"),
    ("青岚国家级科普教育基地有多少家", "6家"),
    ("省级科普基地几个", "31家"),
    ("专家服务团组建了多少个", "23个"),
    ("专家服务团服务了多少家企业", "260余家"),
    ("科技工作者日活动办了几场", "15场"),
    ("科技工作者日活动参与的有多少人", "2万人次"),
    ("乡村科普e站建了多少", "85个"),
    ("青岚建成了多少个乡村科普e站？", "85个"),
    ("省级学会联合体新增了几家", "两家"),
    ("春苗计划资助了多少名青年人才", "42名"),
    ("市科协连续几年获评科普工作优秀单位", "5年"),
    # money the passages state
    ("春苗计划投入了多少资金", "860万元"),
    ("春苗计划一共花了多少钱", "860万元"),
    ("首次认定专精特新中小企业奖多少", "20万元"),
    ("小巨人企业奖励多少钱", "80万元"),
    ("国家级专精特新小巨人首次认定给多少奖励", "80万元"),
    ("知识产权质押贷款贴息每年最多多少", "30万元"),
    ("专利质押贷款利息能贴多少", "50%"),
    # qualifiers the passages state
    ("青岚智造国内市场占有率多少", "38%"),
    ("青岚智造的市场占有率是多少", "38%"),
    ("申报专精特新中小企业对研发费用有什么要求", "100万元"),
    ("专精特新对研发投入的要求是多少", "100万元"),
    ("青岚市研发投入占GDP的比重是多少", "2.6%"),
    ("全社会研发经费占地区生产总值比重多少", "2.6%"),
    ("申报材料在哪个网站提交", "青岚政务服务网"),
    # which institutions: the passage names them
    ("春苗计划有哪些高校参与", "青岚大学"),
    ("参与春苗计划的大学有哪几所", "青岚大学"),
]

# known gaps: a synonym's part ("专家" of 院士专家服务站) counts as the synonym, so "专家服务团23个" answers for 院士专家工作站;
# a question whose subject (小巨人) no sentence names is answered by a sentence sharing its other words (研发投入)
_GAP = pytest.mark.xfail(strict=True, reason="known gap, see the comment above NEAR_MISS")

NEAR_MISS: list = [
    # a programme named but never priced: its own number (1355) is not an amount
    "青岚市科协1355工程总共投入了多少资金",
    "1355工程投了多少钱",
    "“1355工程”的经费有多少",
    # a count of something the report only names
    pytest.param("院士专家工作站建了多少个", marks=_GAP),
    pytest.param("青岚院士专家工作站有几家", marks=_GAP),
    "科普e站一共投了多少钱",
    # the counter asked is not the counter stated (场、人次 are not 家; 家 are not 人)
    "科技工作者日活动有多少家企业参加",
    "专家服务团一共有多少人",
    # another level than the ones stated
    "青岚市级科普教育基地有多少家",
    "青岚县级科普教育基地有几个",
    "国家级学会联合体新增了几家",
    # overseas against domestic
    "青岚智造的海外市场占有率是多少",
    "青岚智造国外市场份额多少",
    "青岚智造在境外的市场占有率",
    # another tier of the same measure
    pytest.param("专精特新小巨人对研发投入的具体要求是多少", marks=_GAP),
    "小巨人企业申报对研发费用有什么要求",
    "创新型中小企业首次认定奖多少",
    # the list of banks is published elsewhere
    "合作银行具体有哪几家",
    "贴息的合作银行有哪些",
]


@pytest.mark.parametrize("question,answer", ROWS)
def test_what_the_passages_state_is_answered(question, answer):
    text, _, refused = answer_extractive(question, passages(_DOCS), known=_KNOWN)
    assert not refused and answer in text, (question, text)


@pytest.mark.parametrize("question", NEAR_MISS)
def test_what_they_only_name_is_refused(question):
    text, _, refused = answer_extractive(question, passages(_DOCS), known=_KNOWN)
    assert refused, (question, text)


# a news page's dateline, as pages copied from the web carry it
_NEWS = {"川西省科协：深入实施“2468工程”": (
    "2022-04-08 14:43:53  來源:川西日報\n"
    "2021年以来，川西省科协深入实施“2468工程”，组建科技服务团，打造创新创业平台，交出了一份出彩的成绩单。\n"
    "2023年，全省科协系统建成学会服务站56个。")}
_NEWS_KNOWN = vocabulary(_NEWS)


@pytest.mark.parametrize("question", ["川西2468工程总共投入了多少资金", "2468工程一共花了多少钱", "川西科协2468工程经费有多少"])
def test_a_dateline_is_not_an_amount(question):
    text, _, refused = answer_extractive(question, passages(_NEWS), known=_NEWS_KNOWN)
    assert refused, (question, text)


def test_a_dateline_is_never_quoted():
    text, _, refused = answer_extractive("川西2468工程是哪年开始实施的", passages(_NEWS), known=_NEWS_KNOWN)
    assert not refused and "2021年以来" in text and "14:43" not in text, text
