"""Audit: every kind of finding at its boundary, and payments files that cannot be read."""
import datetime as dt

import pytest

from fangpin.policies import audit, catalog, engine, tables

from .helpers import household, member, payments_file, spell

AS_OF = dt.date(2025, 6, 30)


def setup_world():
    a, b = member("H1"), member("H2")
    doc = {"households": [household("H1"), household("H2", contracted_land_mu="1.00")], "members": [a, b],
           "employments": [spell(a, "cross_province", months=3)]}  # 3 months: transport only, no retention bonus
    built, _ = tables.build(tables.from_document(doc), year=2025, as_of=AS_OF)
    cat = catalog.load_catalog()["sn2022-67"]
    return cat, engine.evaluate(cat, built, as_of=AS_OF).results, a, b


def pay(tmp_path, rows):
    return payments_file(tmp_path, rows)


def transport(person, amount, ref="R1"):
    return {"benefit_id": "transport_subsidy", "household_number": person["household_number"],
            "id_number": person["id_number"], "year": 2025, "amount": amount, "reference": ref}


def land(amount, ref="L1"):
    return {"benefit_id": "land_fertility_subsidy", "household_number": "H2", "year": 2025, "amount": amount,
            "reference": ref}


@pytest.fixture
def w():
    return setup_world()


def findings(tmp_path, w, rows):
    cat, owed, _, _ = w
    paid, problems = audit.read_payments(pay(tmp_path, rows), cat)
    assert problems == []
    return {(r["finding"], r["benefit_id"], r["reason"]) for r in audit.audit(cat, owed, paid).iter_rows(named=True)}


def test_exact_payments_give_no_findings(tmp_path, w):
    a = w[2]
    assert findings(tmp_path, w, [transport(a, 150000), land(6700)]) == set()


@pytest.mark.parametrize("amount,expected", [
    (6699, {("应享未享", "land_fertility_subsidy", "应享67元，只发放66.99元")}),
    (6700, set()),
    (6701, {("违规享受", "land_fertility_subsidy", "超标准：应享67元，发放67.01元")}),
])
def test_an_exact_amount_short_and_over_by_one_fen(tmp_path, w, amount, expected):
    a = w[2]
    assert findings(tmp_path, w, [transport(a, 150000), land(amount)]) == expected


@pytest.mark.parametrize("amount,expected", [
    (100000, set()),   # “最高不超过1500元”: paid as approved below the ceiling (双发〔2022〕67号 10)
    (149999, set()),
    (150000, set()),
    (150001, {("违规享受", "transport_subsidy", "超过上限：上限1500元，发放1500.01元")}),
])
def test_a_ceiling_is_checked_as_not_above_it(tmp_path, w, amount, expected):
    a = w[2]
    assert findings(tmp_path, w, [transport(a, amount), land(6700)]) == expected


def test_missed_duplicate_and_ineligible(tmp_path, w):
    b = w[3]
    got = findings(tmp_path, w, [land(6700, "L1"), land(6700, "L2"), transport(b, 60000)])
    assert got == {
        ("应享未享", "transport_subsidy", "可享（上限1500元），未发放"),
        ("重复享受", "land_fertility_subsidy", "同一待遇同一年度发放2次，共134元（应享67元；凭证：L1、L2）"),
        ("违规享受", "transport_subsidy", "按登记信息不符合条件，却发放600元"),
    }


def test_ceiling_is_a_maximum_not_an_amount():
    doc = {"households": [household("M1", "monitored", "marginal", village="610327100001", industry_project=True)],
           "members": [member("M1")]}
    as_of = dt.date(2022, 9, 30)
    built, _ = tables.build(tables.from_document(doc), year=2022, as_of=as_of)
    cat = catalog.load_catalog()["lx2022-10"]
    owed = engine.evaluate(cat, built, as_of=as_of).results
    import polars as pl

    def paid(amount):
        return pl.DataFrame([{"benefit_id": "monitored_industry_award", "household_number": "M1", "person": "",
                              "credit_code": "", "year": 2022, "amount": amount, "reference": "X"}])
    assert audit.audit(cat, owed, paid(300000)).is_empty()      # less than the ceiling: as approved
    assert audit.audit(cat, owed, paid(500000)).is_empty()      # exactly the ceiling
    over = audit.audit(cat, owed, paid(500001)).row(0, named=True)
    assert (over["finding"], over["reason"]) == ("违规享受", "超过上限：上限5000元，发放5000.01元")


def test_unreadable_payments_are_reported(tmp_path, w):
    cat, _, a, _ = w
    rows = [dict(transport(a, 150000), benefit_id="nothing"), dict(land(6700), id_number=a["id_number"]),
            dict(transport(a, -1))]
    paid, problems = audit.read_payments(pay(tmp_path, rows), cat)
    assert paid.is_empty()
    reasons = [p.reason for p in problems]
    assert "待遇代码“nothing”不在 双发〔2022〕67号 中" in reasons[0]
    assert "发给户或按单位计发的待遇不填" in reasons[1]
    assert "不能为负数" in reasons[2]


def test_excel_payments_in_yuan(tmp_path, w):
    import openpyxl

    cat, owed, a, _ = w
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放记录"
    ws.append(["待遇代码", "户编号", "身份证号", "年度", "金额（元）", "凭证号"])
    ws.append(["transport_subsidy", "H1", a["id_number"], 2025, 1500, "R1"])
    ws.append(["land_fertility_subsidy", "H2", None, 2025, "67元", "L1"])
    wb.save(tmp_path / "p.xlsx")
    paid, problems = audit.read_payments(tmp_path / "p.xlsx", cat)
    assert problems == [] and audit.audit(cat, owed, paid).is_empty()
