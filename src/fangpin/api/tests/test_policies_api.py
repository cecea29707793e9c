"""The policy API: the same evaluate, simulate and audit as the commands, on an uploaded file, and clear errors."""
import datetime as dt
import io
import json

import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN, new_id
from fangpin.policies import parameters


def upload(doc: dict, name="in.json"):
    f = io.BytesIO(json.dumps({"format": "fangpin-exchange", "version": "1.0", **doc}).encode())
    f.name = name
    return f


@pytest.fixture
def people():
    a, b = new_id(), new_id()
    return a, b, {
        "households": [{"household_number": "P1", "village_code": SHUANGNIAN_CUN, "category": "lifted"},
                       {"household_number": "P2", "village_code": SHUANGNIAN_CUN, "category": "ordinary"}],
        "members": [{"household_number": "P1", "id_number": a, "name": "甲", "relation": "head", "labor_capacity": "laborer"},
                    {"household_number": "P2", "id_number": b, "name": "乙", "relation": "head", "labor_capacity": "laborer"}],
        "employments": [{"id_number": a, "year": 2025, "kind": "wage_job", "place": "cross_province",
                         "start_date": "2025-02-01", "months": 3, "monthly_wage": 300000}],
    }


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_evaluate_returns_rows_totals_and_explanations(world, people):
    a, _, doc = people
    r = client(world.township).post("/api/policies/sn2022-67/evaluate", {"file": upload(doc), "as_of": "2025-06-30"})
    assert r.status_code == 200, r.content
    body = r.json()
    transport = [x for x in body["results"] if x["benefit_id"] == "transport_subsidy"]
    assert [(x["id_number"], x["amount"]) for x in transport] == [(a, 150000)]
    assert transport[0]["explanation"].startswith("依据双发〔2022〕67号第10条：2025年跨省务工")
    assert {"benefit_id": "transport_subsidy", "benefit_name": "务工就业交通补贴", "count": 1, "amount": 150000} in body["totals"]


def test_evaluate_uses_the_values_set_on_the_page(world, people):
    _, _, doc = people
    parameters.set_value(world.county, "sn2022-67", "transport_cross_province", dt.date(2025, 1, 1), "2000", "测试")
    r = client(world.leader).post("/api/policies/sn2022-67/evaluate", {"file": upload(doc), "as_of": "2025-06-30"})
    assert [x["amount"] for x in r.json()["results"] if x["benefit_id"] == "transport_subsidy"] == [200000]


def test_simulate_reports_the_change(world, people):
    _, _, doc = people
    r = client(world.county).post("/api/policies/sn2022-67/simulate", {
        "file": upload(doc), "as_of": "2025-06-30", "set": ["transport_cross_province=2000"]})
    assert r.status_code == 200, r.content
    row = next(x for x in r.json()["benefit"] if x["benefit_name"] == "务工就业交通补贴")
    assert (row["baseline"], row["scenario"], row["change"]) == (150000, 200000, 50000)


@pytest.mark.parametrize("raw", ["99999999999999999999", "1e99999", "90000000000000000"])
def test_simulate_refuses_values_too_large_to_compute(world, people, raw):
    _, _, doc = people
    r = client(world.leader).post("/api/policies/sn2022-67/simulate", {
        "file": upload(doc), "as_of": "2025-06-30", "set": [f"transport_cross_province={raw}"]})
    assert r.status_code == 400 and "过大" in r.json()["detail"]


def test_audit_finds_missed_and_ineligible(world, people):
    a, b, doc = people
    payments = upload({"payments": [{"benefit_id": "transport_subsidy", "household_number": "P2", "id_number": b,
                                     "year": 2025, "amount": 150000}]}, "pay.json")
    r = client(world.clerk).post("/api/policies/sn2022-67/audit", {"file": upload(doc), "payments": payments,
                                                                    "as_of": "2025-06-30"})
    assert r.status_code == 200, r.content
    assert sorted((f["finding"], f["id_number"]) for f in r.json()["findings"]) == [("应享未享", a), ("违规享受", b)]


@pytest.mark.parametrize("path,data,message", [
    ("evaluate", {"as_of": "2025-13-01"}, "应为 YYYY-MM-DD"),
    ("simulate", {"as_of": "2025-06-30", "set": ["nothing=1"]}, "没有参数“nothing”"),
    ("simulate", {"as_of": "2025-06-30", "set": ["transport_cross_province=abc"]}, "不是数字"),
])
def test_bad_requests_get_a_chinese_message(world, people, path, data, message):
    _, _, doc = people
    r = client(world.county).post(f"/api/policies/sn2022-67/{path}", {"file": upload(doc), **data})
    assert r.status_code == 400 and message in r.json()["detail"]


def test_an_unreadable_file_is_refused_with_a_chinese_message(world):
    f = io.BytesIO(b"PK\x03\x04 not really a workbook")
    f.name = "x.xlsx"
    r = client(world.county).post("/api/policies/sn2022-67/evaluate", {"file": f, "as_of": "2025-06-30"})
    assert r.status_code == 400 and "无法作为 Excel 工作簿读取" in r.json()["detail"]


def test_unknown_document_is_refused(world, people):
    _, _, doc = people
    r = client(world.county).post("/api/policies/nothing/evaluate", {"file": upload(doc), "as_of": "2025-06-30"})
    assert r.status_code == 403


def test_parameters_listing(world):
    rows = client(world.clerk).get("/api/policies/sn2022-67/parameters?as_of=2022-08-11").json()
    transport = next(r for r in rows if r["key"] == "transport_cross_province")
    assert transport["value"] == "800" and [v["value"] for v in transport["values"]] == ["800", "1500"]
    share = next(r for r in rows if r["key"] == "post_floor_share")
    assert share["value"] is None  # not yet in force on 2022-08-11
