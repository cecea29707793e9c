"""双发〔2022〕67号 (seed 001) clauses 5, 12, 14, 16, 18 (training institutions), 19 and 30 at their boundaries."""
import datetime as dt

import pytest

from fangpin.lib import creditcode

from .helpers import household, member, run, spell

AGENCY = creditcode.make("140603", "MA0000012")
SCHOOL = creditcode.make("140603", "MA0000018")


def amounts(rows):
    return [r["amount"] for r in rows]


# --- clause 5: courtyard economy, an up-to amount per household ---------------------------------------------------

@pytest.mark.parametrize("category,monitor_type,courtyard,paid", [
    ("lifted", None, True, True), ("monitored", "unstable", True, True), ("ordinary", None, True, False),
    ("lifted", None, False, False), ("lifted", None, None, False),
])
def test_courtyard_award_is_a_ceiling_per_household(category, monitor_type, courtyard, paid):
    doc = {"households": [household(category=category, monitor_type=monitor_type, courtyard_economy=courtyard)],
           "members": [member(), member(relation="spouse")]}
    rows, _, _ = run(doc, benefit="courtyard_economy_award")
    assert [(r["amount"], r["bound"], r["id_number"]) for r in rows] == ([(200000, "at_most", None)] if paid else [])


# --- clause 12: placement subsidy, paid to the agency per worker placed ---------------------------------------------

@pytest.mark.parametrize("place,contract,expected", [
    ("in_county", 6, 30000), ("in_county", 5, None), ("in_county", None, None),
    ("in_province_out_of_county", 12, 50000), ("in_province_out_of_county", 11, None),
    ("cross_province", 12, 80000), ("cross_province", 11, None), ("cross_province", 36, 80000),
])
def test_placement_subsidy_by_place_and_contract(place, contract, expected):
    m = member()
    doc = {"households": [household()], "members": [m],
           "employments": [spell(m, place, contract_months=contract, agency_credit_code=AGENCY)]}
    rows, _, _ = run(doc, benefit="job_placement_subsidy")
    got = [(r["credit_code"], r["id_number"], r["entity"], r["amount"], r["bound"]) for r in rows]
    assert got == ([(AGENCY, m["id_number"], "enterprise", expected, "at_most")] if expected else [])


def test_placement_subsidy_needs_an_agency_and_a_target_worker():
    a, b = member("H1"), member("H2")
    doc = {"households": [household("H1"), household("H2", "ordinary")], "members": [a, b],
           "employments": [spell(a, "cross_province", contract_months=12),
                           spell(b, "cross_province", contract_months=12, agency_credit_code=AGENCY)]}
    rows, _, _ = run(doc, benefit="job_placement_subsidy")
    assert rows == []


def test_placement_subsidy_once_per_worker_and_year_at_the_highest():
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [
        spell(m, "in_county", contract_months=6, agency_credit_code=AGENCY),
        spell(m, "cross_province", contract_months=12, agency_credit_code=AGENCY)]}
    rows, _, _ = run(doc, benefit="job_placement_subsidy")
    assert amounts(rows) == [80000]
    assert "介绍2025年跨省就业，劳动合同12个月，职业介绍补贴每人不超过800元" in rows[0]["explanation"]


# --- clause 14: public-welfare posts, a floor of half the minimum wage ------------------------------------------

@pytest.mark.parametrize("months,expected", [(0, None), (1, 88000), (12, 1056000)])
def test_public_welfare_post_floor(months, expected):
    m = member()
    doc = {"households": [household("H1", "ordinary")], "members": [m],
           "employments": [spell(m, "in_county", months=months, kind="public_welfare_post", wage_yuan=900,
                                 post_kind="employment_assistance", post_created_year=2022)]}
    rows, _, _ = run(doc, benefit="public_welfare_post_subsidy")
    assert [(r["amount"], r["bound"]) for r in rows] == ([(expected, "at_least")] if expected else [])


def test_public_welfare_post_floor_rounds_half_up_to_the_fen():
    m = member()
    doc = {"households": [household()], "members": [m],
           "employments": [spell(m, "in_county", months=1, kind="public_welfare_post",
                                 post_kind="employment_assistance", post_created_year=2022)]}
    rows, _, _ = run(doc, benefit="public_welfare_post_subsidy", changes={"minimum_wage_monthly": "1880.01"})
    assert amounts(rows) == [94001]  # 188001 fen / 2 = 94000.5 -> 94001
    rows, _, _ = run({**doc, "employments": [dict(doc["employments"][0], kind="wage_job")]},
                     benefit="public_welfare_post_subsidy")
    assert rows == []


# --- clause 16: returnee start-ups --------------------------------------------------------------------------------

def startup(m, started="2025-03-01", months=3, rent=None, returnee=True, kind="individual"):
    return {"id_number": m["id_number"], "kind": kind, "started_on": started, "operating_months": months,
            "yearly_rent": rent, "returnee": returnee}


