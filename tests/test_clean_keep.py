"""Nothing good is lost in cleaning (issue 15, item 4). `tests/tables/clean_keep.jsonl`: 100 short passages written
the way real documents are (news, credits, numbered lists, tables as text, notices with phone numbers, digits and
dates, traditional script, poems, Q&A, words like 广告/微信/版权 in their ordinary sense), written without seeing the
cleaner; every one must come through a .txt and a .md file whole. `tests/tables/clean_drop.jsonl`: 50 lines the
cleaner should remove because they can be named (page numbers, footers, navigation, marketing spam, rule lines);
the dev part must all go, the held-out part is reported (RELIABILITY.md, "Bad input").

Before this work the cleaner lost 3 of 67 dev passages (tables written with |, a unit read as a pinyin gloss:
降水量(mm)) and removed 18/35 dev and 9/15 held-out debris lines; now 67/67 and 33/33 passages are whole, and
35/35 and 13/15 debris lines go."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.clean import FOOTER_MAX_LEN, Element, clean_elements
from assistant.ingest.documents import build_document

TABLES = Path(__file__).parent / "tables"
KEEP = [json.loads(line) for line in (TABLES / "clean_keep.jsonl").read_text(encoding="utf-8").splitlines() if line]
DROP = [json.loads(line) for line in (TABLES / "clean_drop.jsonl").read_text(encoding="utf-8").splitlines() if line]
BEFORE = Element("paragraph", "本办法自发布之日起施行，由市科技局负责解释。")
AFTER = Element("paragraph", "第二条 支持对象为在本市注册的企业。")


def _key(text: str) -> str:
    return re.sub(r"[\s|]+", "", text)  # a table's | may be re-drawn around its cells


def test_the_tables_are_big_enough_and_split():
    assert len(KEEP) >= 80 and len({r["id"] for r in KEEP}) == len(KEEP)
    assert len(DROP) >= 40 and {r["split"] for r in KEEP} == {r["split"] for r in DROP} == {"dev", "holdout"}


@pytest.mark.parametrize("row", KEEP, ids=[r["id"] for r in KEEP])
@pytest.mark.parametrize("ext", [".txt", ".md"])
def test_a_real_passage_survives_whole(row, ext, tmp_path):
    path = tmp_path / f"{row['id']}{ext}"
    path.write_text(row["text"], encoding="utf-8")
    doc = build_document(path, path.name, 10**7)
    body = _key(doc.text)
    lost = [line for line in row["text"].split("\n") if _key(line) and _key(line) not in body]
    assert not lost and not doc.removed, (row["genre"], lost, doc.removed)


def _removed(line: str) -> bool:
    res = clean_elements([BEFORE, Element("paragraph", line), AFTER])
    assert [e.text for e in res.elements][0] == BEFORE.text and res.elements[-1].text == AFTER.text
    return line.strip() in [r.strip() for r in res.removed]


@pytest.mark.parametrize("row", [r for r in DROP if r["split"] == "dev"], ids=lambda r: r["id"])
def test_debris_the_cleaner_can_name_is_removed(row):
    assert _removed(row["line"]), row


def drop_rates() -> dict[str, tuple[int, int]]:
    """Debris lines removed, per split (the held-out figure is reported, not tuned on)."""
    out = {}
    for split in ("dev", "holdout"):
        rows = [r for r in DROP if r["split"] == split]
        out[split] = (sum(_removed(r["line"]) for r in rows), len(rows))
    return out


def test_held_out_debris_rate_is_reported():
    rates = drop_rates()
    print(f"debris removed: dev {rates['dev'][0]}/{rates['dev'][1]}, held out {rates['holdout'][0]}/{rates['holdout'][1]}")
    assert rates["dev"][0] == rates["dev"][1]
    assert rates["holdout"][0] >= 0.8 * rates["holdout"][1]  # 13/15 when measured; a regression shows here


# -- properties: a rule that could hit prose is held to short lines or to more than one sign ---------------------

_COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理"
_SENTENCE = st.text(alphabet=_COMMON + "，、0123456789", min_size=8, max_size=40).map(lambda s: s + "。")
_ONE_RISKY_WORD = st.sampled_from(["博彩", "棋牌", "联系我们", "仅供参考", "版权", "微信", "二维码", "关注", "下载",
                                   "上一篇", "欢迎阅读", "扫一扫", "责任", "来源", "广告", "免费"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_SENTENCE, min_size=2, max_size=6), _ONE_RISKY_WORD, st.integers(min_value=0, max_value=5))
def test_a_long_paragraph_with_one_risky_word_is_kept(sentences, word, at):
    text = "".join(sentences[:at % len(sentences)]) + f"其中提到{word}的情况，" + "".join(sentences[at % len(sentences):])
    if len(text) <= FOOTER_MAX_LEN:
        text += "".join(sentences) * 2
    res = clean_elements([Element("paragraph", text)])
    assert not res.removed and res.elements[0].text == text


@settings(max_examples=200, deadline=None)
@given(_SENTENCE, st.sampled_from(["联系我们", "上一篇", "扫一扫", "网站地图", "分享到"]))
def test_a_short_sentence_naming_a_navigation_word_is_kept(sentence, word):
    text = f"如有疑问请{word}，{sentence}"
    res = clean_elements([Element("paragraph", text)])
    assert not res.removed, text


def test_pipe_rows_without_a_separator_become_a_table_and_real_tables_are_left_alone():
    from assistant.ingest.loaders import load_markdown

    bare = load_markdown("序号|名称|单价\n1|A4复印纸|26元\n2|中性笔|18元".encode(), "x.md").elements
    assert [e.kind for e in bare] == ["table"] and bare[0].rows == ["序号 | 名称 | 单价", "1 | A4复印纸 | 26元",
                                                                    "2 | 中性笔 | 18元"]
    real = "| 路径 | 数量 |\n| --- | --- |\n| a | 1 |\n| b | 2 |\n\n正文。"
    els = load_markdown(real.encode(), "y.md").elements
    assert [e.kind for e in els] == ["table", "paragraph"] and els[0].rows == ["路径 | 数量", "a | 1", "b | 2"]
