import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant._text import PUNCT, count_tokens
from assistant.ingest.chunking import Chunker
from assistant.ingest.clean import Element
from assistant.ingest.structure import assemble
from assistant.settings import ChunkingSettings
from assistant.types import Document

POLICY = """某市支持科技型企业发展的若干措施
第一章 总则
第一条 为加快培育科技型企业，制定本措施。
第二条 本措施适用于在本市注册的企业。
第二章 支持内容
第三条 对首次认定的高新技术企业，给予一次性奖励30万元。对重新认定的，给予10万元奖励。
第四条 企业研发投入占销售收入比例不低于5%的，按研发投入增量的10%给予补助，最高不超过200万元。
第三章 附则
第五条 本措施自发布之日起施行，有效期三年。"""


def _doc(text: str, tables=None) -> Document:
    els = [Element("paragraph", line) for line in text.splitlines() if line.strip()]
    if tables:
        els.extend(tables)
    body, blocks = assemble(els)
    return Document(source="t.md", title=els[0].text, text=body, blocks=blocks)


def test_policy_clauses_stay_whole_with_their_heading():
    doc = _doc(POLICY)
    chunks = Chunker(ChunkingSettings(chunk_tokens=200, overlap_tokens=0)).chunk(doc)
    for n in ["第三条", "第四条", "第五条"]:
        holders = [c for c in chunks if n in c.text]
        assert len(holders) == 1, n
        assert holders[0].text.startswith(n) or holders[0].text.split("\n")[-1].startswith(n)
        assert holders[0].heading.endswith(n)
    c4 = next(c for c in chunks if "第四条" in c.text)
    assert "第二章 支持内容" in c4.heading


def test_offsets_point_into_the_display_text_and_no_chunk_starts_with_punctuation():
    doc = _doc(POLICY + "\n" + "，".join(["这是一段很长的说明文字没有句号"] * 60) + "。")
    chunks = Chunker(ChunkingSettings(chunk_tokens=64, overlap_tokens=16)).chunk(doc)
    assert len(chunks) > 5
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert c.text[0] not in PUNCT and not c.text[0].isspace()
        assert count_tokens(c.text) <= 64 + 40  # a heading line may ride along with its first sentence


def test_overlap_repeats_trailing_sentences():
    text = "标题\n" + "".join(f"这是第{i}句话，内容用于测试重叠。" for i in range(40))
    doc = _doc(text)
    chunks = Chunker(ChunkingSettings(chunk_tokens=80, overlap_tokens=30)).chunk(doc)
    assert len(chunks) >= 3
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end, "consecutive chunks of one paragraph should overlap"


def test_table_chunks_repeat_the_header_row():
    rows = ["奖励类别 | 条件 | 金额（万元）"] + [f"类别{i} | 条件说明{i}需要满足若干要求 | {i * 10}" for i in range(60)]
    doc = _doc("奖励标准\n说明文字。", tables=[Element("table", "\n".join(rows), rows=rows)])
    chunks = [c for c in Chunker(ChunkingSettings(chunk_tokens=120, overlap_tokens=0)).chunk(doc) if "类别" in c.text]
    assert len(chunks) >= 3
    for c in chunks:
        assert c.text.split("\n")[0] == rows[0]
    body = "\n".join(c.text for c in chunks)
    for r in rows[1:]:
        assert r in body


def test_chunk_ids_are_stable_and_unique():
    doc = _doc(POLICY)
    a = Chunker(ChunkingSettings()).chunk(doc)
    b = Chunker(ChunkingSettings()).chunk(doc)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)


def test_unchanged_passage_keeps_its_id_when_another_part_changes():
    doc1 = _doc(POLICY)
    doc2 = _doc(POLICY.replace("一次性奖励30万元", "一次性奖励50万元"))
    ids1 = {c.text: c.chunk_id for c in Chunker(ChunkingSettings(chunk_tokens=200)).chunk(doc1)}
    ids2 = {c.text: c.chunk_id for c in Chunker(ChunkingSettings(chunk_tokens=200)).chunk(doc2)}
    same = set(ids1) & set(ids2)
    assert same and all(ids1[t] == ids2[t] for t in same)
    assert len(same) < len(ids1)


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
_LINE = st.text(alphabet=st.one_of(_CJK, st.sampled_from(list("。！？；，、：“”（）0123456789 abc"))),
                min_size=0, max_size=200)


@settings(max_examples=60, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=12), st.integers(min_value=32, max_value=300))
def test_every_character_lands_in_some_chunk(lines, budget):
    els = [Element("paragraph", line.strip()) for line in lines if line.strip()]
    if not els:
        return
    body, blocks = assemble(els)
    doc = Document(source="h", title="h", text=body, blocks=blocks)
    chunks = Chunker(ChunkingSettings(chunk_tokens=budget, overlap_tokens=budget // 4)).chunk(doc)
    covered = [False] * len(body)
    for c in chunks:
        assert body[c.start:c.end] == c.text
        for i in range(c.start, c.end):
            covered[i] = True
    for i, ch in enumerate(body):
        if not covered[i]:
            assert ch.isspace() or ch in PUNCT, f"lost {ch!r} at {i}"
    assert not any(re.match(r"\s", c.text) for c in chunks)
