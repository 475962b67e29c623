"""Issue 12, retrieval: a place the question pins down is preferred in ranking. Several cities have a measure of
the same kind, written in nearly the same words; the one whose wording matches the question best is not always
the asked city's ("成都知识产权质押融资贴息" — 泰安's rules are titled so, 成都's measure is called 科创贷). A passage
of a document about another place ranks below those of the asked place, of a place within it (库尔勒 for 巴州)
or of one containing it, and those of no place (a national measure). The documents are written here (fictional
figures; real place names so that places are recognised). Rows marked holdout were written with the others and
not looked at while building: they must stay above a floor."""

from __future__ import annotations

import pytest

from tests.conftest import kb_of_files

_DOCS = {
    "taian.txt": "泰安市知识产权质押融资贴息实施细则\n"
                 "第一条 为缓解科技型中小企业融资难题，推动知识产权质押融资，制定本细则。\n"
                 "第二条 本细则所称知识产权质押融资，是指企业以专利权、商标权质押从合作银行取得贷款。\n"
                 "第三条 知识产权质押融资贴息按实际支付利息的50%给予，单个企业每年贴息最高30万元。\n"
                 "第四条 知识产权质押融资风险补偿资金承担贷款本金损失的40%。\n"
                 "第五条 知识产权质押融资贴息每年11月30日前申报。\n",
    "chengdu.txt": "成都市科创贷贴息与担保费补贴办法\n"
                   "第一条 科创贷包括合作银行发放的信用贷款和专利权质押贷款。\n"
                   "第二条 贷款贴息按企业实际支付利息的50%给予，单个企业每年最高50万元。\n"
                   "第三条 担保费按实际支付额的50%补贴，每年最高10万元。\n"
                   "第四条 每年3月31日和9月30日为申报截止日期。\n",
    "zhenjiang.txt": "镇江市科技型企业银行贷款贴息办法\n"
                     "第一条 对科技型中小企业以专利质押或信用方式取得的银行贷款给予贴息。\n"
                     "第二条 贴息按贷款市场报价利率的40%计算，每家企业每年最高20万元。\n"
                     "第三条 申报材料包括贷款合同、付息凭证和专利证书复印件。\n",
    "xian.txt": "西安市科技金融贷款贴息办法\n"
                "第一条 西安市对科技企业以知识产权作抵押取得的贷款实行贴息。\n"
                "第二条 贴息比例为实际付息额的30%，单户每年不超过15万元。\n"
                "第三条 每年6月底前通过科技金融服务平台申报。\n",
    "korla.txt": "库尔勒市科技型企业融资支持办法\n"
                 "第一条 库尔勒市对注册在本市的科技型中小企业融资给予支持。\n"
                 "第二条 企业以专利权质押取得贷款的，按实际支付利息的60%给予贴息，每年最高8万元。\n"
                 "第三条 融资担保费按1%的费率给予补贴。\n",
    "national.txt": "关于进一步推进知识产权质押融资工作的通知\n"
                    "一、各地要扩大知识产权质押融资规模，鼓励银行开发知识产权质押融资产品。\n"
                    "二、探索建立知识产权质押融资风险补偿机制，对质押贷款给予贴息支持。\n",
}

# (question, the file whose passage must rank first, split)
_ROWS = [
    ("成都知识产权质押融资贴息一年最多多少", "chengdu.txt", "dev"),
    ("成都的知识产权质押贷款有贴息吗", "chengdu.txt", "dev"),
    ("在成都用专利质押贷款，贴息比例多少", "chengdu.txt", "dev"),
    ("四川省知识产权质押融资贴息标准", "chengdu.txt", "dev"),
    ("镇江知识产权质押融资贴息最高多少", "zhenjiang.txt", "dev"),
    ("镇江市专利质押贷款贴息要交什么材料", "zhenjiang.txt", "dev"),
    ("江苏镇江的知识产权质押融资有什么支持", "zhenjiang.txt", "dev"),
    ("西安知识产权质押融资贴息比例", "xian.txt", "dev"),
    ("西安市知识产权质押融资贴息什么时候申报", "xian.txt", "dev"),
    ("陕西知识产权质押贷款贴息多少", "xian.txt", "dev"),
    ("库尔勒知识产权质押融资贴息比例", "korla.txt", "dev"),
    ("巴州知识产权质押融资贴息怎么算", "korla.txt", "dev"),
    ("新疆的知识产权质押贷款贴息比例是多少", "korla.txt", "dev"),
    ("巴音郭楞州专利权质押贷款贴息每年最高多少", "korla.txt", "dev"),
    ("泰安知识产权质押融资贴息最高多少", "taian.txt", "dev"),
    ("山东泰安的知识产权质押融资风险补偿", "taian.txt", "dev"),
    ("成都担保费补贴多少", "chengdu.txt", "dev"),
    ("库尔勒融资担保费补贴", "korla.txt", "dev"),
    ("我们是成都的企业，知识产权质押融资风险补偿有吗", "chengdu.txt", "dev"),
    ("成都市知识产权质押融资贴息申报截止日期", "chengdu.txt", "dev"),
    # no place asked: the best-worded passage still wins
    ("知识产权质押融资风险补偿资金承担多少损失", "taian.txt", "dev"),
    ("科创贷包括哪些贷款", "chengdu.txt", "dev"),
    # held out
    ("成都专利权质押融资贴息上限", "chengdu.txt", "holdout"),
    ("镇江的知识产权质押融资贴息按什么算", "zhenjiang.txt", "holdout"),
    ("西安市知识产权质押融资贴息一年最多给多少", "xian.txt", "holdout"),
    ("库尔勒市知识产权质押贷款贴息最高多少", "korla.txt", "holdout"),
    ("四川成都知识产权质押融资补贴", "chengdu.txt", "holdout"),
    ("陕西西安知识产权质押融资贴息申报时间", "xian.txt", "holdout"),
    ("新疆巴州专利质押贷款贴息", "korla.txt", "holdout"),
    ("泰安市知识产权质押融资贴息申报截止", "taian.txt", "holdout"),
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embed_cache):
    kb = kb_of_files(tmp_path_factory.mktemp("places"), embed_cache, _DOCS)
    yield kb
    kb.close()


def _first(kb, question: str) -> str:
    hits = kb.search(question, k=5)
    return hits[0].source if hits else ""


@pytest.mark.parametrize(("question", "source"), [(q, s) for q, s, split in _ROWS if split == "dev"])
def test_the_asked_place_ranks_first(kb, question, source):
    assert _first(kb, question) == source


def test_held_out_places_stay_above_floor(kb):
    rows = [(q, s) for q, s, split in _ROWS if split == "holdout"]
    assert sum(_first(kb, q) == s for q, s in rows) >= 7, [(q, _first(kb, q)) for q, s in rows]


def test_passages_of_other_places_still_come_after_when_the_place_has_none(kb):
    """A place with no document of its own: the other places' passages are still retrieved (the answerer then
    says they are about another place), not dropped."""
    assert kb.search("绍兴知识产权质押融资贴息比例", k=5)
