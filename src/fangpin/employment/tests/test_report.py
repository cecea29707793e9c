"""就业台账 (湖南十条 三) from the registry's work spells: persons by place and batch, one level down, this year against
last, in one grouped query; six months counted as the year's months in work; the page, its Excel file and the API."""
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.employment import report
from fangpin.lib import creditcode
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Employment, Enterprise

D = dt.date
pytestmark = pytest.mark.django_db


def _spell(member, year, place="in_county", *, start=None, end=None, months=3, kind="wage_job", employer=None,
           returnee=False):
    return Employment.objects.create(member=member, year=year, place=place, kind=kind, employer=employer,
                                     start_date=start or D(year, 3, 1), end_date=end, months=months,
                                     monthly_wage=300_000, returnee=returnee)


def _member(village, number, category="lifted"):
    h = make_household(village, number, category=category, monitor_type="marginal" if category == "monitored" else "")
    return h.members.get()


@pytest.fixture
def spells(world):
    workshop = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000011"), name="双碾帮扶车间",
                                         kind="workshop", org_unit_id=SHUANGNIAN_CUN)
    factory = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000012"), name="双碾社区工厂",
                                        kind="community_factory", org_unit_id=SHUANGNIAN_CUN)
    a = _member(SHUANGNIAN_CUN, "A")  # out of the province, and in the county: one person, two places
    _spell(a, 2025, "cross_province", months=4, start=D(2025, 1, 1))
    _spell(a, 2025, "in_county", months=2, start=D(2025, 9, 1), employer=workshop)  # 4 + 2: six months
    _spell(a, 2024, "cross_province", months=12, start=D(2024, 1, 1))
    b = _member(SHUANGNIAN_CUN, "B", "monitored")
    _spell(b, 2025, "in_province_out_of_county", months=5, returnee=True)
    _spell(b, 2025, "in_county", kind="public_welfare_post", months=1, start=D(2025, 10, 1))
    c = _member(WUJIAYAO, "C")
    _spell(c, 2025, "in_county", months=6, employer=factory)  # six months in one spell; a community factory
    _spell(c, 2024, "in_county", months=6)
    d = _member(WUJIAYAO, "D")
    _spell(d, 2024, "in_province_out_of_county", months=2)  # last year only
    # since 2024-10 with 9 months: 3 of them before 2025, 6 in it
    e = _member(world.other_township_village, "E")
    _spell(e, 2025, "cross_province", months=9, start=D(2024, 10, 1))
    o = _member(SHUANGNIAN_CUN, "O", "ordinary")  # an ordinary household: not counted
    _spell(o, 2025, "cross_province", months=12)
    lx = _member(world.longxian_village, "L")  # another county
    _spell(lx, 2025, "cross_province", months=12)
    return {"a": a, "b": b, "c": c, "e": e}


def _row(rows, code):
    return next(r for r in rows if r["code"] == code)


def test_the_county_sees_its_townships(world, spells):
    county = OrgUnit.objects.get(code=PINGLU)
    rows = report.by_place(world.county, county, 2025)
    assert {r["code"] for r in rows} == set(OrgUnit.objects.filter(parent_id=PINGLU).values_list("code", flat=True))
    sn = _row(rows, SHUANGNIAN)
    assert (sn["employed:2025"], sn["employed:2024"], sn["employed:change"]) == (3, 3, 0)
    assert (sn["cross_province:2025"], sn["in_province:2025"], sn["in_county:2025"]) == (1, 1, 3)
    assert (sn["cross_province:2024"], sn["in_province:2024"], sn["in_county:2024"]) == (1, 1, 1)
    assert (sn["six_months:2025"], sn["six_months:2024"]) == (3, 2)  # a: 4 + 2, b: 5 + 1, c: 6; d had 2 in 2024
    assert (sn["cooperation:2025"], sn["local:2025"], sn["posts:2025"], sn["workshops:2025"]) == (2, 2, 1, 1)
    assert sn["returnees:2025"] == 1
    other = _row(rows, OrgUnit.objects.get(code=world.other_township_village).parent_id)
    assert (other["employed:2025"], other["six_months:2025"]) == (1, 1)  # 6 of its 9 months fall in 2025
    totals = report.totals(rows)
    assert (totals["employed:2025"], totals["employed:2024"], totals["employed:change"]) == (4, 3, 1)


def test_six_months_are_the_years_months_in_work(world, spells):
    """b: 5 + 1 months in 2025 is six; one month fewer and b is not counted."""
    rows = report.by_place(world.county, OrgUnit.objects.get(code=SHUANGNIAN), 2025)
    assert _row(rows, SHUANGNIAN_CUN)["six_months:2025"] == 2
    Employment.objects.filter(member=spells["b"], months=1).update(months=0)
    rows = report.by_place(world.county, OrgUnit.objects.get(code=SHUANGNIAN), 2025)
    assert _row(rows, SHUANGNIAN_CUN)["six_months:2025"] == 1
    Employment.objects.filter(member=spells["e"]).update(start_date=D(2024, 9, 1))  # now 5 of 9 in 2025
    rows = report.by_place(world.county, OrgUnit.objects.get(code=PINGLU), 2025)
    assert _row(rows, OrgUnit.objects.get(code=world.other_township_village).parent_id)["six_months:2025"] == 0


