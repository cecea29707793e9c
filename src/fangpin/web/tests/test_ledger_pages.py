"""The ledger pages as a user reads them: places and projects by name, codes by label, yuan, the checks with their
clause, an entry with its funds and history, and the import through the job page."""
import datetime as dt
import io
import json

import pytest
from django.test import Client

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.funds.models import Allocation, Expenditure, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds(world):
    cattle = Project.objects.create(code="PL-1", name="双碾村肉牛养殖", year=2024, org_unit_id=SHUANGNIAN_CUN,
                                    kind="industry", stored_on=dt.date(2024, 1, 5), started_on=None)
    road = Project.objects.create(code="PL-2", name="双碾乡产业路", year=2024, org_unit_id=SHUANGNIAN,
                                  kind="infrastructure", relief_mode="dedicated", stored_on=dt.date(2024, 1, 5),
                                  announced_on=dt.date(2024, 1, 9), started_on=dt.date(2024, 2, 1),
                                  completed_on=dt.date(2024, 8, 1))
    Allocation.objects.create(project=cattle, source="county", fund_kind="linkage", amount=60_000_00,
                              allocated_on=dt.date(2024, 2, 1), document="平财〔2024〕3号")
    Allocation.objects.create(project=road, source="county", fund_kind="linkage", amount=40_000_00,
                              allocated_on=dt.date(2024, 2, 1))
    Allocation.objects.create(project=road, source="central", fund_kind="linkage", amount=100_000_00,
                              allocated_on=dt.date(2024, 2, 1))
    Expenditure.objects.create(project=road, source="central", fund_kind="linkage", amount=14_000_00,
                               paid_on=dt.date(2024, 7, 1), labour=True)
    return cattle, road


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_ledger_page_shows_the_checks_with_their_clause(world, funds):
    page = _client(world.county).get("/ledgers/funds/?year=2024&on=2024-12-31").content.decode()
    assert "区级衔接资金用于产业发展比例" in page and "双发〔2022〕67号 第1条" in page
    assert "占60%" in page and "达标" in page  # 6,000 of 10,000 yuan of the district's funds to industry
    assert "双碾乡产业路（PL-2，以工代赈项目）" in page and "未达标" in page  # 14% labour of 15%
    assert "湖南十条 八" in page  # listed among the checks, though not judged here


