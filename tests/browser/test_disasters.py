"""Real browser, at a desktop's width and a phone's: a county bureau imports a disaster (its event, villages and
affected households) through the ledger's page, opens the event and enrolls the households in bulk through the green
channel; the village clerk then finds the event and the green-channel case on the household's page, with the steps
left to complete. A phone never scrolls a page sideways. Screenshots under test-artifacts/screenshots/disasters-<width>/."""
import datetime as dt

import pytest

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_disaster_import_becomes_green_channel_cases(small_demo, live_server, browser, tmp_path, width):
    from fangpin.demo.setup import PASSWORD
    from fangpin.exchange import workbooks
    from fangpin.monitoring.ledger import DISASTERS as LEDGER
    from fangpin.monitoring.models import AffectedHousehold, Case
    from fangpin.registry.models import Household

    shots = SHOTS / f"disasters-{width}"
    shots.mkdir(parents=True, exist_ok=True)
    n = 0
    w, h = WIDTHS[width]

    def shot(page, name):
        nonlocal n
        n += 1
        page.screenshot(path=shots / f"{n:02d}-{name}.png", full_page=True)
        if width == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: {overflow}px too wide"

    # Three households of 双碾村 and one of another 双碾乡 village, none monitored nor with a case under way
    free = (Household.objects.filter(village__code__startswith="140603203", category__in=["lifted", "ordinary"])
            .exclude(cases__isnull=False).exclude(disasters__isnull=False))
    here = list(free.filter(village_id="140603203200").order_by("number")[:3])
    there = free.exclude(village_id="140603203200").order_by("number").first()
    assert len(here) == 3 and there is not None
    code = f"平鲁区{dt.date.today().year}-冰雹-测试"
    doc = {"disaster_events": [{"code": code, "division_code": "平鲁区", "name": "双碾乡冰雹灾害（测试）", "kind": "hail",
                                "start": str(dt.date.today() - dt.timedelta(days=3)), "end": None,
                                "note": "冰雹致农作物受损"}],
           "disaster_villages": [{"event_code": code, "village_code": "140603203200"},
                                 {"event_code": code, "village_code": there.village_id}],
           "disaster_households": [{"event_code": code, "household_number": x.number, "loss": 360000,
                                    "situation": "农作物绝收"} for x in (*here, there)]}
    path = tmp_path / "受灾户.xlsx"
    workbooks.write_document(path, doc, catalog=LEDGER.catalog)

    page = new_page(browser, viewport={"width": w, "height": h})
    login(page, live_server.url, "xianju", PASSWORD)
    page.goto(f"{live_server.url}/ledgers/disasters/import/")
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation():
        page.click("button:has-text('上传并导入')")
    if "正在" in page.inner_text("main"):
        page.reload()
    assert "导入成功" in page.inner_text("main"), page.inner_text("main")[:500]
    shot(page, "imported")

    # the event's row in the ledger, then its page: four households waiting in two villages
    page.goto(f"{live_server.url}/ledgers/disasters/disaster_events/")
    with page.expect_navigation():
        page.click(f"#ledger-rows a:has-text('{code}')")
    with page.expect_navigation():
        page.click("a.button:has-text('批量纳入')")
    table = page.inner_text("#disaster-villages")
    assert "双碾村" in table and "合计" in table
    shot(page, "event")
    page.once("dialog", lambda d: d.accept())  # the bulk enrollment asks first
    with page.expect_navigation():
        page.click("#enroll-form button")
    main = page.inner_text("main")
    assert "批量纳入完成：绿色通道纳入4户" in main, main[:400]
    assert page.locator("#enroll-form").count() == 0  # nothing left to enroll
    shot(page, "enrolled")

    cases = Case.objects.filter(channel="disaster_list", household__in=[*here, there])
    assert cases.count() == 4 and all(c.green and c.state == "village" for c in cases)
    assert set(AffectedHousehold.objects.filter(event__code=code).values_list("outcome", flat=True)) == {"已通过绿色通道纳入"}

    # the village clerk: the household's page names the event and links the green-channel case with its open steps
    clerk = new_page(browser, viewport={"width": w, "height": h})
    login(clerk, live_server.url, "cunji", PASSWORD)
    clerk.goto(f"{live_server.url}/households/{here[0].pk}/monitoring/")
    record = clerk.inner_text("#household-disasters")
    assert "双碾乡冰雹灾害（测试）" in record and "3,600.00" in record and "已通过绿色通道纳入" in record
    shot(clerk, "household")
    with clerk.expect_navigation():
        clerk.click("#household-disasters a:has-text('已通过绿色通道纳入')")
    main = clerk.inner_text("main")
    assert "绿色通道" in main and "村级民主评议和公示" in main, main[:400]
    shot(clerk, "case")