@pytest.mark.parametrize("started,returnee,category,paid", [
    ("2025-01-01", True, "lifted", True), ("2025-12-31", True, "lifted", True), ("2024-12-31", True, "lifted", False),
    ("2025-03-01", False, "lifted", False), ("2025-03-01", None, "lifted", False), ("2025-03-01", True, "ordinary", False),
])
def test_startup_grant_in_the_year_of_opening(started, returnee, category, paid):
    m = member()
    doc = {"households": [household(category=category)], "members": [m],
           "startups": [startup(m, started, returnee=returnee)]}
    rows, _, _ = run(doc, benefit="returnee_startup_grant")
    assert amounts(rows) == ([500000] if paid else [])


@pytest.mark.parametrize("rent,expected", [(None, None), (0, None), (1, 1), (250000, 250000), (300000, 300000),
                                           (300001, 300000), (900000, 300000)])
def test_startup_rent_subsidy_is_the_rent_at_most_3000(rent, expected):
    m = member()
    doc = {"households": [household()], "members": [m], "startups": [startup(m, "2024-05-01", 20, rent)]}
    rows, _, _ = run(doc, benefit="returnee_startup_rent_subsidy")
    assert amounts(rows) == ([expected] if expected else [])


@pytest.mark.parametrize("started,months,operating", [
    ("2023-01-01", 24, True), ("2023-01-01", 23, False),   # reaches 2025-01-01 / stops at 2024-12-01
    ("2025-12-31", 0, True), ("2026-01-01", 1, False),
])
def test_startup_rent_subsidy_only_while_operating_in_the_year(started, months, operating):
    m = member()
    doc = {"households": [household()], "members": [m], "startups": [startup(m, started, months, 100000)]}
    rows, _, _ = run(doc, benefit="returnee_startup_rent_subsidy")
    assert bool(rows) == operating


# --- clause 18: training institutions ----------------------------------------------------------------------------

def trainee(m, kind="order", days=10, employed=True, institution=SCHOOL):
    return {"id_number": m["id_number"], "year": 2025, "kind": kind, "start_date": "2025-03-01", "days": days,
            "employed_after": employed, "institution_credit_code": institution}


def order_class(employed: int, trainees: int, days=10):
    ms = [member(f"H{i}") for i in range(trainees)]
    return {"households": [household(f"H{i}") for i in range(trainees)], "members": ms,
            "trainings": [trainee(m, days=days, employed=i < employed) for i, m in enumerate(ms)]}


@pytest.mark.parametrize("employed,trainees,paid", [(4, 5, True), (3, 5, False), (5, 5, True), (7, 9, False),
                                                    (8, 10, True)])
def test_order_training_needs_80_percent_employed(employed, trainees, paid):
    rows, _, _ = run(order_class(employed, trainees), benefit="order_training_subsidy")
    assert len(rows) == (trainees if paid else 0)
    assert all(r["credit_code"] == SCHOOL and r["amount"] == 150000 for r in rows)


@pytest.mark.parametrize("days,expected", [(1, 15000), (10, 150000), (11, 160000), (34, 390000), (35, 400000),
                                           (36, 400000), (90, 400000)])
def test_order_training_graduated_days_and_cap(days, expected):
    rows, _, _ = run(order_class(1, 1, days), benefit="order_training_subsidy")
    assert amounts(rows) == [expected]


def test_order_training_counts_the_class_per_institution():
    doc = order_class(4, 5)
    other = creditcode.make("140603", "MA0000020")
    doc["trainings"][4]["institution_credit_code"] = other  # the one without work trained elsewhere: 4 of 4 here
    rows, _, _ = run(doc, benefit="order_training_subsidy")
    assert sorted(r["credit_code"] for r in rows) == [SCHOOL] * 4
    assert "同类学员4人中就业4人（≥4/5）" in rows[0]["explanation"]


@pytest.mark.parametrize("kind,days,expected", [("outbound", 6, 90000), ("general", 6, 90000), ("outbound", 7, 100000),
                                                ("general", 30, 100000), ("skills", 6, None)])
def test_outbound_and_general_training(kind, days, expected):
    m = member()
    doc = {"households": [household()], "members": [m], "trainings": [trainee(m, kind, days)]}
    rows, _, _ = run(doc, benefit="outbound_training_subsidy")
    assert [(r["credit_code"], r["amount"]) for r in rows] == ([(SCHOOL, expected)] if expected else [])


def test_institution_subsidies_need_an_institution():
    m = member()
    doc = {"households": [household()], "members": [m], "trainings": [trainee(m, "outbound", 6, institution=None)]}
    assert run(doc, benefit="outbound_training_subsidy")[0] == []


# --- clause 19: disabled persons of poor households ------------------------------------------------------------

