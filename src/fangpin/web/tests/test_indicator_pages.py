"""The indicator pages on the test client: a snapshot's figures on the dashboard, the drill-down from the city to the
village and the rows behind the figure (ID numbers masked by role), the exports, the API and an on-demand snapshot."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN, WUJIAYAO
from fangpin.indicators import snapshots
from fangpin.indicators.models import IndicatorValue, Snapshot
from fangpin.registry.models import Employment

ON = dt.date(2025, 6, 30)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def shot(world, households):
    """Two lifted workers of 双碾村 at work on the day (one spell ended before it, one starts after it)."""
    members = list(households["shuangnian"].members.order_by("pk"))
    spell = dict(year=2025, place="in_county", months=6, monthly_wage=200000)
    Employment.objects.create(member=members[0], start_date=dt.date(2025, 1, 1), **spell)
    Employment.objects.create(member=members[1], start_date=dt.date(2025, 3, 1), end_date=ON, **spell)
    Employment.objects.create(member=members[2], start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 29), **spell)
    Employment.objects.create(member=households["wujiayao"].members.get(), start_date=dt.date(2025, 7, 1), **spell)
    area = world.county.org_unit.parent.parent  # 山西省
    return snapshots.take(area, ON)


def value(snapshot, code, key="lifted_workers"):
    return IndicatorValue.objects.get(snapshot=snapshot, unit_id=code, indicator=key)


def test_the_snapshot_counts_the_workers_on_the_day_at_every_level(shot):
    assert value(shot, SHUANGNIAN_CUN).value == 2  # at work on 30 June: began before, or ended on the day
    assert value(shot, WUJIAYAO).value == 0  # monitored, and began the next day
    for code in ("140603203000", "140603000000", "140600000000", "140000000000"):
        assert value(shot, code).value == 2
    assert value(shot, SHUANGNIAN_CUN).parent_id == "140603203000"


def test_the_leaders_drill_down_reaches_the_rows_behind_the_figure(world, shot):
    c = client_for(world.leader)
    page = c.get("/indicators/lifted_workers/").content.decode()
    assert "平鲁区" in page and "2人" in page
    link = f"/indicators/lifted_workers/?unit=140603000000&amp;snapshot={shot.pk}"
    assert link in page  # the city's counties, each a link one level down
    page = c.get(link.replace("&amp;", "&")).content.decode()
    assert "双碾乡" in page
    page = c.get(f"/indicators/lifted_workers/?unit=140603203000&snapshot={shot.pk}").content.decode()
    assert "双碾村" in page and "吴家窑村" in page
    rows = c.get(f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}&measure=0").content.decode()
    assert "王建国" in rows and "共 2 条记录" in rows
    assert "王建国家2" not in rows  # the spell that ended the day before


def test_rows_mask_id_numbers_by_role(world, households, shot):
    number = households["shuangnian"].members.get(relation="head").id_number
    url = f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}"
    assert number in client_for(world.clerk).get(url).content.decode()
    leader = client_for(world.leader).get(url).content.decode()
    assert number not in leader and number[:6] in leader
    xlsx = client_for(world.leader).get(url + "&export=xlsx")
    cells = [str(c) for row in openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows(
        values_only=True) for c in row if c is not None]
    assert number not in "".join(cells) and "王建国" in cells


def test_the_dashboard_groups_every_indicator_and_exports_it(world, shot):
    c = client_for(world.county)
    page = c.get("/indicators/").content.decode()
    assert "脱贫人口务工就业规模" in page and "衔接资金支出进度" in page and "统计日 2025-06-30" in page
    xlsx = c.get("/indicators/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    titles = [r[1] for r in sheet.iter_rows(values_only=True)]
    assert "脱贫人口务工就业规模" in titles


def test_a_unit_outside_the_area_is_not_found(world, shot):
    c = client_for(world.other_county)
    assert c.get("/indicators/?unit=140603000000").status_code == 404
    assert c.get(f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}").status_code == 404


def test_without_a_snapshot_the_page_says_how_one_comes(world):
    page = client_for(world.county).get("/indicators/").content.decode()
    assert "还没有指标快照" in page


def test_the_api_gives_the_same_figures(world, shot):
    body = client_for(world.county).get("/api/indicators/values?indicator=lifted_workers").json()
    assert body["on"] == "2025-06-30"
    assert body["unit"][0]["value"] == 2 and body["unit"][0]["name"] == "平鲁区"
    assert {c["name"]: c["value"] for c in body["children"]}["双碾乡"] == 2
    assert client_for(world.county).get("/api/indicators/values?on=2025-06-29").status_code == 404  # none before


def test_a_county_asks_for_a_snapshot_of_its_area(world, households, django_capture_on_commit_callbacks):
    c = client_for(world.county)
    with django_capture_on_commit_callbacks(execute=True):  # the job is enqueued once the request's transaction commits
        r = c.post("/indicators/snapshots/", {"on": "2025-09-30"})
    assert r.status_code == 302
    s = Snapshot.objects.get(on=dt.date(2025, 9, 30))
    assert s.area_id == "140603000000" and s.requested_by == world.county and s.state == Snapshot.State.DONE
    assert IndicatorValue.objects.filter(snapshot=s, unit_id=SHUANGNIAN_CUN).exists()
    assert not IndicatorValue.objects.filter(snapshot=s, unit_id="140600000000").exists()  # never the city
    r = c.post("/indicators/snapshots/", {"on": "2099-01-01"}, follow=True)
    assert "统计日应为" in r.content.decode()
    assert client_for(world.leader).post("/indicators/snapshots/", {"on": "2025-09-30"}).status_code == 403


def test_a_new_snapshot_of_the_same_day_replaces_the_old(world, shot):
    again = snapshots.take(shot.area, ON)
    assert list(Snapshot.objects.filter(area=shot.area, on=ON, state="done")) == [again]


def test_the_rows_of_either_condition_are_those_the_engine_counted(world, households):
    from fangpin.lib import creditcode
    from fangpin.registry.models import Enterprise

    workshop = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000009"), name="双碾帮扶车间",
                                         kind="workshop", org_unit_id=SHUANGNIAN_CUN)
    a, b, c = households["shuangnian"].members.order_by("pk")
    spell = dict(year=2025, place="in_county", months=6, monthly_wage=200000, start_date=dt.date(2025, 1, 1))
    Employment.objects.create(member=a, kind="public_welfare_post", post_kind="village", **spell)
    Employment.objects.create(member=b, employer=workshop, **spell)
    Employment.objects.create(member=c, **spell)  # a wage job elsewhere
    shot = snapshots.take(world.county.org_unit, ON)
    assert value(shot, SHUANGNIAN_CUN, "absorbed_employment").value == 2
    page = client_for(world.clerk).get(
        f"/indicators/absorbed_employment/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}").content.decode()
    assert "共 2 条记录" in page and a.name in page and b.name in page and c.name not in page
    assert "用工单位类型" in page


@pytest.mark.parametrize("path", ["/indicators/", "/indicators/lifted_workers/", "/api/indicators/values"])
def test_a_page_runs_as_many_queries_for_a_county_as_for_a_township(world, shot, path):
    """The units below are read in one query, whatever their number (two townships with different numbers of
    villages)."""
    from fangpin.orgunits.models import OrgUnit
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(world.county)
    counts = []
    other = world.other_township_village[:9] + "000"
    assert OrgUnit.objects.filter(parent_id=other).count() != OrgUnit.objects.filter(parent_id="140603203000").count()
    for unit in (other, "140603203000"):
        param = "area" if path.startswith("/api/") else "unit"
        c.get(f"{path}?{param}={unit}")  # warm: the session, the catalog
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"{path}?{param}={unit}").status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1], counts


def test_the_scheduled_bulletins_are_listed_and_served_within_the_area(world, shot, settings, tmp_path):
    from fangpin.indicators import bulletin

    settings.VAR_DIR = tmp_path
    county = world.county.org_unit
    bulletin.archive(snapshots.take(county, ON))
    page = client_for(world.county).get("/indicators/snapshots/").content.decode()
    assert "/indicators/bulletins/2025-06-30.pdf?unit=140603000000" in page
    r = client_for(world.leader).get("/indicators/bulletins/2025-06-30.xlsx?unit=140603000000")
    assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"PK"
    assert client_for(world.other_county).get(
        "/indicators/bulletins/2025-06-30.xlsx?unit=140603000000").status_code == 404
    assert client_for(world.county).get("/indicators/bulletins/2025-06-31.xlsx").status_code == 404
    assert client_for(world.county).get("/indicators/bulletins/2025-06-30.exe").status_code == 404
def test_rows_of_persons_show_the_age_not_the_birth_date_to_masked_roles(world, households, shot):
    """The persons fact has the birth date: with the masked ID's 1406 it would give 12 of the 18 digits."""
    head = households["shuangnian"].members.get(relation="head")
    url = f"/indicators/lifted_persons/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}"
    for user in (world.leader, world.township):
        c = client_for(user)
        page = c.get(url).content.decode()
        assert head.name in page and "年龄" in page and "出生日期" not in page
        birth = head.birth_date
        assert f"{birth.year}年{birth.month}月{birth.day}日" not in page and head.id_number[6:14] not in page
        cells = [str(x) for row in openpyxl.load_workbook(io.BytesIO(b"".join(c.get(url + "&export=xlsx")
                 .streaming_content))).active.iter_rows(values_only=True) for x in row if x is not None]
        assert head.birth_date.isoformat() not in "".join(cells) and head.id_number not in "".join(cells)
    page = client_for(world.clerk).get(url).content.decode()
    assert "出生日期" in page and head.id_number in page  # the clerk sees the full number anyway


