"""Issue 12: a list introduced by 下列/如下/以下 is answered whole, reading on into the next passage of the
same document when the list runs past the passage's end."""

from __future__ import annotations

from assistant.extractive import answer_extractive, runs_on
from assistant.types import Context

DOC = ("二、申报条件\n企业应同时满足下列条件：\n（一）注册成立一年以上；\n（二）科技人员占比不低于10%；\n"
       "（三）研发费用占比不低于5%；\n（四）近一年高新技术产品收入占比不低于60%；\n（五）未发生重大安全事故。\n"
       "三、支持内容\n给予一次性奖励30万元。")


def _ctx(start: int, end: int, n: int) -> Context:
    return Context(chunk_id=f"c{n}", source="doc.md", title="示例办法", heading="二、申报条件", text=DOC[start:end],
                   start=start, end=end, score=1.0)


def test_a_passage_that_ends_inside_a_list_runs_on():
    cut = DOC.index("（三）")
    assert runs_on(DOC[:cut])
    assert runs_on("须满足以下条件：")
    assert not runs_on(DOC)  # the list ends with 。 and a new section
    assert not runs_on("（一）注册成立一年以上；\n（二）科技人员占比不低于10%；")  # items, but no introduction here


def test_the_list_is_read_on_into_the_next_passages_of_the_document():
    a, b = DOC.index("（三）"), DOC.index("（五）")
    chunks = [_ctx(0, a, 0), _ctx(a - 5, b, 1), _ctx(b, len(DOC), 2)]  # overlapping, as the chunker cuts

    def continuation(ctx: Context) -> Context | None:
        after = [c for c in chunks if c.start > ctx.start and c.end > ctx.end]
        return min(after, key=lambda c: c.start) if after else None

    text, cites, refused = answer_extractive("申报需要满足哪些条件？", [chunks[0]], continuation=continuation)
    assert not refused
    for item in ("一年以上", "10%", "5%", "60%", "重大安全"):
        assert item in text
    assert "30万元" not in text  # the next section is not part of the list
    # the quote's offsets, across the joined passages, still point into the document
    assert cites and cites[0].start is not None
    first = cites[0].quote.split("……")[0]
    assert DOC[cites[0].start:cites[0].start + len(first)] == first

    text, _, _ = answer_extractive("申报需要满足哪些条件？", [chunks[0]])
    assert "60%" not in text  # without the next passage the list stops where the passage does


def test_items_of_two_sentences_count_once_and_are_never_cut():
    nums = "一二三四五六七八九十"
    items = [f"（{nums[i]}）条件{nums[i]}。第{i + 1}项指标不低于{i + 1}0%。" for i in range(9)]
    doc = "三、认定条件\n企业应同时满足下列条件：\n" + "\n".join(items) + "\n四、支持内容\n奖励30万元。"
    ctx = Context(chunk_id="c", source="d.md", title="示例", heading="三、认定条件", text=doc, start=0,
                  end=len(doc), score=1.0)
    text, _, refused = answer_extractive("认定需要满足哪些条件？", [ctx])
    assert not refused
    for i in range(9):
        assert f"第{i + 1}项指标不低于{i + 1}0%" in text  # 18 sentences, 9 lines: the list comes whole
    assert "30万元" not in text