@pytest.mark.parametrize("grade,category,dibao,tekun,paid", [
    (4, "lifted", None, None, True), (1, "monitored", None, None, True), (None, "lifted", None, None, False),
    (2, "ordinary", None, None, False), (2, "ordinary", True, None, True), (2, "ordinary", None, True, True),
])
def test_disabled_practical_training(grade, category, dibao, tekun, paid):
    m = member(disability_grade=grade, tekun=tekun)
    hh = household(category=category, monitor_type="marginal" if category == "monitored" else None, dibao=dibao)
    doc = {"households": [hh], "members": [m],
           "trainings": [trainee(m, "disabled_practical", 5), trainee(m, "disabled_practical", 8)]}
    rows, _, _ = run(doc, benefit="disabled_practical_training_subsidy")
    assert amounts(rows) == ([150000] if paid else [])  # twice trained, once a year


@pytest.mark.parametrize("started,months,stable,paid", [
    ("2024-07-01", 6, True, True),
    ("2025-06-01", 1, True, True),     # the seed sets no months: “有稳定收入” is the fact (no 6-month test)
    ("2024-07-01", 30, False, False),  # no stable income verified
    ("2022-01-01", 12, True, False),   # not operating in the year any more (ended 2023-01-01)
])
def test_disabled_industry_support_needs_a_project_with_stable_income(started, months, stable, paid):
    """双发〔2022〕67号 19: 从事……又有稳定收入的……产业项目的，每人给予6000元."""
    m = member(disability_grade=3)
    doc = {"households": [household()], "members": [m],
           "startups": [dict(startup(m, started, months, returnee=False), stable_income=stable)]}
    rows, _, _ = run(doc, benefit="disabled_industry_support")
    assert amounts(rows) == ([600000] if paid else [])


# --- clause 30: the gap to the monitoring line --------------------------------------------------------------------

def income(number="H1", year=2025, wage=0, business=0, cost=0, prop=0, transfer=0):
    return {"household_number": number, "year": year, "wage": wage, "business_income": business,
            "business_cost": cost, "property_income": prop, "transfer_income": transfer}


def three_persons(*incomes, category="lifted"):
    return {"households": [household(category=category, monitor_type="unstable" if category == "monitored" else None)],
            "members": [member(), member(relation="spouse"), member(relation="child")], "incomes": list(incomes)}


@pytest.mark.parametrize("net_yuan,expected_fen", [
    (21000, None),          # 7000 per person: at the line, no gap
    (20999.99, 1),          # a fen below
    (15000, 600000),        # 5000 per person: 2000 × 3
    (-3000, 2400000),       # a business loss: net income below zero
])
def test_gap_to_the_line_times_persons(net_yuan, expected_fen):
    fen = round(net_yuan * 100)
    doc = three_persons(income(wage=fen + 50000, cost=50000))
    rows, _, _ = run(doc, benefit="income_gap_compensation", changes={"monitoring_line": 7000})
    assert amounts(rows) == ([expected_fen] if expected_fen else [])


def test_gap_explains_the_facts_and_sums_every_component():
    doc = three_persons(income(wage=600000, business=500000, cost=200000, prop=10000, transfer=90000),
                        category="monitored")
    rows, _, _ = run(doc, benefit="income_gap_compensation", changes={"monitoring_line": 7000})
    assert amounts(rows) == [1100000]  # net 10000 -> 21000 − 10000
    assert rows[0]["explanation"] == ("依据双发〔2022〕67号第30条：2025年家庭纯收入10000元，3人，人均3333.33元，"
                                      "低于省定防返贫监测标准7000元，按差额补偿11000元")


def test_gap_without_an_income_record_is_reported_not_paid():
    doc = three_persons(income(year=2024, wage=100))
    rows, ev, _ = run(doc, benefit="income_gap_compensation", changes={"monitoring_line": 7000}, evaluation=True)
    assert rows == []
    assert ev.unevaluable["reason"].to_list() == ["缺少家庭纯收入，无法计算防贫保险收入差额补偿（双发〔2022〕67号第30条）"]


def test_gap_for_ordinary_households_is_not_owed():
    rows, _, _ = run(three_persons(income(), category="ordinary"), benefit="income_gap_compensation",
                     changes={"monitoring_line": 7000})
    assert rows == []


def test_gap_needs_this_years_line():
    doc = three_persons(income(wage=100))
    rows, messages, _ = run(doc, benefit="income_gap_compensation")  # the file sets no line: the county does
    assert rows == []
    assert any("防贫保险收入差额补偿（第30条）：参数“省定防返贫监测标准指导线（家庭年人均纯收入；种子未写数额" in m
               and "在 2025-06-30 没有生效的取值" in m for m in messages)
    rows, _, _ = run(doc, benefit="income_gap_compensation", as_of=dt.date(2024, 12, 31),
                     changes={"monitoring_line": 6900})
    assert rows == []  # the 2024 line, but no 2024 income record
