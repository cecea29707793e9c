"""The benefit roster of a village or township: every amount with its explanation, totals by benefit and by who pays,
ID numbers masked per role, the Excel file the same as the page."""
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.test import Client

from fangpin.policies import roster
from fangpin.registry.models import Employment

V = "140603203200"


@pytest.mark.parametrize("funding,amount,parts", [
    ({"shares": {"province": 5, "city": 3, "county": 2}}, 10000, [("省级", 5000), ("市级", 3000), ("县级", 2000)]),
    ({"shares": {"province": 5, "city": 3, "county": 2}}, 101, [("省级", 51), ("市级", 30), ("县级", 20)]),  # to the fen
    ({"shares": {"province": 1, "city": 1}}, 3, [("省级", 2), ("市级", 1)]),  # a tie: the first named
    ({"shares": {"central": 1000, "province": 250}}, 12500, [("中央", 10000), ("省级", 2500)]),
    ({"source": "就业补助资金"}, 150000, [("就业补助资金", 150000)]),
    ({}, 700, [("未注明资金来源", 700)]),
])
def test_funding_parts_split_to_the_fen(funding, amount, parts):
    got = roster.funding_parts(json.dumps(funding, ensure_ascii=False), amount)
    assert got == parts and sum(f for _, f in got) == amount


@pytest.fixture
def worker(world, households):
    head = households["shuangnian"].members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 1, 1), months=8,
                              monthly_wage=300000)
    return head


def test_roster_of_a_village(world, worker):
    r = roster.roster(user=world.county, area=V, as_of=dt.date(2025, 6, 30))
    assert r.households == 1 and not r.too_many and r.rows
    mine = [x for x in r.rows if x["person"] == worker.name]
    assert {x["benefit"] for x in mine} >= {"务工就业交通补贴"} and mine[0]["id_number"] == worker.id_number
    assert sum(b["amount"] for b in r.by_benefit) == sum(x["amount"] for x in r.rows) == sum(f["amount"] for f in r.by_funding)
    assert sum(b["count"] for b in r.by_benefit) == len(r.rows)
    masked = roster.roster(user=world.township, area=V, as_of=dt.date(2025, 6, 30))
    assert worker.id_number not in str(masked.rows) and masked.rows[0]["id_number"].startswith(worker.id_number[:4] + "*")


def test_roster_stays_in_the_area_and_refuses_a_too_large_one(world, worker, households, monkeypatch):
    # 吴家窑村's household is in the township, not in 双碾村
    village = roster.roster(user=world.county, area=V, as_of=dt.date(2025, 6, 30))
    township = roster.roster(user=world.county, area="140603203000", as_of=dt.date(2025, 6, 30))
    assert village.households == 1 and township.households == 2
    assert roster.roster(user=world.other_county, area=V, as_of=dt.date(2025, 6, 30)).households == 0
    monkeypatch.setattr(roster, "MAX_HOUSEHOLDS", 1)
    assert roster.roster(user=world.county, area="140603203000", as_of=dt.date(2025, 6, 30)).too_many


def test_roster_page_and_its_excel_file(world, worker):
    c = Client()
    c.force_login(world.clerk)
    page = c.get("/policies/roster/", {"as_of": "2025-06-30"}).content.decode()  # a clerk's village by default
    assert "务工就业交通补贴" in page and "按待遇合计" in page and "按出资合计" in page
    r = c.get("/policies/roster/", {"as_of": "2025-06-30", "format": "xlsx"})
    rows = [list(x) for x in openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)]
    assert rows[0][0] == "待遇花名册" and "计算日期：2025-06-30" in rows[1][0]
    body = [x for x in rows[5:] if x[0] != "合计"]
    assert body and all(x[2] for x in body) and rows[-1][0] == "合计"
    assert abs(rows[-1][6] - sum(x[6] for x in body)) < 0.005
    # without a date, after the document's end (2025-12-31; every day from now on): its last day, said on the page
    later = c.get("/policies/roster/").content.decode()
    assert 'id="as-of-note"' in later and "2025年12月31日" in later and "务工就业交通补贴" in later


