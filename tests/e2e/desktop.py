"""The agent desktop seen in a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("VOICEBOT_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def desktop_shows(base_url: str, agent: str, token: str, handoff_id: str,
                  screenshot: Path) -> str:
    """Log in, open the hand-off, wait for its call record, take a screenshot; returns the
    page's visible text."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base_url}/agent")
            page.get_by_label("Agent name").fill(agent)
            page.get_by_label("Token").fill(token)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base_url}/agent")
            expect(page.locator("#connection")).to_have_text("Live")
            item = page.locator(f'.item[data-id="{handoff_id}"]')
            expect(item).to_be_visible(timeout=10_000)
            item.click()
            expect(page.locator("#call-record")).not_to_contain_text("Loading",
                                                                     timeout=10_000)
            page.screenshot(path=str(screenshot), full_page=True)
            return page.locator("body").inner_text()
        finally:
            browser.close()