def test_rows_refuse_a_negative_measure(world, shot):
    assert client_for(world.county).get("/indicators/lifted_workers/rows/?measure=-1").status_code == 404


def test_an_export_over_the_cap_goes_back_to_the_rows_page(world, shot, monkeypatch):
    from fangpin.lib import listing

    monkeypatch.setattr(listing, "EXPORT_MAX", 1)
    url = f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}&export=xlsx"
    r = client_for(world.leader).get(url)
    assert r.status_code == 302 and "export" not in r["Location"]  # not the same export again: a redirect loop
    assert "超过 1 行" in client_for(world.leader).get(url, follow=True).content.decode()


def test_a_second_request_for_a_running_day_adds_no_job(world):
    c = client_for(world.county)
    c.post("/indicators/snapshots/", {"on": "2025-09-30"})  # not run: the job waits on commit
    page = c.post("/indicators/snapshots/", {"on": "2025-09-30"}, follow=True).content.decode()
    assert "正在计算中" in page
    assert Snapshot.objects.filter(on=dt.date(2025, 9, 30)).count() == 1


def test_the_county_sees_a_failed_snapshot_until_it_is_taken_again(world, shot):
    Snapshot.objects.create(area=world.county.org_unit, on=dt.date(2025, 9, 30), kind="on_demand", state="failed")
    c = client_for(world.county)
    assert "计算失败：2025-09-30" in c.get("/indicators/snapshots/").content.decode()
    Snapshot.objects.create(area=world.county.org_unit, on=dt.date(2025, 9, 30), kind="on_demand", state="done")
    assert "计算失败" not in c.get("/indicators/snapshots/").content.decode()


