"""Issue 12: a chat message goes to what it asks for. An enterprise that describes itself and asks which support
applies gets the support checklist; one that describes itself and asks a particular question (研发投入要占多少,
税率多少, 什么时候申报) gets that question answered; after a profile, a short answer to the finder's question
(职工120人, 2019年成立的) adds to the profile, and a new question is a question, not more profile."""

from __future__ import annotations

import pytest

from assistant.conversation import detect_intent

# (message, a profile was given earlier, intent)
ROWS: list[tuple[str, bool, str]] = [
    # which support applies, with or without a profile in the same message
    ("我们是镇江的高企，有哪些政策适用于我？", False, "support"),
    ("我是一家做棉花加工的企业，能享受什么补贴", False, "support"),
    ("我们公司在泰安，职工200人，营收8000万，能申请哪些扶持", False, "support"),
    ("我司是成都的科技型中小企业，有什么优惠政策可以享受", False, "support"),
    ("我们是巴州一家农机企业，成立5年，有没有适合我们的补贴", False, "support"),
    ("本公司位于天津滨海新区，去年营收1.2亿，研发投入900万，看看能申请什么支持", False, "support"),
    # a profile alone: the finder's checklist
    ("我们是镇江市新材料高企，职工180人，营收三千万", False, "support"),
    ("我司在成都高新区，成立三年，员工60人，年营收2000万，研发费用300万", False, "support"),
    ("我们公司：泰安，机械制造，职工一百八十人，营收八千万", False, "support"),
    # a profile and a particular question: that question answered
    ("我们公司营收三千万，研发投入要占营收多少才能入科小库？", False, "qa"),
    ("我们是高企，企业所得税按多少税率交？", False, "qa"),
    ("我们公司180人，科技型中小企业评价对职工人数有上限吗", False, "qa"),
    ("我们成立两年了，营收5000万，申报专精特新要满足什么条件", False, "qa"),
    ("我司在成都，去年营收2亿，科创贷贴息比例是多少", False, "qa"),
    ("我们公司职工300人，营收1.5亿，高企认定什么时候申报", False, "qa"),
    ("我们是科小企业，研发费用加计扣除比例是多少？", False, "qa"),
    ("我们公司在镇江，员工50人，技术经纪人奖励怎么申请", False, "qa"),
    ("我们企业营收四千万左右，研发费用占比5%，科小评价能得多少分", False, "qa"),
    ("本公司职工120人、营收六千万，申请院士专家工作站需要哪些材料", False, "qa"),
    ("我们是泰安的企业，成立3年，专利质押贷款贴息最高多少", False, "qa"),
    # a profile and whether it qualifies for one measure: the finder, which checks each condition
    ("我们公司营收3000万，职工50人，能申请高企吗", False, "support"),
    ("我们是镇江的企业，成立4年，营收六千万，符合科小条件吗？", False, "support"),
    ("我司在泰安，职工80人，研发投入400万，可以申报专精特新吗", False, "support"),
    ("我们是成都的软件公司，营收2000万，能不能入科小库", False, "support"),
    # after a profile: the finder's follow-up answered
    ("职工120人", True, "support"),
    ("2019年成立的", True, "support"),
    ("是高企", True, "support"),
    ("营收大概3000万", True, "support"),
    ("我们有180个员工", True, "support"),
    ("研发投入一年500万左右", True, "support"),
    ("去年刚认定的高新技术企业", True, "support"),
    ("成立8年了", True, "support"),
    # after a profile: a new question is a question
    ("高企认定需要什么条件？", True, "qa"),
    ("科小评价什么时候申报", True, "qa"),
    ("研发费用加计扣除比例是多少", True, "qa"),
    ("高企的税收优惠是多少", True, "qa"),
    ("专精特新中小企业认定对营收有什么要求？", True, "qa"),
    ("揭榜挂帅项目最高资助多少万", True, "qa"),
    ("高企有效期几年", True, "qa"),
    ("科小入库后有效期多久？", True, "qa"),
    ("成立不满一年能申请高企吗", True, "qa"),
    ("院士工作站建站补助多少", True, "qa"),
    ("科技型中小企业评价的条件", True, "qa"),
    ("高新技术企业认定需要满足哪些条件？", True, "qa"),
    # no profile: questions
    ("研发费用加计扣除的比例是多少", False, "qa"),
    ("职工120人", False, "qa"),
    ("高企认定需要什么条件？", False, "qa"),
    ("营收三千万的企业能评科小吗", False, "qa"),
    ("科技型中小企业职工人数上限是多少", False, "qa"),
]


@pytest.mark.parametrize("text,profile_started,intent", ROWS)
def test_a_message_goes_to_what_it_asks_for(text, profile_started, intent):
    assert detect_intent(text, profile_started=profile_started) == intent, text
