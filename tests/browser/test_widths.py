"""Every demo role's pages at a desktop's width and a phone's (1366 and 390 px): the page never scrolls sideways, the
folded menu opens and reaches 退出, and each page is kept as a screenshot under test-artifacts/screenshots/widths."""
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


def pages_of(username: str) -> list[tuple[str, str]]:
    """(name, path) of the pages the role lives in, with one household, case and warning of its area."""
    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Case, Warning
    from fangpin.registry.models import Household

    user = User.objects.get(username=username)
    prefix = user.org_unit.prefix
    out = [("overview", "/")]
    if user.role == "department_officer":
        return out + [("feeds", "/monitoring/feeds/")]
    out += [("households", "/households/"), ("workbench", "/monitoring/"), ("policies", "/policies/"),
            ("policy", "/policies/sn2022-67/?as_of=2025-06-30"), ("income", "/monitoring/income/"),
            ("enterprises", "/enterprises/")]
    household = Household.objects.filter(village__code__startswith=prefix, category="lifted").order_by("pk").first()
    if household:
        out += [("household", f"/households/{household.pk}/?as_of=2025-06-30"),
                ("household-monitoring", f"/households/{household.pk}/monitoring/")]
    case = Case.objects.filter(household__village__code__startswith=prefix).order_by("pk").first()
    if case:
        out.append(("case", f"/monitoring/cases/{case.pk}/"))
    warning = Warning.objects.filter(household__village__code__startswith=prefix).order_by("pk").first()
    if warning:
        out.append(("warning", f"/monitoring/warnings/{warning.pk}/"))
    if user.role in ("village_clerk", "county_bureau"):
        out.append(("import", "/import/"))
    return out


def test_every_role_at_both_widths(demo, live_server, browser):
    from fangpin.demo.setup import ACCOUNTS, PASSWORD

    folder = SHOTS / "widths"
    folder.mkdir(parents=True, exist_ok=True)
    wide = []
    for account in ACCOUNTS:
        pages = pages_of(account.username)
        for label, (width, height) in WIDTHS.items():
            page = new_page(browser, viewport={"width": width, "height": height})
            login(page, live_server.url, account.username, PASSWORD)
            for name, path in pages:
                response = page.goto(live_server.url + path)
                assert response.status == 200, (account.username, path, response.status)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    wide.append(f"{account.username} {path} at {width}px: {overflow}px too wide")
                page.screenshot(path=folder / f"{account.username}-{name}-{label}.png", full_page=True)
            logout = page.locator("form.logout button")
            if label == "phone":
                assert not logout.is_visible()  # folded away until the menu opens
                page.click("label.menu-button")
            assert logout.is_visible()
            box = logout.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (account.username, label, box)
            page.context.close()
    assert not wide, "\n".join(wide)