def test_a_county_roster_is_made_in_the_background_village_by_village(world, worker, households, monkeypatch):
    """Beyond what the page computes, 导出 Excel queues a job: every row of every village of the county, then a sheet
    of totals equal to the villages' own rosters added up. A job holds its user's area only, whatever the query names."""
    from fangpin.exchange.models import ExportJob
    from fangpin.lib.listing import HEADER_LINES

    day = dt.date(2025, 6, 30)
    villages = [V, households["wujiayao"].village_id, households["other_township"].village_id]
    parts = [roster.roster(user=world.county, area=v, as_of=day) for v in villages]
    assert parts[0].rows and parts[1].rows  # both 双碾乡 villages are owed something (the document covers 双碾乡)
    monkeypatch.setattr(roster, "MAX_HOUSEHOLDS", 1)
    c = Client()
    c.force_login(world.county)
    page = c.get("/policies/roster/?as_of=2025-06-30").content.decode()
    assert 'id="roster-background"' in page
    r = c.get("/policies/roster/?as_of=2025-06-30&format=xlsx")
    assert r.status_code == 302 and r.url == "/exports/"
    job = ExportJob.objects.get(list_key="roster")
    assert job.status == "done" and job.rows_done == sum(len(p.rows) for p in parts)
    assert 'href="/policies/roster/?as_of=2025-06-30"' in c.get("/exports/").content.decode()

    def sheet(user_client, pk, name):
        wb = openpyxl.load_workbook(io.BytesIO(b"".join(user_client.get(f"/exports/{pk}.xlsx").streaming_content)))
        return [[cell.value for cell in row] for row in wb[name].iter_rows()]

    rows = sheet(c, job.pk, "待遇花名册")
    assert "计算日期：2025-06-30" in rows[1][0]
    body = [r for r in rows[HEADER_LINES:] if r[0] != "合计"]
    assert len(body) == job.rows_done and {worker.name, "李秀英"} <= {r[2] for r in body}
    assert rows[-1][0] == "合计" and round(rows[-1][6] * 100) == sum(x["amount"] for p in parts for x in p.rows)
    summary = sheet(c, job.pk, "合计")
    by_benefit = {}
    for p in parts:
        for b in p.by_benefit:
            by_benefit[b["benefit"]] = by_benefit.get(b["benefit"], 0) + b["amount"]
    assert {row[0]: round(row[3] * 100) for row in summary[3:3 + len(by_benefit)]} == by_benefit
    # 吴家窑村's clerk: only 吴家窑村's rows, though the query names the county
    monkeypatch.setattr(roster, "MAX_HOUSEHOLDS", 0)
    c.force_login(world.clerk2)
    c.get("/policies/roster/?as_of=2025-06-30&format=xlsx&county=140603000000&village=140603203200")
    mine = ExportJob.objects.get(user=world.clerk2)
    people = {r[2] for r in sheet(c, mine.pk, "待遇花名册")[HEADER_LINES:] if r[0] != "合计"}
    assert "李秀英" in people and worker.name not in people


def test_a_county_roster_holds_what_its_townships_are_owed(world, worker, households):
    """双发〔2022〕67号 covers one township of the county: the county's roster has that township's rows, and none of
    the other township's; its default date is the document's last day, said on the page."""
    day = dt.date(2025, 6, 30)
    county = roster.roster(user=world.county, area="140603000000", as_of=day)
    township = roster.roster(user=world.county, area="140603203000", as_of=day)
    other = roster.roster(user=world.county, area=households["other_township"].village_id[:9] + "000", as_of=day)
    assert township.rows and not other.rows
    assert county.rows == township.rows and county.by_benefit == township.by_benefit
    c = Client()
    c.force_login(world.county)
    page = c.get("/policies/roster/").content.decode()
    assert "2025年12月31日" in page and "应享 0 笔" not in page


def test_the_page_shows_the_rows_a_hundred_at_a_time_and_counts_them_all(world, worker, monkeypatch):
    from fangpin.web import views

    monkeypatch.setattr(views, "ROSTER_PAGE", 1)
    c = Client()
    c.force_login(world.county)
    whole = roster.roster(user=world.county, area=V, as_of=dt.date(2025, 6, 30))
    assert len(whole.rows) >= 2
    page = c.get(f"/policies/roster/?village={V}&as_of=2025-06-30").content.decode()
    body = page.split('id="roster"')[1].split("</table>")[0]
    assert body.count("<tr><td>") == 1 and f"第 1 / {len(whole.rows)} 页" in page
    assert f"应享 {len(whole.rows)} 笔" in page
