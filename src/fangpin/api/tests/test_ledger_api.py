"""The ledgers API: rows of the exchange format in the user's area, paged; the checks with their clause; the import."""
import datetime as dt
import io
import json

import pytest
from django.test import Client

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.funds.models import Allocation, Project

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def projects(world):
    out = []
    for i, place in enumerate([SHUANGNIAN_CUN, SHUANGNIAN, SHUANGNIAN_CUN]):
        p = Project.objects.create(code=f"P-{i}", name=f"项目{i}", year=2024 if i < 2 else 2023, org_unit_id=place,
                                   kind="industry" if i != 1 else "infrastructure", stored_on=dt.date(2023, 3, 1))
        Allocation.objects.create(project=p, source="county", fund_kind="linkage", amount=100_00,
                                  allocated_on=dt.date(2023, 4, 1))
        out.append(p)
    return out


def test_rows_are_the_exchange_format_in_the_area_paged_and_filtered(world, projects):
    c = _client(world.county)
    rows = c.get("/api/ledgers/funds/fund_projects?year=2024").json()
    assert [r["code"] for r in rows] == ["P-0", "P-1"]
    assert rows[0]["division_code"] == SHUANGNIAN_CUN and rows[0]["kind"] == "industry" and rows[0]["id"] == projects[0].pk
    assert [r["code"] for r in c.get("/api/ledgers/funds/fund_projects?offset=1&limit=1").json()] == ["P-0"]
    assert len(c.get(f"/api/ledgers/funds/fund_allocations?area={SHUANGNIAN_CUN}").json()) == 2
    assert c.get("/api/ledgers/funds/fund_projects?area=1406").status_code == 422
    assert c.get("/api/ledgers/funds/nothing").status_code == 404
    assert _client(world.other_county).get("/api/ledgers/funds/fund_projects").json() == []


def test_checks_name_their_clause_and_figures(world, projects):
    found = _client(world.county).get("/api/ledgers/funds/checks?year=2024&on=2024-12-31").json()
    share = next(f for f in found if f["check"] == "district_industry_share")
    assert share["subject"] == "双碾乡" and share["status"] == "missed"  # 100 of 200 yuan: 50%
    assert (share["numerator"], share["denominator"], share["target"]) == (100_00, 200_00, "11/20")
    assert share["clause"] == "双发〔2022〕67号 第1条"
    assert _client(world.other_county).get(f"/api/ledgers/funds/checks?area={SHUANGNIAN}").status_code == 403


def test_import_answers_with_the_problems_and_writes_nothing(world):
    body = {"format": "fangpin-exchange", "version": "1.0", "fund_allocations": [
        {"project_code": "X", "source": "county", "fund_kind": "linkage", "amount": 5, "allocated_on": "2024-01-01"}]}
    f = io.BytesIO(json.dumps(body).encode())
    f.name = "a.json"
    r = _client(world.county).post("/api/ledgers/funds/imports", {"file": f})
    out = r.json()
    assert r.status_code == 200 and not out["ok"]
    assert out["problems"][0]["message"] == "项目编号“X”在文件和系统中都没有登记"
    assert out["problems"][0]["sheet"] == "fund_allocations" and out["problems"][0]["row"] == 1
