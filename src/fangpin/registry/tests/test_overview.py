"""The overview's dashboard: every figure equals the list it links to, monitored households are counted by type and
by stage, cases by the level they wait at, households by income band; the registry's category count keeps the
eliminated households."""
import datetime as dt
import re

import pytest
from django.test import Client

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.monitoring.models import Case, IncomeAccount, Warning
from fangpin.monitoring import tallies
from fangpin.registry import overview


@pytest.fixture
def scene(world, households):
    """双碾村 and 吴家窑村: monitored households of each type, one eliminated, cases at each stage, warnings, bands."""
    made = [
        make_household(SHUANGNIAN_CUN, "D1", category="monitored", monitor_type="unstable"),
        make_household(SHUANGNIAN_CUN, "D2", category="monitored", monitor_type="marginal"),
        make_household(WUJIAYAO, "D3", category="monitored", monitor_type="sudden_hardship"),
        make_household(WUJIAYAO, "D4", category="monitored", monitor_type="unstable"),
    ]
    from fangpin.orgunits.models import OrgUnit

    # an ordinary household in another county of the city: in the leader's city figures, in no county's
    county = OrgUnit.objects.create(code="140602000000", name="朔城区", level="county", parent_id="140600000000")
    town = OrgUnit.objects.create(code="140602100000", name="测试镇", level="township", parent=county)
    OrgUnit.objects.create(code="140602100001", name="测试村", level="village", parent=town)
    make_household("140602100001", "D9", category="ordinary", region="140602")
    made[3].risk_eliminated_on = dt.date(2026, 6, 1)
    made[3].save()
    for state, h in zip(["village", "notice", "township", "county", "county", "done"],
                        [households["shuangnian"], made[0], made[1], made[2], households["wujiayao"], made[3]]):
        Case.objects.create(kind="enrollment", household=h, channel="cadre_visit", monitor_type="unstable",
                            risk_causes="测试", opened_by=world.clerk, state=state, due=dt.date(2026, 1, 1))
    Warning.objects.create(household=made[0], rule="medical", label="医疗", period="2026", risk="medical", reason="r",
                           source_count=1, deadline=dt.date(2026, 1, 1))
    for h, band in [(households["shuangnian"], "below"), (made[0], "edge"), (made[2], "above")]:
        IncomeAccount.objects.create(household=h, year=2025, size=1, band=band)
    IncomeAccount.objects.create(household=made[1], year=2024, size=1, band="below")  # an older year: not shown
    from fangpin.monitoring.models import ContactCadre, Measure

    ContactCadre.objects.create(household=made[0], name="甲", unit="乡政府", phone="1", since=dt.date(2026, 1, 1))
    Measure.objects.create(household=made[1], kind="employment", description="务工", start=dt.date(2026, 1, 1),
                           created_by=world.clerk)
    tallies.recount([SHUANGNIAN_CUN, WUJIAYAO])
    return made


def cards_of(page: str) -> list[tuple[str, int, str]]:
    found = re.findall(r'<a class="kpi[^"]*" href="([^"]+)"><span class="kpi-label">([^<]+)</span>'
                       r'<span class="kpi-value">([\d,]+)</span>', page)
    return [(label, int(value.replace(",", "")), link.replace("&amp;", "&")) for link, label, value in found]


def count_on(client, link: str) -> int:
    page = client.get(link).content.decode()
    m = re.search(r"共 ([\d,]+) [户件条]", page)
    assert m, (link, page[:500])
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("who, unit", [("county", ""), ("county", SHUANGNIAN), ("township", ""), ("leader", ""),
                                       ("leader", PINGLU), ("leader", SHUANGNIAN)])
def test_every_figure_equals_the_list_it_links_to(world, scene, who, unit):
    c = Client()
    c.force_login(getattr(world, who))
    cards = cards_of(c.get(f"/?unit={unit}" if unit else "/").content.decode())
    figures = {label: value for label, value, _ in cards}
    assert figures["监测户"] == 5  # the category: eliminated households too (吴家窑村's fixture household is one)
    assert (figures["脱贫不稳定户（风险未消除）"], figures["边缘易致贫户（风险未消除）"],
            figures["突发严重困难户（风险未消除）"], figures["风险已消除"]) == (1, 2, 1, 1)
    assert (figures["待村级评议"], figures["公示中"], figures["待乡镇审核"], figures["待县级审定"]) == (1, 1, 1, 2)
    assert figures["待核实预警"] == 1 and figures["2025年收入低于监测标准"] == 1
    assert (figures["无帮扶联系人"], figures["无帮扶措施"]) == (3, 3)  # of the four at risk, one has each
    checked = 0
    for label, value, link in cards:
        if link.startswith(("/households/", "/monitoring/cases/", "/monitoring/warnings/")):
            assert count_on(c, link) == value, (label, link)
            checked += 1
    assert checked >= 14


def test_the_charts_carry_each_unit_by_type_stage_and_band(world, scene):
    c = Client()
    c.force_login(world.county)
    charts = c.get(f"/?unit={SHUANGNIAN}").context["charts"]
    villages = charts["names"]
    shuangnian, wujiayao = (villages.index(n) for n in ("双碾村委会", "吴家窑村委会"))
    monitored = {s["name"]: s["data"] for s in charts["monitored"]}
    assert monitored["脱贫不稳定户（风险未消除）"][shuangnian] == 1 and monitored["风险已消除"][wujiayao] == 1
    waiting = {s["name"]: s["data"] for s in charts["waiting"]}
    assert waiting["待县级审定"][wujiayao] == 2 and waiting["公示中"][shuangnian] == 1
    assert charts["band_year"] == 2025
    bands = {s["name"]: s["data"] for s in charts["bands"]}
    assert (bands["低于监测标准"][shuangnian], bands["边缘（低于标准×系数）"][shuangnian],
            bands["高于边缘"][wujiayao]) == (1, 1, 1)


def test_without_an_income_accounting_no_band_figures():
    rows = overview.dashboard([{"code": SHUANGNIAN_CUN, "name": "双碾村", "level": "village", "total": 1}], [],
                              unit=None)
    assert rows["charts"]["bands"] == [] and rows["charts"]["band_year"] is None
    assert not any("收入低于" in c["label"] for c in rows["totals"]["cards"])


def test_a_villages_bar_leads_to_the_list_of_what_it_counts(world, scene):
    """At a township's overview the bars are villages': each part of a bar opens the list of exactly that part, and
    the list shows the bar's number."""
    c = Client()
    c.force_login(world.county)
    charts = c.get(f"/?unit={SHUANGNIAN}").context["charts"]
    checked = 0
    for group in ("categories", "monitored", "waiting"):
        for s in charts[group]:
            for value, link in zip(s["data"], s["links"]):
                assert "village=" in link
                assert count_on(c, link) == value, (group, s["name"], link)
                checked += 1
    assert checked >= 20
    county = c.get("/").context["charts"]
    assert all(link.startswith("/?unit=") for s in county["categories"] for link in s["links"])
