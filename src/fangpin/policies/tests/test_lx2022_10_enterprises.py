"""陇县 clauses 3 and 5: enterprises paid per lifted worker registered with them, exact shares, yearly caps."""
import datetime as dt

import pytest

from fangpin.lib import creditcode

from .helpers import household, member, run, spell

LONG = "610327100001"
AS_OF = dt.date(2022, 9, 30)
CODE = creditcode.make("610327", "MA0000009")


def population(lifted: int, others: int, *, year=2022, employer=CODE, last_year_lifted: int = 0):
    """`lifted` lifted workers and `others` ordinary ones at the employer this year; the first `last_year_lifted`
    lifted ones also worked there last year."""
    doc = {"households": [], "members": [], "employments": []}
    for i in range(lifted + others):
        number = f"W{i}"
        doc["households"].append(household(number, "lifted" if i < lifted else "ordinary", village=LONG))
        m = member(number)
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", year=year, employer_credit_code=employer))
        if i < last_year_lifted:
            doc["employments"].append(spell(m, "in_county", year=year - 1, employer_credit_code=employer))
    return doc


def enterprise(kind="community_factory", total=21, base_level="none", certified="2022-03-01", division=LONG,
               labor_intensive=True):
    return {"credit_code": CODE, "name": "测试", "kind": kind, "division_code": division, "base_level": base_level,
            "base_certified_on": certified, "total_employees": total, "labor_intensive": labor_intensive}


def go(doc, benefit):
    rows, _, _ = run(doc, as_of=AS_OF, document="lx2022-10", benefit=benefit)
    return rows


@pytest.mark.parametrize("total,lifted,paid", [
    (21, 7, True),     # 7/21 = exactly 1/3
    (21, 6, False),    # 6/21 < 1/3
    (20, 7, True),     # 20 workers: the lower bound, inclusive
    (19, 7, False),
])
def test_community_factory_bounds(total, lifted, paid):
    doc = population(lifted, 0) | {"enterprises": [enterprise(total=total)]}
    rows = go(doc, "community_factory_post_subsidy")
    assert [(r["credit_code"], r["amount"]) for r in rows] == ([(CODE, lifted * 200000)] if paid else [])


def test_community_factory_once_in_the_year_of_certification_and_explained():
    assert go(population(7, 0) | {"enterprises": [enterprise(certified="2021-05-01")]}, "community_factory_post_subsidy") == []
    rows = go(population(7, 0) | {"enterprises": [enterprise()]}, "community_factory_post_subsidy")
    assert rows[0]["explanation"] == (
        "依据陇县十条措施（2022）第3条：劳动密集型社区工厂用工21人（≥20人），其中稳定就业（≥6个月）的脱贫劳动力7人（≥1/3），"
        "每人2000元，计14000元（一次性待遇：本文件执行期内只享受一次，以前年度已发放的不再计算）")
    assert rows[0]["household_number"] is None and rows[0]["id_number"] is None and rows[0]["village_code"] == LONG


@pytest.mark.parametrize("lifted,expected", [(149, 29800000), (150, 30000000), (151, 30000000)])
def test_employment_base_award_is_capped_at_300000_a_year(lifted, expected):
    doc = population(lifted, 3) | {"enterprises": [enterprise("workshop", 200, "city")]}
    assert [r["amount"] for r in go(doc, "employment_base_award")] == [expected]


def test_county_level_bases_get_nothing():
    doc = population(10, 0) | {"enterprises": [enterprise("workshop", 50, "county")]}
    assert go(doc, "employment_base_award") == []


def test_later_years_count_only_new_lifted_workers():
    doc = population(10, 2, last_year_lifted=4) | {"enterprises": [enterprise("workshop", 50, "province", "2021-01-10")]}
    assert go(doc, "employment_base_award") == []
    rows = go(doc, "employment_base_award_new_workers")
    assert [r["amount"] for r in rows] == [6 * 200000]
    assert "本年度新增脱贫劳动力6人（上年度未在本单位务工）" in rows[0]["explanation"]


def test_enterprises_outside_the_county_are_not_paid():
    doc = population(7, 0) | {"enterprises": [enterprise(division="140603203200")]}
    assert go(doc, "community_factory_post_subsidy") == []
