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
            ("roster", f"/policies/roster/?village={user.org_unit_id if user.org_unit.level == 'village' else ''}"
                       "&as_of=2025-06-30"), ("warnings", "/monitoring/warnings/"), ("cases", "/monitoring/cases/"),
            ("measures", "/monitoring/measures/"), ("cadres", "/monitoring/cadres/"),
            ("income-households", "/monitoring/income/households/"),
            ("simulate", "/policies/sn2022-67/simulate/?key=transport_cross_province&value=2000&as_of=2025-06-30"),
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
    out.append(("exports", "/exports/"))
    _exports_of(user)
    if user.role == "county_bureau":
        out.append(("audit", "/policies/sn2022-67/audit/"))
    return out


def _exports_of(user) -> None:
    """A finished and a failed background export on the user's 导出文件 page (long filters and a long error)."""
    from django.utils import timezone

    from fangpin.exchange import list_exports
    from fangpin.exchange.models import ExportJob

    common = {"user": user, "list_key": "households", "title": "户籍信息", "params": {"category": "lifted"},
              "filters": ["乡镇：双碾乡", "户类别：脱贫户", "姓名 / 户编号 / 村名：王"], "finished_at": timezone.now()}
    ExportJob.objects.create(**common, status="done", rows_done=123456, rows_total=123456, stored_name="w.xlsx")
    ExportJob.objects.create(**common, status="failed", error=list_exports.FAILED)


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


def test_overview_charts_render_offline_and_drill_down(demo, live_server, browser):
    """The county's overview draws its charts with nothing fetched from another host; a click on a township's bar opens
    that township's overview, and a click on a village's bar its list of households."""
    from urllib.parse import urlsplit

    from fangpin.demo.setup import PASSWORD

    page = new_page(browser, viewport={"width": 1366, "height": 768})
    elsewhere = []

    def only_here(route):
        if urlsplit(route.request.url).hostname not in ("localhost", "127.0.0.1"):
            elsewhere.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_here)
    login(page, live_server.url, "xianju", PASSWORD)
    page.goto(live_server.url + "/")
    for chart in ("chart-categories", "chart-share", "chart-monitoring"):
        page.wait_for_selector(f"#{chart}[data-ready='1'] canvas")
    bars = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-categories')).getOption().series"
                         ".map(s => s.data.reduce((a, b) => a + b, 0))")
    assert sum(bars) == int(page.inner_text("#rollup tfoot th:nth-child(5)").replace(",", ""))
    page.screenshot(path=SHOTS / "widths" / "xianju-overview-charts.png", full_page=True)

    def click_first_bar():
        x, y = page.evaluate("""() => { const el = document.getElementById('chart-categories');
            const c = echarts.getInstanceByDom(el); const s = c.getOption().series;
            const total = s.reduce((a, x) => a + x.data[0], 0);
            const p = c.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [0, total / 2]);
            const r = el.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; }""")
        with page.expect_navigation():
            page.mouse.click(x, y)

    click_first_bar()  # 平鲁区 -> its first township with households: 双碾乡
    assert "unit=140603203000" in page.url and "双碾乡" in page.inner_text("h1")
    page.wait_for_selector("#chart-categories[data-ready='1'] canvas")
    click_first_bar()  # 双碾乡 -> its first village: the households of that village
    assert "/households/" in page.url and "village=1406032032" in page.url
    assert elsewhere == []
