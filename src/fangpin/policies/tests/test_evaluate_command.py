import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangpin.exchange.tests.helpers import workbook

from .helpers import household, member, spell

# The evaluated file is checked by the importer's rules, the division codes against the division tree in the database.
pytestmark = pytest.mark.django_db


def test_json_and_excel_inputs_give_the_same_results(tmp_path, capsys):
    m, n = member(), member(relation="child")
    doc = {"format": "fangpin-exchange", "version": "1.0", "households": [household(contracted_land_mu="3.00")],
           "members": [m, n], "employments": [spell(m, months=6, wage_yuan=1000)]}
    (tmp_path / "in.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--output", str(tmp_path / "a.json"))
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert {(r["benefit_id"], r["amount"]) for r in a["results"]} == {
        ("transport_subsidy", 150000), ("job_retention_bonus", 120000), ("land_fertility_subsidy", 20100)}
    excel_rows = {
        "households": [{"household_number": "H1", "village_code": "140603203200", "category": "脱贫户",
                        "contracted_land_mu": 3}],
        "members": [{"household_number": "H1", "id_number": x["id_number"], "name": "测", "relation": r,
                     "labor_capacity": "劳动力"} for x, r in ((m, "户主"), (n, "子女"))],
        "employments": [{"id_number": m["id_number"], "year": 2025, "kind": "务工", "place": "跨省",
                         "start_date": "2025-01-01", "months": 6, "monthly_wage": 1000}],
    }
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30",
                 "--input", str(workbook(tmp_path / "in.xlsx", excel_rows)), "--output", str(tmp_path / "b.json"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert b["results"] == a["results"]
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--output", str(tmp_path / "c.xlsx"))
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert wb["待遇明细"]["I1"].value == "金额（元）" and wb["待遇明细"].max_row == 4


def test_unreadable_rows_are_reported_not_paid(tmp_path, capsys):
    m = member()
    bad = dict(spell(m), months=-1)
    doc = {"format": "fangpin-exchange", "version": "1.0", "households": [household()], "members": [m],
           "employments": [bad]}
    (tmp_path / "in.json").write_text(json.dumps(doc), encoding="utf-8")
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--output", str(tmp_path / "o.json"))
    out = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert out["results"] == []
    assert out["unevaluable"][0]["sheet"] == "employments" and "不能为负数" in out["unevaluable"][0]["reason"]
    assert "无法评估" in capsys.readouterr().err


@pytest.mark.parametrize("args,message", [
    (["--policy", "nope", "--as-of", "2025-06-30"], "没有 id 为“nope”"),
    (["--policy", "sn2022-67", "--as-of", "2025-13-01"], "应为 YYYY-MM-DD"),
])
def test_bad_arguments(tmp_path, args, message):
    (tmp_path / "in.json").write_text('{"format": "fangpin-exchange", "version": "1.0"}', encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("evaluate", *args, "--input", str(tmp_path / "in.json"), "--output", str(tmp_path / "o.json"))


def test_simulate_and_audit_commands(tmp_path, capsys):
    m = member()
    doc = {"format": "fangpin-exchange", "version": "1.0", "households": [household()], "members": [m],
           "employments": [spell(m, months=3)]}
    (tmp_path / "in.json").write_text(json.dumps(doc), encoding="utf-8")
    call_command("simulate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--set", "transport_cross_province=2000",
                 "--input", str(tmp_path / "in.json"), "--output", str(tmp_path / "s.json"))
    sim = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert sim["benefit"] == [{"benefit_name": "务工就业交通补贴", "baseline": 150000, "scenario": 200000, "change": 50000}]
    assert "1500 → 2000" in capsys.readouterr().out
    payments = {"format": "fangpin-exchange", "version": "1.0", "payments": [
        {"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"], "year": 2025,
         "amount": 150000, "reference": "A"},
        {"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"], "year": 2025,
         "amount": 150000, "reference": "B"}]}
    (tmp_path / "p.json").write_text(json.dumps(payments), encoding="utf-8")
    call_command("audit", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--payments", str(tmp_path / "p.json"), "--output", str(tmp_path / "a.json"))
    found = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["findings"]
    assert [(f["finding"], f["reason"]) for f in found] == [
        ("重复享受", "同一待遇同一年度发放2次，共3000元（上限1500元；凭证：A、B）")]
    with pytest.raises(CommandError, match="至少用一个 --set"):
        call_command("simulate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"))