def test_the_snapshots_page_reads_the_areas_at_once(world, shot):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(world.county)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/indicators/snapshots/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for month in (7, 8, 9):
        snapshots.take(world.county.org_unit, dt.date(2025, month, 28))
    assert queries() == one  # not a query per snapshot for its area's name


def test_a_run_that_lost_its_worker_does_not_hold_back_its_day_for_ever(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from fangpin.indicators import selectors

    lost = snapshots.start(world.county.org_unit, dt.date(2025, 9, 30), Snapshot.Kind.ON_DEMAND, world.county)
    assert selectors.running(world.county.org_unit, dt.date(2025, 9, 30)) == [lost]
    Snapshot.objects.filter(pk=lost.pk).update(created_at=timezone.now() - selectors.STALE - dt.timedelta(minutes=1))
    assert selectors.running(world.county.org_unit, dt.date(2025, 9, 30)) == []
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.county).post("/indicators/snapshots/", {"on": "2025-09-30"})
    assert Snapshot.objects.filter(on=dt.date(2025, 9, 30), state=Snapshot.State.DONE).exists()


def test_a_day_without_any_target_says_so_above_the_figures(world, shot):
    """平鲁区 has no target of its own on 30 June 2025 (双碾乡's apply to the township and its villages): the page says
    why every status is 无目标 instead of leaving six boxes of zero; 双碾村 has targets and no such note."""
    county = client_for(world.county).get("/indicators/").content.decode()
    assert 'id="no-targets"' in county and "2025年6月30日没有适用于平鲁区的数量目标" in county
    assert 'id="no-targets"' not in client_for(world.clerk).get("/indicators/").content.decode()


