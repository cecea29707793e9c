"""Rules on an enterprise's declaration for the year: seed 001 clause 6 (breeding pigs, greenhouses, cool-season
vegetables) and seed 002 clause 3 (a community factory's utilities and rent)."""
import datetime as dt

import pytest

from fangpin.lib import creditcode

from .helpers import household, member, run, spell

SN = "140603203200"
LONG = "610327100001"
CODE_SN = creditcode.make("140603", "MA0000061")
CODE_LX = creditcode.make("610327", "MA0000062")


def farm(year=2025, drives=True, **declared):
    return {"credit_code": CODE_SN, "name": "合作社", "kind": "cooperative", "division_code": SN,
            "declared_year": year, "drives_target": drives, **declared}


def sn(enterprise, workers=0, benefit=None):
    doc = {"households": [household("H0")], "members": [], "employments": [], "enterprises": [enterprise]}
    for i in range(workers):
        m = member("H0", "head" if i == 0 else "child")
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", employer_credit_code=CODE_SN))
    rows, _, _ = run(doc, as_of=dt.date(2025, 6, 30), benefit=benefit)
    return rows


@pytest.mark.parametrize("benefit,declared,expected", [
    ("breeding_pig_subsidy", {"breeding_pigs": 10}, 50000),
    ("breeding_pig_subsidy", {"breeding_pigs": 1}, 5000),
    ("greenhouse_new_subsidy", {"new_greenhouse_mu": "1.50"}, 4500000),
    ("greenhouse_renovation_subsidy", {"renovated_greenhouse_mu": "0.01"}, 20000),
    ("cool_vegetable_subsidy", {"cool_vegetable_mu": "2.35"}, 23500),
    ("cool_vegetable_subsidy", {"cool_vegetable_mu": "0.01"}, 100),
])
def test_clause_6_per_head_and_per_mu(benefit, declared, expected):
    rows = sn(farm(**declared), benefit=benefit)
    assert [(r["credit_code"], r["amount"]) for r in rows] == [(CODE_SN, expected)]
    assert "带动脱贫户和监测户" in rows[0]["explanation"]


def test_clause_6_needs_driving_target_households_and_this_years_declaration():
    assert sn(farm(drives=False, breeding_pigs=10), benefit="breeding_pig_subsidy") == []
    rows = sn(farm(drives=False, breeding_pigs=10), workers=1, benefit="breeding_pig_subsidy")  # employs one
    assert [r["amount"] for r in rows] == [50000] and "吸纳脱贫户和监测户劳动力务工" in rows[0]["explanation"]
    assert sn(farm(year=2024, breeding_pigs=10), benefit="breeding_pig_subsidy") == []
    assert sn(farm(year=None, breeding_pigs=10), benefit="breeding_pig_subsidy") == []
    assert sn(farm(breeding_pigs=0), benefit="breeding_pig_subsidy") == []


def factory(certified="2022-03-01", total=21, kind="community_factory", year=2022, labor_intensive=True, **declared):
    return {"credit_code": CODE_LX, "name": "社区工厂", "kind": kind, "division_code": LONG, "base_certified_on": certified,
            "total_employees": total, "declared_year": year, "labor_intensive": labor_intensive, **declared}


def lx(enterprise, lifted=7, benefit=None):
    doc = {"households": [], "members": [], "employments": [], "enterprises": [enterprise]}
    for i in range(lifted):
        doc["households"].append(household(f"L{i}", village=LONG))
        m = member(f"L{i}")
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", year=2022, employer_credit_code=CODE_LX))
    rows, _, _ = run(doc, as_of=dt.date(2022, 9, 30), document="lx2022-10", benefit=benefit)
    return [r["amount"] for r in rows]


@pytest.mark.parametrize("certified,paid", [("2022-03-01", True), ("2021-12-31", True), ("2020-12-31", False),
                                            (None, False), ("2023-01-01", False)])
def test_utilities_for_two_years_from_certification(certified, paid):
    amounts = lx(factory(certified, utilities_cost=1234500), benefit="community_factory_utilities_subsidy")
    assert amounts == ([617250] if paid else [])


def test_utilities_half_rounds_up_to_the_fen_and_needs_a_qualified_factory():
    assert lx(factory(utilities_cost=12345), benefit="community_factory_utilities_subsidy") == [6173]
    assert lx(factory(utilities_cost=12345), lifted=6, benefit="community_factory_utilities_subsidy") == []  # 6/21
    assert lx(factory(utilities_cost=12345, total=19), benefit="community_factory_utilities_subsidy") == []
    assert lx(factory(utilities_cost=12345, kind="workshop"), benefit="community_factory_utilities_subsidy") == []
    assert lx(factory(utilities_cost=12345, year=2021), benefit="community_factory_utilities_subsidy") == []
    # the subsidies are for the factory the clause recognises: labour-intensive (陇县十条措施 三)
    assert lx(factory(utilities_cost=12345, labor_intensive=False), benefit="community_factory_utilities_subsidy") == []


def test_village_standard_premises_half_the_rent_every_year():
    f = factory("2019-05-01", premises_kind="village_standard", premises_rent=1000000)
    assert lx(f, benefit="community_factory_village_rent_subsidy") == [500000]
    assert lx(f, benefit="community_factory_self_rent_subsidy") == []


@pytest.mark.parametrize("area,rent_yuan,expected_yuan", [
    ("100", 4000, 2000),            # 40 元/㎡: the real rent
    ("100", 5000, 2500),            # 50 元/㎡: the bound
    ("100", 8000, 2500),            # 80 元/㎡: counted at 50
    ("1200", 60000, 30000),         # exactly the 3万 cap
    ("1201", 60050, 30000),         # above it
    ("0.01", 100, 0.25),            # 0.01 ㎡ × 50 元 = 0.5 元, half is 0.25
])
def test_self_rented_premises_unit_cap_and_total_cap(area, rent_yuan, expected_yuan):
    f = factory(premises_kind="self_rented", premises_area_m2=area, premises_rent=rent_yuan * 100)
    assert lx(f, benefit="community_factory_self_rent_subsidy") == [round(expected_yuan * 100)]