# --- one validator: what import refuses is never paid by evaluate, simulate, audit or their API ---------------------

def evaluate_doc(tmp_path, doc) -> dict:
    doc = {"format": "fangpin-exchange", "version": "1.0", **doc}
    (tmp_path / "in.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--output", str(tmp_path / "o.json"))
    return json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))


def paid_to(out) -> set:
    return {r.get("id_number") or r.get("household_number") for r in out["results"]}


def test_one_person_in_two_households_is_paid_in_neither(tmp_path):
    a, b = member("H1"), member("H2")
    twice = dict(member("H2", relation="child"), id_number=a["id_number"])
    out = evaluate_doc(tmp_path, {"households": [household("H1"), household("H2")], "members": [a, b, twice],
                                  "employments": [spell(a, months=7)]})
    assert a["id_number"] not in paid_to(out) and out["results"] == []
    refused = {(u["sheet"], u["row"], u["column"]) for u in out["unevaluable"]}
    assert ("members", 3, "id_number") in refused and ("members", 1, "id_number") in refused
    assert ("employments", 1, "id_number") in refused


def test_a_monitored_household_without_a_monitor_type_is_not_paid(tmp_path):
    m = member("H1")
    out = evaluate_doc(tmp_path, {"households": [household("H1", category="monitored", monitor_type=None)],
                                  "members": [m], "employments": [spell(m, months=7)]})
    assert out["results"] == []
    assert ("households", 1, "monitor_type") in {(u["sheet"], u["row"], u["column"]) for u in out["unevaluable"]}


@pytest.mark.parametrize("village", ["140603203999", "140603203000"])  # no such village; a township, not a village
def test_a_household_in_a_village_that_does_not_exist_is_not_paid(tmp_path, village):
    m = member("H1")
    out = evaluate_doc(tmp_path, {"households": [household("H1", village=village)], "members": [m],
                                  "employments": [spell(m, months=7)]})
    assert out["results"] == []
    [first, *_] = out["unevaluable"]
    assert (first["sheet"], first["row"], first["column"]) == ("households", 1, "village_code")


def test_the_valid_households_of_a_file_are_still_paid(tmp_path):
    good, bad = member("H1"), member("H2")
    out = evaluate_doc(tmp_path, {"households": [household("H1"), household("H2", village="140603203999")],
                                  "members": [good, bad], "employments": [spell(good, months=7), spell(bad, months=7)]})
    assert paid_to(out) == {good["id_number"]}


def test_evaluate_leaves_out_one_time_benefits_paid_in_earlier_years(tmp_path, capsys):
    """`--payments`: a one-time benefit paid before is not owed again; a yearly one still is."""
    m = member()
    doc = {"format": "fangpin-exchange", "version": "1.0", "households": [household()], "members": [m],
           "employments": [spell(m, months=7)]}
    (tmp_path / "in.json").write_text(json.dumps(doc), encoding="utf-8")
    paid = {"format": "fangpin-exchange", "version": "1.0", "payments": [
        {"benefit_id": "job_retention_bonus", "household_number": "H1", "id_number": m["id_number"], "year": 2024,
         "amount": 120000}]}
    (tmp_path / "p.json").write_text(json.dumps(paid), encoding="utf-8")
    call_command("evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(tmp_path / "in.json"),
                 "--payments", str(tmp_path / "p.json"), "--output", str(tmp_path / "out.json"))
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [(r["benefit_id"], r["amount"]) for r in out["results"]] == [("transport_subsidy", 150000)]
    assert "务工就业稳岗奖补（第11条）：1个对象已于以前年度享受（一次性待遇），2025年度不再计算" in capsys.readouterr().err