def test_amounts_behind_a_figure_read_in_yuan_with_separators(world):
    """The rows' amounts are kept in fen: the page shows 5,000.00 (not 5000.0), the workbook a number."""
    from decimal import Decimal

    from fangpin.indicators import rows
    from fangpin.indicators.catalog import load_catalog
    from fangpin.web.indicator_views import _cell

    measure = load_catalog()["microcredit_new_lending"].measures[0]
    amount = next(c for c in rows.columns(world.county, measure, ON) if c.header.endswith("（元）"))
    assert amount.num and amount.value({amount.key: 500000}) == Decimal("5000.00")
    assert _cell(amount.value({amount.key: 123456789})) == "1,234,567.89" and amount.value({amount.key: None}) is None


def test_an_english_browser_still_reads_chinese_dates(world, shot):
    """A phone or PC set to English sends Accept-Language: en; the pages stay Chinese (2025年1月1日, not January 1)."""
    c = client_for(world.clerk)
    rows = c.get(f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}&snapshot={shot.pk}&measure=0",
                 HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "2025年1月1日" in rows and "January" not in rows


def test_a_county_sees_how_its_townships_stand_and_where_targets_applied_last(world, households):
    """平鲁区 has no target of its own; 双碾乡's (双发〔2022〕67号, to 2025) show as a row per township. On a day after
    the seed's period the page points back to the last snapshot with a judged target."""
    judged = snapshots.take(world.county.org_unit, dt.date(2025, 12, 31))
    later = snapshots.take(world.county.org_unit, dt.date(2026, 6, 30))
    c = client_for(world.county)
    page = c.get(f"/indicators/?snapshot={judged.pk}").content.decode()
    assert 'id="children-status"' in page and "双碾乡" in page
    assert f"?unit=140603203000&amp;snapshot={judged.pk}" in page
    page = c.get(f"/indicators/?snapshot={later.pk}").content.decode()
    assert 'id="children-status"' not in page
    assert f"snapshot={judged.pk}\">2025-12-31" in page


def test_a_role_without_indicators_cannot_tell_a_real_key_from_a_wrong_one(world):
    c = client_for(world.department)
    for key in ("lifted_workers", "no_such_indicator"):
        assert c.get(f"/indicators/{key}/").status_code == 403
        assert c.get(f"/indicators/{key}/rows/").status_code == 403


def test_the_exports_hold_figures_as_numbers(world, shot):
    c = client_for(world.county)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/indicators/?export=xlsx").streaming_content))).active
    rows = {r[1]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["脱贫人口务工就业规模"][2] == 2 and rows["脱贫人口务工就业规模"][3] == "人"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(
        c.get("/indicators/lifted_workers/?export=xlsx").streaming_content))).active
    assert ("双碾乡", 2) in {(r[1], r[2]) for r in sheet.iter_rows(values_only=True)}


