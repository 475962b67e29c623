"""Issue 12: questions phrased the way people write them — names abbreviated (清理工 for 清源理工学院, 营收 for
营业收入), framing words (我家孩子、我们老板), a phone number asked for — answered from passages that spell
everything out. Documents written here (fictional)."""

from __future__ import annotations

import pytest

from assistant.extractive import answer_extractive
from assistant.types import Context
from tests._passages import passages

_DOCS = {
    "清源理工学院2024年本科招生章程": (
        "第十二条 学费标准：工学类专业学费为每生每学年6200元，经管类专业学费为每生每学年5600元。\n"
        "第十三条 住宿费：住宿费为每生每学年1200元。\n"
        "第十六条 单科成绩要求：英语专业要求考生高考英语单科成绩不低于108分。\n"
        "第十八条 对实行平行志愿投档的批次，学校调档比例原则上控制在105%以内。\n"
        "招生咨询电话：0755-66661234\n"
        "通讯地址：清源市南湖路8号 清源理工学院招生办公室"),
    "云岭林业职业技术学院2024年招生章程": (
        "第十条 录取时，对投档考生按分数优先的原则安排专业。\n"
        "第十一条 学费标准：林学类专业学费为每生每学年4300元。\n"
        "第十二条 住宿费：住宿费为每生每学年700元。\n"
        "招生咨询电话：0871-55557788"),
    "江川市科技型企业研发投入后补助办法": (
        "第五条 上年度营业收入不超过2亿元、研发费用占营业收入比例不低于4%的企业，可申请后补助。\n"
        "第六条 按上年度研发费用增量部分的10%给予补助，单个企业最高不超过50万元。\n"
        "第七条 联系电话：0510-12345678（江川市科学技术局）"),
}


def _contexts() -> list[Context]:
    return passages(_DOCS)


ROWS: list[tuple[str, str]] = [
    ("清理工2024年工科学费多少钱一年？", "6200元"),
    ("清源理工学院工学类学费", "6200元"),
    ("清理工经管类一年学费要多少", "5600元"),
    ("我家孩子想报清理工，住宿费一年多少？", "1200元"),
    ("清源理工住宿费", "1200元"),
    ("我孩子想报清理工英语专业，英语要考多少分？", "108分"),
    ("清理工英语单科要求", "108分"),
    ("清理工调档比例是多少", "105%"),
    ("清源理工学院2024年投档比例", "105%"),
    ("清理工招生办电话多少", "0755-66661234"),
    ("清源理工学院招生咨询电话是多少？", "0755-66661234"),
    ("清理工招生办地址在哪", "南湖路8号"),
    ("云林职院林学类学费多少", "4300元"),
    ("云岭林业职院住宿费一年多少钱", "700元"),
    ("云林职院录取是分数优先还是志愿优先？", "分数优先"),
    ("云林职院招生电话", "0871-55557788"),
    ("江川研发后补助营收上限多少？", "2亿元"),
    ("我们老板问江川研发后补助营收要求是多少", "2亿元"),
    ("江川研发后补助最多补多少钱", "50万元"),
    ("江川后补助按增量的百分之几补", "10%"),
    ("江川研发后补助找谁咨询，电话多少", "0510-12345678"),
    ("江川研发投入后补助研发费用占营收要多少", "4%"),
]


@pytest.mark.parametrize("question,answer", ROWS)
def test_questions_as_people_write_them(question, answer):
    text, _, refused = answer_extractive(question, _contexts())
    assert not refused and answer in text, (question, text)


def test_a_phone_line_is_quoted_only_when_a_phone_is_asked_for():
    text, _, _ = answer_extractive("清理工住宿费多少", _contexts())
    assert "1200元" in text and "0755" not in text
