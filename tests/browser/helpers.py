"""Shared by the browser tests: where Chromium and the screenshots are, and logging in."""
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def login(page, base, username, password="secret-pass-1"):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # wait for the answer to the POST: a test that navigates on at once races the login's cookies
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} was not logged in: {page.inner_text('body')[:200]}"


def new_page(browser, **kwargs):
    """A page in a context of its own: a second user never shares cookies, cache or requests in flight."""
    return browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **kwargs}).new_page()