def test_the_rows_of_a_measure_per_household_are_its_loans_with_the_households_figures(world, households):
    """双发〔2022〕67号 2: a household over the 10万元 cap. The rows page lists the over-cap household's loans with its
    balance's parts; the household at the cap is not there; a city is sent to its counties."""
    from fangpin.credit.models import Compensation, Loan, Repayment

    over, at_cap = households["shuangnian"].members.order_by("pk")[0], households["wujiayao"].members.get()
    loan = dict(bank="平鲁区农村信用合作联社", issued_on=dt.date(2025, 1, 10), due_on=dt.date(2027, 1, 10), rate="3.85",
                use="livestock")
    first = Loan.objects.create(code="L-1", member=over, amount=6_000_000, **loan)
    Loan.objects.create(code="L-2", member=over, amount=5_000_000, top_up=True, **loan)
    other = Loan.objects.create(code="L-3", member=at_cap, amount=11_000_000, **loan)
    Repayment.objects.create(loan=other, repaid_on=dt.date(2025, 3, 1), principal=500_000)
    Compensation.objects.create(loan=other, applied_on=dt.date(2025, 3, 1), compensated_on=dt.date(2025, 4, 1),
                                amount=500_000)  # 11万 less 0.5万 repaid less 0.5万 compensated: at the cap
    Repayment.objects.create(loan=first, repaid_on=dt.date(2025, 7, 1), principal=2_000_000)  # after the day
    shot = snapshots.take(world.county.org_unit, ON)
    assert value(shot, SHUANGNIAN_CUN, "microcredit_households_over_cap").value == 1
    assert value(shot, WUJIAYAO, "microcredit_households_over_cap").value == 0
    assert value(shot, world.township.org_unit.code, "microcredit_households_over_cap").status == "missed"
    url = f"/indicators/microcredit_households_over_cap/rows/?unit={world.township.org_unit.code}&snapshot={shot.pk}"
    page = client_for(world.county).get(url).content.decode()
    assert "共 1 户" in page and "L-1" not in page  # the loan code is not a column; the borrower and amounts are
    assert over.name in page and at_cap.name not in page
    assert page.count("110,000.00") == 2  # the household's lent total beside each of its two loans
    xlsx = client_for(world.county).get(url + "&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and "贷款金额合计（元）" in r)
    rows = [r for r in sheet.iter_rows(values_only=True) if r and over.name in r]
    assert len(rows) == 2 and all(r[header.index("贷款金额合计（元）")] == 110000 for r in rows)
    city = world.county.org_unit.parent.code
    shot_city = snapshots.take(world.county.org_unit.parent.parent, ON)
    page = client_for(world.leader).get(f"/indicators/microcredit_households_over_cap/rows/?unit={city}"
                                        f"&snapshot={shot_city.pk}").content.decode()
    assert "明细按县、乡镇或村查看" in page


def test_rows_per_entity_name_the_entity_and_read_rates_in_percent(world):
    """忻州 五.四's rows: the 带贫主体 by its name (not its key), each year's rate in % (not in hundredths)."""
    from fangpin.indicators import rows
    from fangpin.indicators.catalog import load_catalog
    from fangpin.industry.models import LinkEntity
    from fangpin.lib import creditcode
    from fangpin.registry.models import Enterprise

    e = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000029"), name="双碾农机合作社",
                                  kind="cooperative", org_unit_id=SHUANGNIAN_CUN)
    LinkEntity.objects.create(enterprise=e, year=2024, new_loan_rate="4.35")
    LinkEntity.objects.create(enterprise=e, year=2025, new_loan_rate="3.50")
    measure = load_catalog()["xinzhou_entity_rate_cut_share"].measures[0]
    found = rows.entities(measure, world.county.org_unit.code, "county", ON)
    cols = rows.columns(world.county, measure, ON) + rows.figure_columns(measure, found)
    (row,) = rows.values(rows.of_entities(rows.queryset(world.county, measure, world.county.org_unit.code, "county",
                                                          ON), measure, list(found)), cols)
    shown = {c.header: c.value(row) for c in cols}
    assert shown["经营主体"] == "双碾农机合作社"
    assert shown["本年利率（%）"] == Decimal("3.5") and shown["上年利率（%）"] == Decimal("4.35")
