"""Real browser, at a desktop's width and a phone's: the city leader's indicator dashboard (考核指标), drilled down from
朔州市 through 平鲁区 and 双碾乡 to a village, and on to the rows behind the village's figure, which export to Excel. The
charts are drawn (ECharts served by this server) and a phone never scrolls a page sideways. Pages are kept under
test-artifacts/screenshots/indicators-<width>/."""
import pytest

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_leader_drills_down_to_the_rows_behind_a_figure(small_demo, live_server, browser, width):
    from fangpin.demo.setup import PASSWORD

    shots = SHOTS / f"indicators-{width}"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    w, h = WIDTHS[width]
    page = new_page(browser, viewport={"width": w, "height": h})

    def shot(name):
        page.screenshot(path=shots / f"{name}.png", full_page=True)
        if width == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: {overflow}px too wide"

    login(page, live_server.url, "lingdao", PASSWORD)
    if width == "phone":
        page.click("label.menu-button")
    with page.expect_navigation():
        page.click("header.top nav a:has-text('考核指标')")
    assert "朔州市 · 考核指标" in page.inner_text("h1")
    # the month end of June last year: 双碾乡's targets (双发〔2022〕67号, to 2025) are judged
    day = page.locator("#snapshot-form select option", has_text="2025-06-30")
    with page.expect_navigation():
        page.select_option("#snapshot-form select", day.get_attribute("value"))
    assert "统计日 2025-06-30" in page.inner_text("main")
    page.wait_for_selector("#chart-children[data-ready='1']")
    shot("1-city")
    with page.expect_navigation():
        page.click("table.indicators a:has-text('脱贫人口务工就业规模')")
    assert "脱贫人口务工就业规模" in page.inner_text("h1")
    for name in ("平鲁区", "双碾乡"):
        with page.expect_navigation():
            page.click(f"#ranking a:has-text('{name}')")
        assert name in page.inner_text(".trail")
        page.wait_for_selector("#chart-children[data-ready='1']")
        shot(f"2-{name}")
    village = page.locator("#ranking tbody tr").first.locator("a")
    village_name = village.inner_text()
    figure = page.locator("#ranking tbody tr").first.locator("td").nth(2).inner_text()
    with page.expect_navigation():
        village.click()
    assert village_name in page.inner_text(".trail") and figure in page.inner_text("#figure")
    shot("3-village")
    with page.expect_navigation():
        page.click("#behind a")
    assert "明细" in page.inner_text("h1")
    rows = page.locator("#rows tbody tr")
    assert rows.count() > 0 and "没有记录" not in page.inner_text("#rows")
    shot("4-rows")
    with page.expect_download() as download:
        page.click("main a:has-text('导出 Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
