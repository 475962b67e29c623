"""Issue 12: a compilation of several places' articles (范文 pages: "工作亮点（3篇）… 篇一 … 篇二 …") is one file but
not one place. Each article's passages carry the article's place, or none when the article does not name one
("xx市", "我市"), so a question about the first article's city is not answered from another article's figures.
The compilation is written here (fictional figures; real city names so that places are recognised)."""

from __future__ import annotations

import pytest

from assistant.chains import Assistant
from assistant.ingest.documents import build_document
from tests.conftest import kb_of_files

_COMPILATION = """2024年科技创新工作总结（3篇）
以下是为大家整理的科技创新工作总结，仅供参考。
科技创新工作总结篇一
今年以来，绍兴市坚持创新驱动发展战略，科技创新工作取得新成效。
一、强化企业创新主体
绍兴市新认定高新技术企业320家，科技型中小企业入库1800家。全市建成省级企业研究院12家。
二、深化产学研合作
绍兴市组织校地对接活动26场，促成合作项目85个，技术合同成交额达到42亿元。
科技创新工作总结篇二
科技赋能产业 创新引领发展——xx市科技工作综述
这五年，我市科技创新工作捷报频传。全市研发经费投入占地区生产总值比重达到3.1%，比五年前提高0.8个百分点。
我市累计培育国家级科技企业孵化器5家，引进高层次人才团队40个。
科技创新工作总结篇三
湖州市聚焦绿色低碳，科技创新活力持续增强。
湖州市全社会研发投入占地区生产总值的比重达到2.9%。湖州市新建院士专家工作站6家。
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embed_cache):
    kb = kb_of_files(tmp_path_factory.mktemp("compilation"), embed_cache, {"汇编.txt": _COMPILATION})
    yield kb
    kb.close()


def test_each_article_has_its_own_place(tmp_path):
    p = tmp_path / "汇编.txt"
    p.write_text(_COMPILATION, encoding="utf-8")
    doc = build_document(p, "汇编.txt", 10**7)
    assert [r for _, _, r in sorted(doc.articles)] == ["绍兴市", "", "湖州市"]


def test_passages_carry_their_article_place(kb):
    regions = {c.text[:12]: c.metadata["region"] for c in kb.search("研发 比重 高新技术企业 院士", k=20)}
    assert any(r == "湖州市" for r in regions.values())
    for text, region in regions.items():
        if "我市" in text or "xx市" in text:
            assert region != "绍兴市", (text, region)


@pytest.mark.parametrize("question,answer", [
    ("湖州市研发投入占GDP的比重是多少", "2.9%"),
    ("湖州新建了几家院士专家工作站", "6家"),
    ("绍兴市新认定了多少家高新技术企业", "320家"),
    ("绍兴市技术合同成交额有多少", "42亿元"),
    ("绍兴组织了多少场校地对接活动", "26场"),
])
def test_an_article_answers_for_its_place(kb, question, answer):
    a = Assistant(kb.settings, kb=kb).ask(question)
    assert not a.refused and answer in a.text, a.text


@pytest.mark.parametrize("question", [
    "绍兴市研发投入占GDP的比重是多少",
    "绍兴市全社会研发经费占地区生产总值比重多少",
    "绍兴累计培育了多少家国家级科技企业孵化器",
    "湖州市新认定高新技术企业多少家",
])
def test_another_article_does_not_answer_for_the_first_ones_place(kb, question):
    a = Assistant(kb.settings, kb=kb).ask(question)
    assert a.refused, a.text
