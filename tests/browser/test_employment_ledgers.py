"""The posts ledger and the employment ledger in a real browser, at a phone's width and a desktop's: the county's
employment ledger drills down to 双碾乡's villages, the posts ledger's page, lists and one post's entry open, and no
page scrolls sideways. Screenshots under test-artifacts/screenshots/ledgers."""
import pytest

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def demo(divisions_restored, transactional_db, settings, tmp_path, monkeypatch):
    from django.core.management import call_command

    from fangpin.demo import setup

    settings.FEEDS_DIR = tmp_path / "feeds"
    monkeypatch.setattr(setup, "DEMO_SIZES", {setup.PINGLU: 300, setup.LONGXIAN: 20})
    call_command("demo_setup", "--quiet-accounts")


def test_the_employment_and_posts_ledgers_at_both_widths(demo, live_server, browser):
    from fangpin.demo.setup import PASSWORD
    from fangpin.employment.models import Post

    folder = SHOTS / "ledgers"
    folder.mkdir(parents=True, exist_ok=True)
    post = Post.objects.filter(village_id="140603203200", kind="village").order_by("code").first()
    wide = []
    for username in ("xianju", "cunji"):
        for label, (width, height) in WIDTHS.items():
            page = new_page(browser, viewport={"width": width, "height": height})
            login(page, live_server.url, username, PASSWORD)
            pages = [("employment", "/ledgers/employment/?year=2025"), ("posts", "/ledgers/posts/"),
                     ("posts-list", "/ledgers/posts/employment_posts/"),
                     ("holders-list", "/ledgers/posts/employment_post_holders/"),
                     ("post", f"/ledgers/posts/employment_posts/{post.pk}/")]
            for name, path in pages:
                response = page.goto(live_server.url + path)
                assert response.status == 200, (username, path, response.status)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    wide.append(f"{username} {path} at {width}px: {overflow}px too wide")
                page.screenshot(path=folder / f"{username}-{name}-{label}.png", full_page=True)
            if username == "xianju":
                page.goto(live_server.url + "/ledgers/employment/?year=2025")
                with page.expect_navigation():
                    page.click("#by-place a:has-text('双碾乡')")
                assert "area=140603203000" in page.url
                assert "双碾村委会" in page.inner_text("#by-place tbody")
                assert page.inner_text("#by-place tfoot th:nth-child(2)") != "0"
            page.context.close()
    assert not wide, "\n".join(wide)
