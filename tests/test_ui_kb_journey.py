"""The knowledge-base journey of a 科协's staff, end to end in headless Chromium against `kechuang serve` with
accounts: log in as 工作人员, create a knowledge base, upload a scanned PDF made here (text rendered to an image,
no text layer), see it read by OCR, run 命中测试, open its chunks, correct one, ask a question whose answer cites
it; then log in as 企业用户 and find no management tab, and the internal base out of the answers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests._browser import CHROMIUM
from tests._server import serving
from tests.conftest import CORPORA, make_settings

LINES = [
    "某县科学技术局文件",
    "关于人才公寓租金补贴的通知",
    "一、引进的高层次人才入住人才公寓的，",
    "按实际租金给予百分之五十补贴。",
    "二、补贴每人每月最高1500元，",
    "最长补贴三年。",
    "三、申请人应于每年3月31日前提交材料。",
]


def _font() -> str:
    for path in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"):
        if Path(path).exists():
            return path
    found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout.split(":")[0].strip()
    if not found:
        pytest.fail("a CJK font is needed to render the scanned page: apt-get install fonts-wqy-microhei (make system-deps)")
    return found


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF holding only a picture of the text, as a scanner makes it (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(_font(), 40)
    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((120, 160 + i * 90), line, fill="black", font=font)
    page.save(path, "PDF", resolution=150)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory, embed_cache):
    from assistant.accounts import AccountStore
    from assistant.knowledge_base import KnowledgeBase

    data = tmp_path_factory.mktemp("journey") / "data"
    settings = make_settings(data, embed_cache)
    kb = KnowledgeBase(settings)
    assert not kb.ingest([CORPORA / "policies" / "national_high_tech_enterprise.md"]).failed
    kb.close()
    accounts = AccountStore(data / "accounts.sqlite")
    accounts.add_user("小王", "staff", "staff-pass-123")
    accounts.add_user("企业甲", "enterprise", "qiye-pass-123")
    accounts.close()
    with serving(settings) as url:
        yield url


def _login(browser, url: str, user: str, password: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.set_default_timeout(90000)
    page.goto(url + "/")
    page.locator("input[type=password]").wait_for()
    page.locator("input").first.fill(user)
    page.locator("input[type=password]").fill(password)
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("#kc-input textarea")
    page.get_by_role("tab", name="需求发布").wait_for()
    return page


def _pick(page, box: str, text: str) -> None:
    page.click(f"{box} input")
    page.get_by_role("option").filter(has_text=text).first.click()


def test_staff_build_a_base_from_a_scan_correct_it_and_cite_it(server, tmp_path):
    from playwright.sync_api import sync_playwright

    pdf = scanned_pdf(tmp_path / "人才公寓租金补贴通知.pdf", LINES)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = _login(browser, server, "小王", "staff-pass-123")
        page.get_by_role("tab", name="知识库").click()
        # a new knowledge base, searchable by staff only
        page.click("#kc-b-box button")
        page.fill("#kc-b-name input, #kc-b-name textarea", "县局扫描件")
        page.locator("#kc-b-readers label").filter(has_text="企业用户").click()  # untick: staff only
        page.click("#kc-b-create")
        page.wait_for_selector("#kc-b-status :text('已创建知识库')")
        assert "县局扫描件" in page.input_value("#kc-k-base input")
        # the scanned PDF goes into it and is read by OCR
        page.set_input_files("#kc-k-upload input[type=file]", str(pdf))
        page.wait_for_selector("#kc-k-upload :text('人才公寓租金补贴通知.pdf')")  # uploaded to the server
        page.click("#kc-k-go")
        page.wait_for_function("document.querySelector('#kc-k-status textarea').value.includes('人才公寓')")
        status = page.input_value("#kc-k-status textarea")
        assert "新增" in status and "OCR" in status, status
        table = page.inner_text("#kc-k-table")
        assert "人才公寓" in table and "县局扫描件" in table and "national_high_tech" not in table  # this base only
        # 命中测试 finds it
        page.click("#kc-h-box button")
        page.fill("#kc-h-query textarea", "人才公寓租金补贴每月最高多少")
        page.click("#kc-h-go")
        page.wait_for_selector("#kc-h-status :text('个段落')")
        assert "人才公寓租金补贴通知.pdf" in page.inner_text("#kc-h-table")
        # its chunks, marked as OCR'd; one corrected
        page.click("#kc-c-box button")
        _pick(page, "#kc-c-choice", "人才公寓租金补贴通知.pdf")
        page.wait_for_selector("#kc-c-status :text('OCR')")
        assert "OCR 识别" in page.inner_text("#kc-c-table")
        _pick(page, "#kc-c-pick", "1500")  # the chunk holding the monthly cap
        page.wait_for_function("document.querySelector('#kc-c-text textarea').value.length > 10")
        text = page.input_value("#kc-c-text textarea")
        assert "1500" in text, text
        corrected = text.replace("1500", "1800")
        page.fill("#kc-c-text textarea", corrected)
        page.click("#kc-c-save")
        page.wait_for_selector("#kc-c-msg :text('已保存')")
        assert "已修改" in page.inner_text("#kc-c-table")
        table = page.inner_text("#kc-k-table")
        assert "扫描件，PP-OCRv5 识别" in table and "1 个分块已修改" in table, table
        page.screenshot(path=str(tmp_path / "6-knowledge-base-ocr-edit.png"), full_page=True)
        # the chat answers from the corrected chunk and cites it
        page.get_by_role("tab", name="智能问答").click()
        page.fill("#kc-input textarea", "人才公寓租金补贴每人每月最高多少钱？")
        page.click("#kc-send")
        page.wait_for_selector("#kc-chat :text('出处')")
        answer = page.locator("#kc-chat .message").last.inner_text()
        assert "1800" in answer and "人才公寓租金补贴" in answer, answer
        page.close()
        # a 企业用户: no management tab, and the staff-only base is not searched for them
        page = _login(browser, server, "企业甲", "qiye-pass-123")
        page.wait_for_timeout(2000)  # the load event that shows staff tabs must show nothing here
        tabs = [t.inner_text() for t in page.get_by_role("tab").all()]
        assert "知识库" not in tabs and "报告起草" not in tabs
        page.fill("#kc-input textarea", "人才公寓租金补贴每人每月最高多少钱？")
        page.click("#kc-send")
        page.wait_for_function("document.querySelectorAll('#kc-chat .message').length >= 2 && "
                               "!document.querySelector('#kc-chat .pending')")
        page.wait_for_timeout(1000)
        answer = page.locator("#kc-chat .message").last.inner_text()
        assert "1800" not in answer and "人才公寓租金补贴通知" not in answer, answer
        browser.close()
