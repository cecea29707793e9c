"""收入核算 pages: households per band rolled up one level at a time from the tallies, with totals, links down and the
Excel file; the flagged households as a list by year, division and case, heads named, in the user's area only."""
import io
import re

import openpyxl
import pytest
from django.test import Client

from conftest import SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.monitoring import tallies
from fangpin.monitoring.models import IncomeAccount


@pytest.fixture
def accounts(world, households):
    """2025: 双碾村 one below and one above; 吴家窑村 one at the edge whose income fell sharply; 2024: one below."""
    extra = make_household(SHUANGNIAN_CUN, "1406032032000077", head_name="钱多多")
    rows = [(households["shuangnian"], 2025, "below", False), (extra, 2025, "above", False),
            (households["wujiayao"], 2025, "edge", True), (households["shuangnian"], 2024, "below", False)]
    for h, year, band, sharp in rows:
        IncomeAccount.objects.create(household=h, year=year, size=2, net_income=1_000_000, per_capita=500_000,
                                     line=700_000, band=band, fell=sharp, sharp_fall=sharp)
    tallies.recount([SHUANGNIAN_CUN, WUJIAYAO])
    return households


def client(user):
    c = Client()
    c.force_login(user)
    return c


def band_rows(page: str) -> dict[str, list[int]]:
    table = page.split('id="band-table"')[1].split("</table>")[0]
    out = {}
    for name, cells in re.findall(r"<tr><td><a [^>]+>([^<]+)</a></td>(.*?)</tr>", table):
        out[name] = [int(x.replace(",", "")) for x in re.findall(r'<td class="num">([\d,]+)</td>', cells)]
    return out


def test_bands_roll_up_one_level_at_a_time(world, accounts):
    c = client(world.county)
    county = band_rows(c.get("/monitoring/income/?year=2025").content.decode())
    assert list(county.values()) == [[1, 1, 1, 0, 3]]  # 双碾乡: below, edge, above, unknown, total
    township = band_rows(c.get(f"/monitoring/income/?year=2025&unit={SHUANGNIAN}").content.decode())
    assert sorted(township.values()) == [[0, 1, 0, 0, 1], [1, 0, 1, 0, 2]]
    assert band_rows(c.get("/monitoring/income/?year=2024").content.decode()) == {"双碾乡": [1, 0, 0, 0, 1]}
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/monitoring/income/?year=2025&format=xlsx").streaming_content)))
    sheet = [[cell.value for cell in row] for row in wb.active.iter_rows()]
    assert sheet[-1] == ["合计", 1, 1, 1, 0, 3] and sheet[-2][0] == "双碾乡"


def test_the_flagged_list_filters_by_case_and_stays_in_the_area(world, accounts):
    c = client(world.county)
    page = c.get("/monitoring/income/households/?year=2025").content.decode()
    assert "王建国" in page and "李秀英" in page and "钱多多" not in page and "共 2 户" in page
    assert "共 1 户" in c.get("/monitoring/income/households/?year=2025&flag=sharp_fall").content.decode()
    assert "共 1 户" in c.get("/monitoring/income/households/?year=2024").content.decode()
    clerk = client(world.clerk).get(f"/monitoring/income/households/?year=2025&village={WUJIAYAO}").content.decode()
    assert "李秀英" not in clerk and "王建国" in clerk
    overview = c.get("/monitoring/income/?year=2025").content.decode()
    assert "/monitoring/income/households/?year=2025" in overview and "王建国" in overview


@pytest.mark.parametrize("year", ["3000", "1999", "abc", "9" * 30, "２０２５"])
def test_a_year_outside_the_accounting_is_refused_and_nothing_is_computed(world, accounts, year):
    c = client(world.county)
    r = c.post("/monitoring/income/", {"action": "recompute", "year": year}, follow=True)
    assert r.status_code == 200 and "年度应为" in r.content.decode()
    assert set(IncomeAccount.objects.values_list("year", flat=True)) == {2024, 2025}
    assert c.get(f"/monitoring/income/households/?year={year}&format=xlsx").status_code == 200


def test_the_overview_shows_the_latest_year_with_bands_not_an_empty_one(world, accounts):
    from fangpin.monitoring import services

    services.recompute(world.county, 2026)  # no line for 2026: every household 无法判断
    assert IncomeAccount.objects.filter(year=2026).exists()
    c = client(world.county)
    assert c.get("/").context["charts"]["band_year"] == 2025


def test_an_invalid_filter_drops_itself_and_the_file_states_the_year(world, accounts):
    c = client(world.county)
    page = c.get(f"/monitoring/income/households/?year=3000&village={SHUANGNIAN_CUN}").content.decode()
    assert "王建国" in page and "李秀英" not in page  # the village still applies
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(
        c.get("/monitoring/income/households/?format=xlsx").streaming_content)))
    assert "年度：2025" in wb.active.cell(2, 1).value


def test_a_rising_sort_puts_empty_dates_last(world, households):
    """The case list by due date: a finished case (no due date) comes after the cases under way, on both databases."""
    import datetime as dt

    from fangpin.monitoring.models import Case

    done = Case.objects.create(kind="enrollment", household=households["shuangnian"], channel="cadre_visit",
                               monitor_type="unstable", risk_causes="x", opened_by=world.clerk, state="done", due=None)
    open_ = Case.objects.create(kind="enrollment", household=households["wujiayao"], channel="cadre_visit",
                                monitor_type="unstable", risk_causes="x", opened_by=world.clerk, state="village",
                                due=dt.date(2026, 1, 1))
    page = client(world.county).get("/monitoring/cases/?sort=due").content.decode()
    assert page.index(f"第{open_.pk}号") < page.index(f"第{done.pk}号")


def test_the_accounting_raises_warnings_the_village_verifies_with_an_income_measure(world, households):
    """The county runs the accounting on the page; the fall becomes a warning with its figures, which the village
    verifies on the warning page, naming the 增收措施 the plan then carries."""
    from decimal import Decimal

    from fangpin.monitoring import services
    from fangpin.monitoring.models import Measure, Warning
    from fangpin.registry.models import IncomeRecord

    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(6000), reason="省里")
    h = households["shuangnian"]
    IncomeRecord.objects.create(household=h, year=2024, wage=3_000_000)
    IncomeRecord.objects.create(household=h, year=2025, wage=2_700_000)  # 9,000 a person, down 10%: fell
    r = client(world.county).post("/monitoring/income/", {"action": "recompute", "year": 2025}, follow=True)
    assert "收入预警新增1条" in r.content.decode()
    w = Warning.objects.get(household=h)
    clerk = client(world.clerk)
    page = clerk.get(f"/monitoring/warnings/{w.pk}/").content.decode()
    assert "2025年收入全面核算" in page and "比2024年10,000.00元下降10.0%" in page and "增收措施" in page
    r = clerk.post(f"/monitoring/warnings/{w.pk}/", {"at_risk": "1", "note": "入户核实", "monitor_type": "unstable"})
    assert "收入下降的户须提出增收措施" in r.content.decode() and not Measure.objects.exists()
    r = clerk.post(f"/monitoring/warnings/{w.pk}/", {"at_risk": "1", "note": "入户核实", "monitor_type": "unstable",
                                                     "income_measure": "发展庭院养殖"})
    assert r.status_code == 302
    plan = clerk.get(f"/households/{h.pk}/monitoring/").content.decode()
    assert Measure.objects.get(household=h).kind == "income" and "增收措施" in plan and "发展庭院养殖" in plan
