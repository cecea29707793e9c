"""陇县十条措施 (seed 002): the person and household rules at their boundaries."""
import datetime as dt

import pytest

from fangpin.lib import creditcode

from .helpers import household, member, run, spell

LONG = "610327100001"
AS_OF = dt.date(2022, 9, 30)


def go(doc, benefit, as_of=AS_OF):
    return run(doc, as_of=as_of, document="lx2022-10", benefit=benefit)


def hh(**kw):
    return household(village=LONG, **kw)


@pytest.mark.parametrize("category,monitor_type,place,paid", [
    ("lifted", None, "cross_province", True),
    ("monitored", "unstable", "cross_province", True),       # lifted, then monitored: still 脱贫人口
    ("monitored", "marginal", "cross_province", False),      # never registered as poor
    ("ordinary", None, "cross_province", False),
    ("lifted", None, "in_province_out_of_county", False),    # 跨省 only
])
def test_transport_500_for_lifted_people_working_across_provinces(category, monitor_type, place, paid):
    m = member()
    rows, _, _ = go({"households": [hh(category=category, monitor_type=monitor_type)], "members": [m],
                     "employments": [spell(m, place, year=2022)]}, "transport_subsidy")
    assert [r["amount"] for r in rows] == ([50000] if paid else [])


@pytest.mark.parametrize("months,contract,first,place,paid", [
    (5, 12, True, "cross_province", False),
    (6, 12, True, "cross_province", True),
    (6, 12, True, "in_province_out_of_county", True),
    (6, 12, True, "in_county", False),          # 外出务工
    (6, None, True, "cross_province", False),   # 凭有效劳动合同
    (6, 12, False, "cross_province", False),    # 首次稳定就业
])
def test_job_seeking_subsidy(months, contract, first, place, paid):
    m = member()
    s = spell(m, place, months=months, year=2022, contract_months=contract, first_stable=first)
    rows, _, _ = go({"households": [hh()], "members": [m], "employments": [s]}, "job_seeking_subsidy")
    assert [r["amount"] for r in rows] == ([50000] if paid else [])
    if paid:
        assert f"外出务工首次稳定就业{months}个月（≥6个月），有12个月劳动合同，一次性求职补贴500元（一次性待遇" in rows[0]["explanation"]


@pytest.mark.parametrize("category,monitor_type,labor,project,paid", [
    ("monitored", "marginal", "laborer", True, True),
    ("monitored", "marginal", "laborer", False, False),   # “有意愿……发展产业”: no industry project, no award
    ("monitored", "sudden_hardship", "none", True, False),   # no one able to work
    ("lifted", None, "laborer", True, False),                # monitored households only
])
def test_industry_award_is_a_ceiling_for_monitored_households_with_a_project(category, monitor_type, labor, project, paid):
    rows, _, _ = go({"households": [hh(category=category, monitor_type=monitor_type, industry_project=project)],
                     "members": [member(labor_capacity=labor)]}, "monitored_industry_award")
    assert [(r["amount"], r["bound"], r["id_number"]) for r in rows] == ([(500000, "at_most", None)] if paid else [])


@pytest.mark.parametrize("eliminated_on,paid", [
    (None, True), ("2022-09-29", False), ("2022-09-30", False), ("2022-10-01", True),
])
def test_industry_award_ends_with_the_risk(eliminated_on, paid):
    """第六条 aims to 消除返贫风险, and 第一条 ties assistance to the risk (“风险不消除，帮扶责任不脱钩”): once the risk
    is eliminated (on or before the evaluation date) the household is no longer awarded."""
    rows, _, _ = go({"households": [hh(category="monitored", monitor_type="marginal", risk_eliminated_on=eliminated_on,
                                       industry_project=True)],
                     "members": [member()]}, "monitored_industry_award")
    assert [r["amount"] for r in rows] == ([500000] if paid else [])
    if paid:
        assert rows[0]["explanation"].startswith("依据陇县十条措施（2022）第6条：风险未消除的监测户发展特色产业项目")


def test_the_county_document_does_not_reach_other_counties_or_before_its_start():
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [spell(m, year=2022)]}  # 双碾村
    assert go(doc, None)[0] == []
    rows, messages, _ = go({"households": [hh()], "members": [m], "employments": [spell(m, year=2021)]}, None,
                           as_of=dt.date(2021, 12, 31))
    assert rows == [] and "不在有效期内" in messages[0]


@pytest.mark.parametrize("year", [2022, 2023, 2025, 2030])
def test_the_county_measures_run_every_year_from_the_start_the_county_set(year):
    """The seed names no date and its amounts are 每人每年: the period is open-ended from the county-set start."""
    m = member()
    rows, messages, _ = go({"households": [hh()], "members": [m], "employments": [spell(m, year=year)]},
                           "transport_subsidy", as_of=dt.date(year, 6, 30))
    assert [r["amount"] for r in rows] == [50000] and messages == []


# --- clause 2: placement subsidy to the agency; clause 3: one-time start-up grant -------------------------------

AGENCY = creditcode.make("610327", "MA0000031")


@pytest.mark.parametrize("months,kind,category,paid", [
    (6, "wage_job", "ordinary", True), (5, "wage_job", "lifted", False), (12, "wage_job", "lifted", True),
    (12, "public_welfare_post", "lifted", False),
])
def test_placement_subsidy_per_worker_placed(months, kind, category, paid):
    m = member()
    doc = {"households": [hh(category=category)], "members": [m],
           "employments": [spell(m, "in_county", months=months, year=2022, kind=kind, agency_credit_code=AGENCY)]}
    rows, _, _ = run(doc, as_of=AS_OF, document="lx2022-10", benefit="job_placement_subsidy")
    assert [(r["credit_code"], r["id_number"], r["amount"]) for r in rows] == (
        [(AGENCY, m["id_number"], 50000)] if paid else [])


@pytest.mark.parametrize("kind,started,months,paid", [
    ("individual", "2021-07-01", 6, True), ("micro_enterprise", "2022-06-30", 6, True),
    ("individual", "2022-07-01", 6, False),     # six months reached in 2023
    ("individual", "2021-06-30", 18, False),    # reached in 2021
    ("individual", "2021-08-01", 5, False), ("community_factory", "2021-07-01", 6, False),
])
def test_startup_grant_when_six_months_are_reached(kind, started, months, paid):
    m = member()
    doc = {"households": [hh(category="ordinary")], "members": [m],
           "startups": [{"id_number": m["id_number"], "kind": kind, "started_on": started, "operating_months": months}]}
    rows, _, _ = run(doc, as_of=AS_OF, document="lx2022-10", benefit="startup_grant")
    assert [r["amount"] for r in rows] == ([500000] if paid else [])