@pytest.mark.parametrize(("start", "end", "months", "expected"), [
    (D(2025, 3, 1), None, 4, 4),
    (D(2024, 10, 1), None, 9, 6),  # three months before the year
    (D(2024, 10, 1), D(2025, 2, 28), 5, 2),  # ended in February
    (D(2023, 1, 1), None, 30, 6),  # 24 months before 2025, 6 left
    (D(2025, 11, 1), None, 6, 2),  # at most November and December
    (D(2026, 1, 1), None, 3, 0),  # starts after the year
])
def test_months_in_the_year(world, start, end, months, expected):
    member = _member(SHUANGNIAN_CUN, "M")
    spell = _spell(member, 2025, start=start, end=end, months=months)
    got = Employment.objects.filter(pk=spell.pk).annotate(m=report.months_in_year(2025)).values_list("m", flat=True)
    assert list(got) == [expected]


def test_a_township_sees_its_villages_and_a_clerk_the_own_village(world, spells):
    rows = report.by_place(world.township, OrgUnit.objects.get(code=SHUANGNIAN), 2025)
    assert len(rows) == 15
    assert (_row(rows, SHUANGNIAN_CUN)["employed:2025"], _row(rows, WUJIAYAO)["employed:2025"]) == (2, 1)
    assert _row(rows, WUJIAYAO)["employed:change"] == -1
    mine = report.by_place(world.clerk, OrgUnit.objects.get(code=SHUANGNIAN_CUN), 2025)
    assert [(r["code"], r["employed:2025"]) for r in mine] == [(SHUANGNIAN_CUN, 2)]
    with pytest.raises(PermissionDenied):
        report.by_place(world.clerk, OrgUnit.objects.get(code=WUJIAYAO), 2025)
    with pytest.raises(PermissionDenied):
        report.by_place(world.department, OrgUnit.objects.get(code=PINGLU), 2025)


def test_the_figures_come_from_one_grouped_query_whatever_the_number_of_units(world, spells,
                                                                             django_assert_num_queries):
    township = OrgUnit.objects.get(code=SHUANGNIAN)
    with django_assert_num_queries(2):  # the units below, and the figures
        rows = report.by_place(world.township, township, 2025)
    assert len(rows) == 15


def _page(user, query=""):
    client = Client()
    client.force_login(user)
    return client.get(f"/ledgers/employment/{query}")


def test_the_page_drills_down_and_its_excel_file_holds_what_it_shows(world, spells):
    page = _page(world.county, "?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/ledgers/employment/?area={SHUANGNIAN}&amp;year=2025">双碾乡</a>' in text
    assert '<div class="scroll"><table id="by-place">' in text and '<div class="scroll"><table id="batches">' in text
    assert "新成长劳动力帮扶一批" in text and "无法从户籍信息统计" in text
    villages = _page(world.county, f"?year=2025&area={SHUANGNIAN}").content.decode()
    assert "双碾村" in villages and 'href="/ledgers/employment/?area=140603203200' not in villages  # villages: the end
    response = _page(world.county, f"?year=2025&area={SHUANGNIAN}&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    lines = list(ws.iter_rows(values_only=True))
    header = lines[4]
    assert header[:4] == ("单位", "务工人数（2025年）", "务工人数（2024年）", "务工人数增减")
    by_name = {line[0]: line for line in lines[5:]}
    assert by_name["双碾村委会"][1:4] == (2, 1, 1) and by_name["吴家窑村委会"][1:4] == (1, 2, -1)
    assert by_name["合计"][1:4] == (3, 3, 0)
    assert "新成长劳动力帮扶一批" in lines[1][0]


def test_the_page_defaults_to_last_year_and_falls_back_to_the_users_area(world, spells):
    from django.utils import timezone

    text = _page(world.clerk).content.decode()
    assert f"{timezone.localdate().year - 1}年就业台账" in text
    assert "双碾村" in _page(world.clerk, f"?year=2025&area={PINGLU}").content.decode()
    assert _page(world.department).status_code == 403


def test_the_api_gives_the_units_and_the_total(world, spells):
    client = Client()
    client.force_login(world.township)
    body = client.get(f"/api/ledgers/employment/by-place?area={SHUANGNIAN}&year=2025").json()
    assert body["division_code"] == SHUANGNIAN and body["year"] == 2025
    unit = next(u for u in body["units"] if u["division_code"] == SHUANGNIAN_CUN)
    assert unit["this_year"]["employed"] == 2 and unit["last_year"]["employed"] == 1
    assert body["total"]["this_year"]["cross_province"] == 1 and body["total"]["last_year"]["in_county"] == 1
    assert body["measures"]["cooperation"] == "劳务协作稳定一批" and "新成长劳动力帮扶一批" in body["not_derived"]
    assert client.get(f"/api/ledgers/employment/by-place?area={PINGLU}").status_code == 403
