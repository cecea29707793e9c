"""The industry ledgers' pages: each ledger's checks, its sheets' lists and an entry, and the five-haves gap lists
(villages and their households, each have computed, declared or missing), paged and exported as shown, in a number of
queries that does not grow with the households."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.industry.models import HouseholdHaves, Link, LinkEntity, VillageHaves

from .factories import enterprise

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def county(world):
    client = Client()
    client.force_login(world.county)
    return client


@pytest.fixture
def data(world):
    a = make_household(SHUANGNIAN_CUN, "1406032032000001", head_name="王建国")
    b = make_household(SHUANGNIAN_CUN, "1406032032000002", category="monitored", monitor_type="marginal",
                       head_name="李秀英")
    make_household(WUJIAYAO, "1406032032030001", head_name="赵国平")
    coop = enterprise(WUJIAYAO, "cooperative", "吴家窑种养专业合作社")  # 双碾村 has no cooperative of its own
    # 2025: 双发〔2022〕67号's afforestation checks ask of the years to 2025
    entity = LinkEntity.objects.create(enterprise=coop, year=2025, members=19, members_target=12, afforestation=True)
    Link.objects.create(enterprise=coop, year=YEAR, household=a, way="equity", started_on=dt.date(YEAR, 1, 1))
    VillageHaves.objects.create(village_id=SHUANGNIAN_CUN, year=YEAR, leading_industry="肉牛养殖")
    HouseholdHaves.objects.create(household=a, year=YEAR, skills="初级职业农民")
    return {"a": a, "b": b, "entity": entity}


def test_the_linkage_ledgers_checks_lists_and_entry(county, data):
    page = county.get("/ledgers/linkage/").content.decode()
    assert "造林合作社社员人数" in page and "未达标" in page and "不低于20人" in page
    page = county.get("/ledgers/linkage/linkage_links/").content.decode()
    assert "吴家窑种养专业合作社" in page and "股份合作" in page and "1406032032000001" in page
    page = county.get(f"/ledgers/linkage/linkage_entities/{data['entity'].pk}/").content.decode()
    assert "社员19，低于20人" in page


def test_the_five_haves_home_links_its_gap_lists(county, data):
    page = county.get("/ledgers/five_haves/").content.decode()
    assert "/ledgers/five_haves/village_gaps/" in page and "/ledgers/five_haves/household_gaps/" in page
    assert "已具备（有脱贫产业、有带动主体）2，应具备3" in page


def test_the_village_gaps_name_each_haves_source(county, data):
    page = county.get(f"/ledgers/five_haves/village_gaps/?year={YEAR}").content.decode()
    row = page.split("双碾村委会")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:-1]]
    # 有脱贫产业 declared, 有带动主体 from the link, no cooperative; 2 households, 1 without a project, 2 without skills
    assert cells == ["填报", "系统核实", "缺", "2", "1", "1", "合作经济组织；1户缺增收产业项目；1户缺技能"]
    assert "吴家窑村委会" in page  # judged: it has a lifted household, and misses every have


def test_the_household_gaps_of_a_village_and_only_those_with_gaps(county, data):
    url = f"/ledgers/five_haves/household_gaps/?village={SHUANGNIAN_CUN}&year={YEAR}"
    page = county.get(url).content.decode()
    assert "王建国" in page and "李秀英" in page and "赵国平" not in page
    a_row = page.split("1406032032000001")[1].split("</tr>")[0]
    assert "系统核实" in a_row and "填报" in a_row and ">无<" in a_row
    page = county.get(url + "&gaps_only=on").content.decode()
    assert "李秀英" in page and "王建国" not in page


def test_a_gap_list_exports_what_it_shows(county, data):
    response = county.get(f"/ledgers/five_haves/household_gaps/?village={SHUANGNIAN_CUN}&year={YEAR}&format=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows.index(next(r for r in rows if r[0] == "户编号"))
    assert rows[header][5:] == ["有增收产业项目", "有劳动能力的有技能", "缺项"]
    assert [r[0] for r in rows[header + 1:]] == ["1406032032000001", "1406032032000002"]
    assert rows[header + 2][5:] == ["缺", "缺", "增收产业项目；劳动力的技能"]


def test_the_gap_lists_queries_do_not_grow_with_the_households(county, data):
    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert county.get(path).status_code == 200
        return len(ctx.captured_queries)

    paths = [f"/ledgers/five_haves/village_gaps/?year={YEAR}", f"/ledgers/five_haves/household_gaps/?year={YEAR}"]
    before = [count(p) for p in paths]
    for i in range(3, 13):
        make_household(SHUANGNIAN_CUN, f"14060320320000{i:02d}")
    assert [count(p) for p in paths] == before


def test_another_countys_bureau_sees_none_of_it(world, data):
    client = Client()
    client.force_login(world.other_county)
    page = client.get(f"/ledgers/five_haves/village_gaps/?year={YEAR}").content.decode()
    assert "双碾村委会" not in page and "没有符合条件的记录" in page
    page = client.get(f"/ledgers/five_haves/household_gaps/?year={YEAR}").content.decode()
    assert "王建国" not in page


def test_only_villages_with_a_gap_of_their_own_or_of_a_household(county, data):
    zhao = make_household(WUJIAYAO, "1406032032030002", head_name="钱文")  # with the fixture's 赵国平
    VillageHaves.objects.create(village_id=WUJIAYAO, year=YEAR, leading_industry="马铃薯种植",
                                entity_name="吴家窑农牧专业合作社")  # its cooperative is the registry's
    for h in (zhao, *type(zhao).objects.filter(number="1406032032030001")):
        HouseholdHaves.objects.create(household=h, year=YEAR, income_project="养羊8只", skills="初级职业农民")
    url = f"/ledgers/five_haves/village_gaps/?year={YEAR}&gaps_only=on"
    page = county.get(url).content.decode()
    assert "双碾村委会" in page and "吴家窑村委会" not in page
    HouseholdHaves.objects.filter(household=zhao).update(skills="")  # one household's gap makes the village's
    assert "吴家窑村委会" in county.get(url).content.decode()
