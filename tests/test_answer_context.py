"""Issue 12: a sentence is read in its paragraph, as a person reads it. "2024年5月，她荣获…奖" answers what 周敏
won, because the sentence before it names her; "秸秆灰、红糖、食盐等材料按比例调和…" answers what 米脂县's
科技特派员 used, because the paragraph it ends is about 米脂县; a sentence about 清涧县 in a paragraph that opened
with 米脂县 is still about 清涧县. Documents written here (fictional people and figures; real county names, so
that places are recognised)."""

from __future__ import annotations

import pytest

from assistant.extractive import answer_extractive
from tests._passages import passages, vocabulary

_DOCS = {
    "科技特派员把实验室搬进果园": (
        "进入腊月，果树越冬管理到了关键期。12月3日，在米脂县银州镇桃花村的果园里，米脂县农业技术推广站科技特派员韩立"
        "正在指导果农配制防冻剂。秸秆灰、红糖、食盐等材料按一定比例调和后刷在枝干上，就成了成本低廉的防冻剂，"
        "这个配方是韩立多年摸索出来的。\n"
        "米脂县科创联络员、银州精机有限公司总工程师周敏，多年参加省科协举办的技术经纪人培训班。"
        "2024年5月，她荣获第三届全省技术转移突出贡献奖。\n"
        "米脂县科协副主席林海长期联系装备制造企业。2023年，他牵头组建了装备制造科技服务团，服务企业40余家。\n"
        "今年以来，米脂县建成科普e站18个；清涧县建成科普e站12个，开展科普讲座30场。\n"),
    # a web page that puts every sentence on its own line
    "大棚里来了科技特派员": (
        "8月9日，在清涧县石盘乡的蔬菜大棚里，清涧县农业技术推广中心科技特派员郑川正在给菜农示范配制叶面肥。\n"
        "豆饼水、淘米水、蛋壳粉等材料发酵后兑水喷施，就成了便宜好用的叶面肥，这是郑川在基层多年总结的办法。\n"),
}
_KNOWN = vocabulary(_DOCS)

ROWS: list[tuple[str, tuple[str, ...]]] = [
    # the sentence after the one that names the person: 她/他 is that person
    ("周敏获得过什么奖项", ("突出贡献奖",)),
    ("周敏得过什么奖", ("突出贡献奖",)),
    ("周敏荣获了哪个奖", ("突出贡献奖",)),
    ("科创联络员周敏拿过什么奖", ("突出贡献奖",)),
    ("米脂的科创联络员周敏获得过什么奖项？什么时候获得的？", ("突出贡献奖", "2024年5月")),
    ("周敏是什么时候获奖的", ("2024年5月",)),
    ("周敏哪年获得的技术转移奖", ("2024年5月",)),
    ("林海牵头组建了什么服务团", ("装备制造科技服务团",)),
    ("林海组建的科技服务团服务了多少家企业", ("40余家",)),
    ("米脂县科协副主席林海哪年组建的服务团", ("2023年",)),
    # the place the paragraph is about holds for its later sentences
    ("米脂县的科技特派员韩立用哪些材料配制防冻剂", ("秸秆灰",)),
    ("米脂科技特派员配防冻剂用了哪些材料", ("秸秆灰",)),
    ("韩立的防冻剂是用什么材料配的", ("秸秆灰",)),
    ("米脂县韩立的防冻剂配方是什么", ("秸秆灰",)),
    ("米脂县建成了多少个科普e站", ("18个",)),
    ("清涧县建了几个科普e站", ("12个",)),
    ("清涧县开展了多少场科普讲座", ("30场",)),
    # … and for the first sentence of the next line
    ("清涧县科技特派员郑川用哪些材料配制叶面肥", ("豆饼水",)),
    ("清涧的科技特派员郑川的叶面肥是用什么材料做的", ("豆饼水",)),
]

# known gap: a person the question names is not required of the sentence, so the 米脂县 scene with 韩立 answers a
# question about 郑川 in 米脂县 (jieba does not tell people's names from other words well enough to require them)
_GAP = pytest.mark.xfail(strict=True, reason="known gap: the person asked is not required, see the comment above")

NEAR_MISS = [
    # the paragraph is about 米脂县: its sentences are not about another county
    pytest.param("清涧县的科技特派员韩立用哪些材料配制防冻剂", marks=_GAP),
    "绥德县科创联络员周敏获得过什么奖项",
    # the sentence names another county than the paragraph's first one
    "米脂县开展了多少场科普讲座",
    pytest.param("米脂县科技特派员郑川用哪些材料配制叶面肥", marks=_GAP),
    "绥德县科技特派员郑川用什么材料配的叶面肥",
]


@pytest.mark.parametrize("question,answers", ROWS)
def test_a_sentence_is_read_in_its_paragraph(question, answers):
    text, _, refused = answer_extractive(question, passages(_DOCS), known=_KNOWN)
    assert not refused and all(a in text for a in answers), (question, text)


@pytest.mark.parametrize("question", NEAR_MISS)
def test_the_paragraph_place_is_not_another_place(question):
    text, _, refused = answer_extractive(question, passages(_DOCS), known=_KNOWN)
    assert refused, (question, text)


def test_a_sentence_with_a_pronoun_is_quoted_with_the_sentence_that_names_its_subject():
    text, _, refused = answer_extractive("周敏获得过什么奖项", passages(_DOCS), known=_KNOWN)
    assert not refused and "她荣获" in text and "周敏" in text, text
