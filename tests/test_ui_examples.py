"""Issue 12: every example question the chat offers is answered completely and on topic, asked in a real
browser (Debian's headless Chromium) against the app served on 127.0.0.1 over the sample corpus indexed with
the real offline embedding model, as a new user clicking "试试这些问题" would."""

from __future__ import annotations

import pytest

from tests._browser import chromium_page
from tests._net import free_port
from tests.conftest import CORPORA, make_settings
from ui.handlers import EXAMPLES

# What a complete, on-topic answer to each example contains, and what it must not drift to.
EXPECTED = {
    "高企认定需要满足哪些条件？": (["一年以上", "知识产权", "10%", "5%", "4%", "3%", "60%", "创新能力", "重大安全"], ["镇江"]),
    "研发费用加计扣除的比例是多少？": (["100%"], []),
    "科小评价对企业规模有什么要求？": (["500人", "2亿元"], []),
    "巴州的院士专家工作站能获得多少资助？": (["50"], []),
    "我们是镇江市的新材料高企，职工180人，营收8000万元，有哪些政策适用于我？": (["镇江"], []),
}


def test_every_example_has_an_expectation():
    assert set(EXAMPLES) == set(EXPECTED)


@pytest.fixture(scope="module")
def page(tmp_path_factory, embed_cache):
    from assistant.knowledge_base import KnowledgeBase
    from ui.app import launch

    settings = make_settings(tmp_path_factory.mktemp("ui-e5"), embed_cache, provider="e5")
    kb = KnowledgeBase(settings)
    kb.ingest([CORPORA])
    kb.close()
    port = free_port()
    app = launch(settings, host="127.0.0.1", port=port, block=False)
    with chromium_page(f"http://127.0.0.1:{port}/", timeout_ms=60000) as pg:
        yield pg
    app.close()


@pytest.mark.parametrize("question", EXAMPLES)
def test_each_example_question_is_answered_completely_and_on_topic(page, question):
    page.click("#kc-new")
    page.wait_for_timeout(500)
    page.get_by_text(question, exact=True).first.click()  # the example fills the input box
    page.wait_for_function("q => document.querySelector('#kc-input textarea').value === q", arg=question)
    page.click("#kc-send")
    messages = page.locator("#kc-chat .message")
    page.wait_for_function("document.querySelectorAll('#kc-chat .message').length >= 2")
    page.wait_for_function("(() => { const m = document.querySelectorAll('#kc-chat .message');"
                           " const t = m[m.length - 1].innerText; return t.length > 20 && !t.endsWith('…'); })()")
    page.wait_for_timeout(1500)  # the stream settles
    answer = messages.last.inner_text()
    must, never = EXPECTED[question]
    assert "无法回答" not in answer
    missing = [m for m in must if m not in answer]
    assert not missing, f"{question}: missing {missing} in\n{answer}"
    drifted = [m for m in never if m in answer]
    assert not drifted, f"{question}: drifted to {drifted} in\n{answer}"
