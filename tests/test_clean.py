from pathlib import Path

from assistant.ingest.clean import Element, clean_elements
from assistant.ingest.documents import build_document


def _els(*lines):
    return [Element("paragraph", t) for t in lines]


def test_spam_seo_and_footers_are_removed():
    res = clean_elements(_els(
        "日韩无码视频免费看_亚洲综合色一区二区三区_国产成人久久AV免费看",
        "某市科协召开年度工作会议。会议总结了全年工作。",
        "责任编辑：张三",
        "分享到：",
        "版权所有 © 某某网 京ICP备12345678号",
        "- 3 -",
        "第 2 页 共 5 页",
    ))
    assert [e.text for e in res.elements] == ["某市科协召开年度工作会议。会议总结了全年工作。"]
    assert len(res.removed) == 6


def test_traditional_footer_lines_are_recognised():
    res = clean_elements(_els("正文第一段，講述科協工作。", "責任編輯：李四", "分享到:"))
    assert [e.text for e in res.elements] == ["正文第一段，講述科協工作。"]


def test_page_break_rejoins_a_cut_paragraph_but_not_a_title():
    res = clean_elements(_els(
        "巴州全力推进试点城市建设 为经济社会高质量发展提供智力支持",
        "今年以来，科协坚持创新引领。发挥组织优势，促进学科发",
        "展，为科技工作者开展交流创造条件。",
    ))
    texts = [e.text for e in res.elements]
    assert texts[0].startswith("巴州全力推进")
    assert texts[1].endswith("促进学科发展，为科技工作者开展交流创造条件。")
    assert len(texts) == 2


def test_repeated_page_headers_are_dropped():
    res = clean_elements(_els("某某政策解读", "第一段正文。", "某某政策解读", "第二段正文。"), title_hint="某某政策解读")
    assert [e.text for e in res.elements] == ["某某政策解读", "第一段正文。", "第二段正文。"]


def test_pinyin_glosses_are_removed():
    res = clean_elements(_els("陜西省科協(xié)深入實施創(chuàng)新工程。"))
    assert res.elements[0].text == "陜西省科協深入實施創新工程。"


def test_seed_003_spam_line_gone_and_metadata_found(seeds_dir: Path):
    doc = build_document(seeds_dir / "003_71bb37da1939ce36.txt", "003", 10**8)
    assert "无码" not in doc.text and "亚洲综合" not in doc.text
    assert doc.text.startswith("陜西省科協")
    assert str(doc.published) == "2022-04-08"
    assert doc.region == "陕西省"
    assert "(xié)" not in doc.text


def test_seed_metadata(seeds_dir: Path):
    doc = build_document(seeds_dir / "000_05fe24ebefbc01aa.txt", "000", 10**8)
    assert doc.title.startswith("巴州")
    assert str(doc.published) == "2023-05-18"
    assert doc.region == "巴州"
    assert "责任编辑" not in doc.text
    # filler from an article farm is not content
    doc2 = build_document(seeds_dir / "002_550d58ccfb46765c.txt", "002", 10**8)
    assert "希望对大家有所帮助" not in doc2.text


def test_display_text_is_not_nfkc_normalised(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_text("标题\n全角标点：（一）“引号”，句号。数字１２３。\n", encoding="utf-8")
    doc = build_document(p, "a.txt", 10**6)
    assert "：（一）“引号”，句号。数字１２３。" in doc.text
