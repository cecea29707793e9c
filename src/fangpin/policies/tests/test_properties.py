"""Properties over random populations: no amount above its cap, no target-only benefit outside the target,
at most one row per person and year where the clause says once."""
import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from decimal import Decimal

from fangpin.lib import creditcode
from fangpin.policies import catalog, engine, simulate, tables

from .helpers import household, member, person_id, spell

CATEGORIES = [("lifted", None), ("ordinary", None), ("monitored", "unstable"), ("monitored", "marginal"),
              ("monitored", "sudden_hardship")]
CASES = [("sn2022-67", "140603203200", dt.date(2025, 6, 30)), ("lx2022-10", "610327100001", dt.date(2022, 9, 30)),
         ("xz2020-6", "140902001001", dt.date(2020, 6, 30))]


@st.composite
def populations(draw):
    village_doc = draw(st.sampled_from(CASES))
    _, village, as_of = village_doc
    doc = {"households": [], "members": [], "employments": [], "trainings": [], "incomes": [], "startups": [],
           "enterprises": [{"credit_code": creditcode.make(village[:6], "MA0000053"), "name": "工厂",
                            "kind": draw(st.sampled_from(["community_factory", "cooperative"])), "division_code": village,
                            "base_certified_on": f"{as_of.year - draw(st.integers(0, 2))}-03-01",
                            "total_employees": draw(st.integers(0, 40)), "declared_year": as_of.year,
                            "drives_target": draw(st.booleans()), "breeding_pigs": draw(st.integers(0, 500)),
                            "utilities_cost": draw(st.integers(0, 10_000_000)),
                            "premises_kind": draw(st.sampled_from(["none", "village_standard", "self_rented"])),
                            "premises_rent": draw(st.integers(0, 50_000_000)),
                            "premises_area_m2": f"{draw(st.integers(0, 500_000)) / 100:.2f}"}]}
    agencies = [None, creditcode.make("140603", "MA0000051"), creditcode.make("610327", "MA0000052")]
    for i in range(draw(st.integers(1, 6))):
        number = f"H{i}"
        category, monitor_type = draw(st.sampled_from(CATEGORIES))
        doc["households"].append(household(number, category, monitor_type, village=village,
                                           contracted_land_mu=f"{draw(st.integers(0, 5000)) / 100:.2f}",
                                           grain_area_mu=f"{draw(st.integers(0, 5000)) / 100:.2f}",
                                           courtyard_economy=draw(st.booleans()), dibao=draw(st.booleans())))
        if draw(st.booleans()):
            doc["incomes"].append({"household_number": number, "year": as_of.year,
                                   "wage": draw(st.integers(0, 8_000_000)), "business_cost": draw(st.integers(0, 500_000))})
        for j in range(draw(st.integers(1, 4))):
            m = member(number, "head" if j == 0 else "child", id_number=person_id(),
                       tekun=draw(st.booleans()), labor_capacity=draw(st.sampled_from(["laborer", "half", "none"])),
                       disability_grade=draw(st.sampled_from([None, 1, 4])),
                       school_stage=draw(st.sampled_from([None, "college"])))
            if draw(st.booleans()):
                doc["startups"].append({"id_number": m["id_number"], "returnee": draw(st.booleans()),
                                        "kind": draw(st.sampled_from(["individual", "micro_enterprise"])),
                                        "started_on": f"{as_of.year - draw(st.integers(0, 1))}-{draw(st.integers(1, 12)):02d}-01",
                                        "operating_months": draw(st.integers(0, 20)),
                                        "yearly_rent": draw(st.integers(0, 1_000_000))})
            doc["members"].append(m)
            for _ in range(draw(st.integers(0, 3))):
                doc["employments"].append(spell(
                    m, draw(st.sampled_from(["cross_province", "in_province_out_of_county", "in_county"])),
                    months=draw(st.integers(0, 14)), wage_yuan=draw(st.integers(0, 5000)), year=as_of.year,
                    contract_months=draw(st.sampled_from([None, 0, 6, 12])), first_stable=draw(st.booleans()),
                    kind=draw(st.sampled_from(["wage_job", "public_welfare_post"])),
                    agency_credit_code=draw(st.sampled_from(agencies))))
            for t in range(draw(st.integers(0, 2))):  # a second training of the same person tests per-person caps
                doc["trainings"].append({"id_number": m["id_number"], "year": as_of.year,
                                         "kind": draw(st.sampled_from(["skills", "order", "general", "disabled_practical"])),
                                         "start_date": f"{as_of.year}-0{3 + t}-01", "days": draw(st.integers(0, 60)),
                                         "employed_after": draw(st.booleans()),
                                         "institution_credit_code": draw(st.sampled_from(agencies))})
    return village_doc, doc


def bound(b, ctx) -> int | None:
    """The most one row of this benefit can be, when the clause fixes it."""
    a = b.amount
    if a.cap is not None:
        return ctx.fen(a.cap.param)
    if a.kind in ("fixed", "up_to"):
        return ctx.fen(a.value.param)
    if a.kind == "tiers":
        return max(ctx.fen(t.value.param) for t in a.tiers)
    if a.kind == "per_unit" and a.units.param:
        return sum(ctx.fen(r.param) for r in a.rates) * int(ctx.param(a.units.param))
    return None


@settings(max_examples=60, deadline=None)
@given(populations())
def test_caps_targets_and_once_a_year(case):
    (doc_id, _, as_of), doc = case
    document = catalog.load_catalog()[doc_id]
    if "monitoring_line" in document.parameters:  # this year's line, so that the gap rule runs too
        document = simulate.with_values(document, {"monitoring_line": Decimal(7000)}, as_of)
    if "dibao_standard_monthly" in document.parameters:  # the county's standard, set on the page in real use
        document = simulate.with_values(document, {"dibao_standard_monthly": Decimal(600)}, as_of)
    built, problems = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    assert problems == []
    results = engine.evaluate(document, built, as_of=as_of).results
    category = {h["household_number"]: h["category"] for h in doc["households"]}
    ctx = engine._Context(document, as_of)
    for b in document.benefits:
        rows = results.filter(results["benefit_id"] == b.id).to_dicts()
        cap = bound(b, ctx)
        for r in rows:
            assert r["amount"] > 0
            if cap is not None:
                assert r["amount"] <= cap, (b.id, r)
            if b.target:
                assert category[r["household_number"]] in b.target, (b.id, r)
        if b.amount.kind == "gap":  # exactly the line for every person less the net income (a loss adds to it)
            size = Counter(m["household_number"] for m in doc["members"])
            net = {i["household_number"]: i["wage"] - i["business_cost"] for i in doc["incomes"]}
            assert all(r["amount"] == 700000 * size[r["household_number"]] - net[r["household_number"]] for r in rows)
        if b.once_per == "person_year":
            assert max(Counter(r["id_number"] for r in rows).values(), default=0) <= 1
