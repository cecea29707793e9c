"""不重复享受 (001 clause 20): the tier award and the one-time absorption subsidy — the engine keeps the higher for an
enterprise owed both, and the audit reports an enterprise paid both in a year."""
import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from fangpin.lib import creditcode
from fangpin.policies import audit, catalog, engine, simulate, tables

from .helpers import household, member, spell

CODE = creditcode.make("140603", "MA0000777")
AS_OF = dt.date(2025, 6, 30)


def world(target_workers=30, others=0, certified="2025-03-01", total=1000, labor_intensive=True):
    doc = {"households": [], "members": [], "employments": [],
           "enterprises": [{"credit_code": CODE, "name": "车间", "kind": "workshop", "division_code": "140603203200",
                            "base_level": "county", "base_certified_on": certified, "total_employees": total,
                            "labor_intensive": labor_intensive}]}
    for i in range(target_workers + others):
        number = f"W{i}"
        doc["households"].append(household(number, "lifted" if i < target_workers else "ordinary"))
        m = member(number)
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", employer_credit_code=CODE))
    return doc


def evaluate(doc, granted=None, **values):
    cat = catalog.load_catalog()["sn2022-67"]
    if values:
        cat = simulate.with_values(cat, {k: Decimal(str(v)) for k, v in values.items()}, AS_OF)
    built, _ = tables.build(tables.from_document(doc), year=2025, as_of=AS_OF)
    ev = engine.evaluate(cat, built, as_of=AS_OF, granted=granted)
    rows = ev.results.filter(pl.col("credit_code") == CODE).to_dicts()
    return cat, ev, [(r["benefit_id"], r["amount"]) for r in rows], rows


def test_without_an_amount_set_the_subsidy_is_not_computed_and_says_so():
    _, ev, got, _ = evaluate(world(300, 700))
    assert got == [("employment_base_tier_award", 25000000)]
    assert any("一次性吸纳就业补助（第20条）：参数“一次性吸纳就业补助：每吸纳一人的标准" in m for m in ev.messages)


@pytest.mark.parametrize("per_worker,kept", [("499.99", "employment_base_tier_award"),
                                             ("500", "employment_base_tier_award"),   # a tie: the one listed first
                                             ("500.01", "absorption_subsidy")])
def test_an_enterprise_owed_both_keeps_the_higher(per_worker, kept):
    # 500 lifted workers of 1000: tier award 25万 (≥100 workers) against 500 × per_worker
    _, _, got, rows = evaluate(world(500, 500), absorption_per_worker=per_worker)
    assert [b for b, _ in got] == [kept]
    assert rows[0]["explanation"].endswith("；“就业帮扶基地阶梯式奖励”与“一次性吸纳就业补助”不重复享受，按较高者计")


@pytest.mark.parametrize("target,total,labor_intensive,eligible", [
    (300, 1000, True, True), (299, 1000, True, False), (300, 999, True, False), (300, 1000, False, False),
])
def test_absorption_subsidy_bounds(target, total, labor_intensive, eligible):
    # certified last year: no tier award this year, so the subsidy stands alone
    _, _, got, rows = evaluate(world(target, 0, certified="2024-03-01", total=total, labor_intensive=labor_intensive),
                               absorption_per_worker=1000)
    assert got == ([("absorption_subsidy", target * 100000)] if eligible else [])
    assert all("不重复享受" not in r["explanation"] for r in rows)


def test_audit_reports_both_paid_in_one_year():
    cat, ev, _, _ = evaluate(world(300, 0), absorption_per_worker=500)
    paid = pl.DataFrame([
        {"benefit_id": b, "household_number": "", "person": "", "credit_code": CODE, "year": 2025, "amount": a,
         "reference": r} for b, a, r in (("employment_base_tier_award", 25000000, "T1"), ("absorption_subsidy", 15000000, "A1"))])
    findings = audit.audit(cat, ev.results, paid).to_dicts()
    kinds = {(f["finding"], f["benefit_id"]) for f in findings}
    assert ("重复享受", "absorption_subsidy") in kinds or ("重复享受", "employment_base_tier_award") in kinds
    combined = next(f for f in findings if f["finding"] == "重复享受")
    assert combined["credit_code"] == CODE
    assert combined["reason"].endswith("不重复享受，执行期内都已发放，共400000元")  # both one-time: any years
    assert ("违规享受", "absorption_subsidy") in kinds  # not owed: the engine kept the tier award


def test_not_combined_across_years_for_one_time_benefits():
    """阶梯性奖励政策与一次性吸纳就业补助政策不重复享受: both are one-time, so an enterprise awarded the tiers in 2024 is
    not owed the subsidy in 2025 (engine), and paying it is a duplicate (audit)."""
    cat, ev, _, _ = evaluate(world(300, 0, certified="2024-03-01"), absorption_per_worker=500)
    assert [r["benefit_id"] for r in ev.results.to_dicts()] == ["absorption_subsidy"]  # alone in 2025
    granted = pl.DataFrame([{"benefit_id": "employment_base_tier_award", "household_number": None, "id_number": None,
                             "credit_code": CODE, "year": 2024}])
    built_again = evaluate(world(300, 0, certified="2024-03-01"), absorption_per_worker=500, granted=granted)
    assert built_again[1].results.is_empty()
    assert any("或不重复享受的待遇" in m for m in built_again[1].messages)
    paid = pl.DataFrame([
        {"benefit_id": b, "household_number": "", "person": "", "credit_code": CODE, "year": y, "amount": a,
         "reference": r} for b, y, a, r in (("employment_base_tier_award", 2024, 25000000, "T1"),
                                            ("absorption_subsidy", 2025, 15000000, "A1"))])
    findings = audit.audit(cat, ev.results, paid, 2025).to_dicts()
    assert [(f["finding"], f["reason"]) for f in findings if f["finding"] == "重复享受"] == [
        ("重复享受", "“就业帮扶基地阶梯式奖励”与“一次性吸纳就业补助”不重复享受，执行期内都已发放，共400000元")]


def test_catalog_refuses_a_not_with_to_nothing(tmp_path):
    from fangpin.lib.yamldata import CatalogError

    src = (catalog.CATALOG_DIR / "001-shuangnian-2022-67.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "x.yaml"
    bad.write_text(src.replace("not_with: [employment_base_tier_award]", "not_with: [no_such_benefit]"), encoding="utf-8")
    with pytest.raises(CatalogError, match="not_with.*no_such_benefit"):
        catalog.load_document(bad)
