"""Debian's headless Chromium driven by Playwright, opened on a page of the app (the browser tests share it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def chromium_page(url: str, timeout_ms: int = 30000, **page_options) -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is required for the browser tests: apt-get install chromium (the Makefile does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000}, **page_options)
        pg.set_default_timeout(timeout_ms)
        pg.goto(url)
        pg.wait_for_selector("#kc-input textarea")
        yield pg
        browser.close()