def test_a_list_shows_names_and_labels_and_exports(world, funds):
    c = _client(world.county)
    page = c.get("/ledgers/funds/fund_projects/?year=2024").content.decode()
    assert "双碾乡双碾村" in page and "产业发展" in page and "以工代赈项目" in page
    assert "140603203200" not in page
    r = c.get("/ledgers/funds/fund_allocations/?format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith(".xlsx")
    village = _client(world.clerk).get("/ledgers/funds/fund_projects/").content.decode()
    assert "双碾村肉牛养殖" in village and "双碾乡产业路" not in village  # the township's project is not the village's


def test_an_entry_shows_its_funds_checks_and_history(world, funds):
    _, road = funds
    page = _client(world.county).get(f"/ledgers/funds/fund_projects/{road.pk}/?on=2024-12-31").content.decode()
    assert "资金下达（2）" in page and "资金支出（1）" in page
    assert "中央" in page and "14,000.00" in page and "2024-07-01" in page
    assert "以工代赈项目劳务报酬比例" in page and "未达标" in page
    assert "变更记录" in page and "新增" in page


def test_import_through_the_job_page(world):
    body = {"format": "fangpin-exchange", "version": "1.0", "fund_projects": [
        {"code": "PL-9", "name": "新项目", "year": 2024, "division_code": "140603203203", "kind": "employment",
         "stored_on": "2024-03-01", "started_on": "2024-04-01"}]}
    upload = io.BytesIO(json.dumps(body, ensure_ascii=False).encode())
    upload.name = "funds.json"
    c = _client(world.county)
    r = c.post("/ledgers/funds/import/", {"file": upload})
    assert r.status_code == 302
    page = c.get(r.url).content.decode()
    assert "已填“开工日期”，应先填“公示日期”" in page and "未写入任何数据" in page
    assert not Project.objects.exists()


def test_without_a_check_this_year_the_page_shows_the_latest_year_one_asks(world, funds):
    page = _client(world.county).get("/ledgers/funds/?on=2026-12-01").content.decode()
    assert "2026年度没有适用于平鲁区的检查项" in page and "政策检查：平鲁区，2025年度" in page
    asked = _client(world.county).get("/ledgers/funds/?year=2026&on=2026-12-01").content.decode()
    assert "本区域没有适用的检查项" in asked and "year-fallback" not in asked


def test_a_check_with_many_findings_shows_the_first_on_the_page_and_all_on_its_own_list(world, funds):
    """The ledger page lists at most 20 findings of a check (those not met first); the check's own list pages them all
    and filters them by status; the API pages them too."""
    from fangpin.web.ledger_views import FIRST

    for i in range(FIRST + 5):
        p = Project.objects.create(code=f"R-{i}", name=f"以工代赈道路{i}", year=2024, org_unit_id=SHUANGNIAN_CUN,
                                   kind="infrastructure", relief_mode="dedicated", stored_on=dt.date(2024, 1, 5),
                                   announced_on=dt.date(2024, 1, 9), started_on=dt.date(2024, 2, 1),
                                   completed_on=dt.date(2024, 8, 1))
        Allocation.objects.create(project=p, source="central", fund_kind="linkage", amount=100_00,
                                  allocated_on=dt.date(2024, 2, 1))
        if i < 3:  # three of them met, the rest missed
            Expenditure.objects.create(project=p, source="central", fund_kind="linkage", amount=20_00,
                                       paid_on=dt.date(2024, 7, 1), labour=True)
    c = _client(world.county)
    page = c.get("/ledgers/funds/?year=2024&on=2024-12-31").content.decode()
    assert page.count("以工代赈项目劳务报酬比例<br>") == FIRST
    assert f"以工代赈项目劳务报酬比例全部{FIRST + 6}项" in page  # 25 and the fixture's road
    url = "/ledgers/funds/checks/relief_remuneration_dedicated/?area=140603000000&year=2024&on=2024-12-31"
    full = c.get(url).content.decode()
    table = full.split('id="findings"')[1]
    assert f"共 {FIRST + 6} 项" in full and table.index("未达标") < table.index(">达标<")
    met = c.get(url + "&status=met").content.decode()
    assert "共 3 项" in met and "以工代赈道路0" in met and "以工代赈道路9" not in met
    assert c.get("/ledgers/funds/checks/nothing/").status_code == 404
    api = c.get("/api/ledgers/funds/checks?year=2024&on=2024-12-31&check=relief_remuneration_dedicated&limit=10")
    assert len(api.json()) == 10 and {f["check"] for f in api.json()} == {"relief_remuneration_dedicated"}


def test_people_are_named_as_pages_name_them_in_history_and_on_the_job_page(world, tmp_path):
    world.county.first_name, world.county.last_name = "志明", "张"
    world.county.save()
    body = {"format": "fangpin-exchange", "version": "1.0", "fund_projects": [
        {"code": "PL-8", "name": "新项目", "year": 2024, "division_code": "140603203203", "kind": "employment",
         "stored_on": "2024-03-01"}]}
    upload = io.BytesIO(json.dumps(body, ensure_ascii=False).encode())
    upload.name = "funds.json"
    c = _client(world.county)
    job_page = c.get(c.post("/ledgers/funds/import/", {"file": upload}).url).content.decode()
    name = world.county.display_name
    assert f"由 {name} 提交" in job_page
    entry = c.get(f"/ledgers/funds/fund_projects/{Project.objects.get().pk}/").content.decode()
    assert f"<td>{name}</td>" in entry and "志明 张" not in entry
