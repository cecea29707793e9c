"""双发〔2022〕67号 (seed 001): each clause at its boundaries, through the exchange format."""
import datetime as dt

import pytest

from .helpers import household, member, run, spell


def amounts(rows):
    return [r["amount"] for r in rows]


# --- clause 10: transport subsidy -------------------------------------------------------------------------------

@pytest.mark.parametrize("place,expected", [
    ("cross_province", [150000]), ("in_province_out_of_county", [60000]), ("in_county", []),
])
def test_transport_by_place(place, expected):
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [spell(m, place)]},
                     benefit="transport_subsidy")
    assert amounts(rows) == expected


@pytest.mark.parametrize("category,monitor_type,paid", [
    ("lifted", None, True), ("monitored", "marginal", True), ("ordinary", None, False),
])
def test_transport_only_for_lifted_and_monitored(category, monitor_type, paid):
    m = member()
    rows, _, _ = run({"households": [household(category=category, monitor_type=monitor_type)], "members": [m],
                      "employments": [spell(m)]}, benefit="transport_subsidy")
    assert bool(rows) == paid


def test_transport_once_a_year_at_the_highest_place():
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [
        spell(m, "in_province_out_of_county", months=3), spell(m, "cross_province", months=2),
        spell(m, "cross_province", months=4)]}, benefit="transport_subsidy")
    assert amounts(rows) == [150000]
    assert rows[0]["explanation"] == ("依据双发〔2022〕67号第10条：2025年跨省务工（2025-01-01开始，按当年务工起始日有效的标准），"
                                      "每年一次性补贴不超过1500元")
    assert rows[0]["bound"] == "at_most"


def test_transport_counts_only_the_evaluated_year():
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [spell(m, year=2024)]},
                     benefit="transport_subsidy")
    assert rows == []


def test_outside_shuangnian_nothing_is_owed():
    m = member()
    rows, _, _ = run({"households": [household(village="610327100001")], "members": [m], "employments": [spell(m)]})
    assert rows == []


# --- clause 11: job-retention bonus ----------------------------------------------------------------------------

@pytest.mark.parametrize("months,paid", [(5, False), (6, True), (7, True)])
def test_retention_months_bound_is_inclusive(months, paid):
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [spell(m, months=months)]},
                     benefit="job_retention_bonus")
    assert amounts(rows) == ([120000] if paid else [])


@pytest.mark.parametrize("wage,paid", [(999.99, False), (1000, True), (1000.01, True)])
def test_retention_wage_bound_is_inclusive(wage, paid):
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [spell(m, wage_yuan=wage)]},
                     benefit="job_retention_bonus")
    assert amounts(rows) == ([120000] if paid else [])


def test_retention_needs_work_outside_the_county_and_is_paid_once():
    m = member()
    local = run({"households": [household()], "members": [m], "employments": [spell(m, "in_county", months=12)]},
                benefit="job_retention_bonus")[0]
    assert local == []
    twice = run({"households": [household()], "members": [m], "employments": [spell(m, months=7), spell(m, months=8)]},
                benefit="job_retention_bonus")[0]
    assert amounts(twice) == [120000]


def test_retention_explanation_reads_like_the_clause():
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "employments": [spell(m, months=7, wage_yuan=2500)]},
                     benefit="job_retention_bonus")
    assert rows[0]["explanation"] == (
        "依据双发〔2022〕67号第11条：连续外出务工7个月（≥6个月），月工资2500元（≥1000元），按每月200元补助6个月，计1200元"
        "（一次性待遇：本文件执行期内只享受一次，以前年度已发放的不再计算）")


# --- clause 18: training living allowance ----------------------------------------------------------------------

def training(m, days=10, kind="skills", year=2025):
    return {"id_number": m["id_number"], "year": year, "kind": kind, "start_date": f"{year}-03-01", "days": days}


@pytest.mark.parametrize("days,fen", [(0, None), (1, 1500), (30, 45000)])
def test_living_allowance_per_day(days, fen):
    m = member()
    rows, _, _ = run({"households": [household()], "members": [m], "trainings": [training(m, days)]},
                     benefit="training_living_allowance")
    assert amounts(rows) == ([fen] if fen else [])


def test_living_allowance_excludes_the_employed_and_other_trainings():
    m = member()
    employed = run({"households": [household()], "members": [m], "trainings": [training(m)],
                    "employments": [spell(m, "in_county", months=1)]}, benefit="training_living_allowance")[0]
    assert employed == []
    other = run({"households": [household()], "members": [m], "trainings": [training(m, kind="order")]},
                benefit="training_living_allowance")[0]
    assert other == []


# --- clause 7: land-fertility and grain subsidies ------------------------------------------------------------

@pytest.mark.parametrize("mu,fen", [("0.00", None), ("0.01", 67), ("8.50", 56950), ("100.00", 670000)])
def test_land_fertility_per_mu(mu, fen):
    rows, _, _ = run({"households": [household(contracted_land_mu=mu)], "members": [member()]},
                     benefit="land_fertility_subsidy")
    assert amounts(rows) == ([fen] if fen else [])


@pytest.mark.parametrize("mu,fen", [("0.01", 22), ("1.00", 2150), ("9.00", 19350), ("0.03", 65)])
def test_grain_subsidy_rounds_half_up_to_the_fen(mu, fen):
    # 21.5 yuan per mu: 0.01 mu = 21.5 fen -> 22; 0.03 mu = 64.5 fen -> 65
    # the 2022 issuance (双发〔2022〕67号 7: the standard of that year's one-time subsidy)
    rows, _, _ = run({"households": [household(grain_area_mu=mu)], "members": [member()]}, benefit="grain_subsidy",
                     as_of=dt.date(2022, 12, 31))
    assert amounts(rows) == [fen]


def test_land_subsidies_are_not_target_only():
    rows, _, _ = run({"households": [household(category="ordinary", contracted_land_mu="2.00")], "members": [member()]},
                     benefit="land_fertility_subsidy")
    assert amounts(rows) == [13400]


# --- clause 25: consumption voucher -------------------------------------------------------------------------------

@pytest.mark.parametrize("category,monitor_type,tekun,reason", [
    ("ordinary", None, True, "特困人员"),
    ("monitored", "sudden_hardship", False, "未消除风险监测对象"),
    ("monitored", "unstable", True, "特困人员、未消除风险监测对象"),
    ("lifted", None, False, None),
])
def test_voucher(category, monitor_type, tekun, reason):
    rows, _, _ = run({"households": [household(category=category, monitor_type=monitor_type)],
                      "members": [member(tekun=tekun)]}, benefit="consumption_voucher")
    if reason is None:
        assert rows == []
    else:
        assert amounts(rows) == [150000]
        assert rows[0]["explanation"].startswith(f"依据双发〔2022〕67号第25条：{reason}，每人1500元")
        assert '"shares": {"city": 3, "county": 2, "province": 5}' in rows[0]["funding"]


# 第25条 “向特困人员、未消除风险监测对象等困难群众发放每人1500元的‘爱心消费券’”: a monitored household whose risk the
# elimination procedure (村—乡镇—县) eliminated on or before the evaluation date is no longer 未消除风险; the county's
# approval takes effect on its day, so a household eliminated on the evaluation date itself gets no voucher.
@pytest.mark.parametrize("eliminated_on,paid", [
    (None, True),                       # risk not eliminated
    ("2025-06-29", False),              # eliminated before the evaluation date
    ("2025-06-30", False),              # eliminated on the evaluation date: eliminated that day
    ("2025-07-01", True),               # eliminated after it: still 未消除风险 on the date
])
def test_voucher_stops_when_the_risk_is_eliminated(eliminated_on, paid):
    rows, _, _ = run({"households": [household(category="monitored", monitor_type="marginal",
                                               risk_eliminated_on=eliminated_on)],
                      "members": [member(), member(relation="child")]}, as_of=dt.date(2025, 6, 30),
                     benefit="consumption_voucher")
    assert amounts(rows) == ([150000, 150000] if paid else [])
    if paid:
        assert rows[0]["explanation"].startswith("依据双发〔2022〕67号第25条：未消除风险监测对象，每人1500元")


def test_voucher_for_a_tekun_person_whatever_the_households_risk():
    """特困人员 qualify on their own: the household's risk being eliminated does not take the tekun member's voucher."""
    rows, _, _ = run({"households": [household(category="monitored", monitor_type="unstable",
                                               risk_eliminated_on="2025-01-10")],
                      "members": [member(tekun=True), member(relation="child")]}, benefit="consumption_voucher")
    assert amounts(rows) == [150000]
    assert rows[0]["explanation"].startswith("依据双发〔2022〕67号第25条：特困人员，每人1500元")


@pytest.mark.parametrize("benefit,facts", [
    ("transport_subsidy", {}), ("courtyard_economy_award", {"courtyard_economy": True}),
])
def test_eliminated_households_stay_monitored_households_for_the_other_clauses(benefit, facts):
    """“脱贫户和监测户” names the category, which the household keeps after elimination (see docs/policy-coverage.md)."""
    m = member()
    rows, _, _ = run({"households": [household(category="monitored", monitor_type="marginal",
                                               risk_eliminated_on="2025-01-10", **facts)],
                      "members": [m], "employments": [spell(m)]}, benefit=benefit)
    assert len(rows) == 1


# --- the document's dates ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,in_force", [
    (dt.date(2022, 8, 11), False), (dt.date(2022, 8, 12), True), (dt.date(2025, 12, 31), True), (dt.date(2026, 1, 1), False),
])
def test_effective_period(day, in_force):
    m = member()
    rows, messages, _ = run({"households": [household()], "members": [m], "employments": [spell(m, year=day.year)]},
                            as_of=day, benefit="transport_subsidy")
    assert bool(rows) == in_force
    assert any("不在有效期内" in m for m in messages) == (not in_force)
    if not in_force:
        assert "不在有效期内" in messages[0]


def test_dated_parameter_keeps_the_old_value():
    from fangpin.policies.catalog import load_catalog

    p = load_catalog()["sn2022-67"].parameters["transport_cross_province"]
    assert (p.value_on(dt.date(2022, 8, 11)), p.value_on(dt.date(2022, 8, 12))) == (800, 1500)
    assert p.value_on(dt.date(2020, 12, 31)) is None


# --- unevaluable data is reported, never paid ------------------------------------------------------------------

def test_person_of_a_missing_household_is_reported():
    m = member(number="H9")
    rows, _, problems = run({"households": [household()], "members": [member(), m], "employments": [spell(m)]})
    assert [p.key for p in problems] == [m["id_number"], m["id_number"]]
    assert all(r["id_number"] != m["id_number"] for r in rows)


# --- clause 20: employment-base tier award ---------------------------------------------------------------------

@pytest.mark.parametrize("workers,fen", [(29, None), (30, 5000000), (49, 5000000), (50, 10000000), (99, 10000000),
                                         (100, 25000000)])
def test_employment_base_tiers(workers, fen):
    from fangpin.lib import creditcode

    code = creditcode.make("140603", "MA0000011")
    doc = {"households": [], "members": [], "employments": [],
           "enterprises": [{"credit_code": code, "kind": "workshop", "division_code": "140603203200",
                            "base_level": "county", "base_certified_on": "2025-02-01", "total_employees": 300}]}
    for i in range(workers + 5):  # five ordinary workers never count
        doc["households"].append(household(f"E{i}", "monitored" if i % 2 else "lifted", "marginal" if i % 2 else None)
                                 if i < workers else household(f"E{i}", "ordinary"))
        m = member(f"E{i}")
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", employer_credit_code=code))
    rows, _, _ = run(doc, benefit="employment_base_tier_award")
    assert [r["amount"] for r in rows] == ([fen] if fen else [])


# --- clause 28: disabled college students ------------------------------------------------------------------------

@pytest.mark.parametrize("student,others,reason", [
    # a disabled student is a 残疾人大学生; 残疾人家庭子女 means another member is disabled
    ({"school_stage": "college", "disability_grade": 2}, [], "残疾人大学生"),
    ({"school_stage": "college"}, [{"disability_grade": 4}], "残疾人家庭子女大学生"),
    ({"school_stage": "college", "disability_grade": 1}, [], "残疾人大学生"),
    ({"school_stage": "college", "disability_grade": 1}, [{"disability_grade": 3}], "残疾人大学生"),
    ({"school_stage": "senior", "disability_grade": 2}, [], None),   # not at college
    ({"school_stage": "college"}, [{}], None),                       # nobody disabled
])
def test_disabled_student_grant(student, others, reason):
    kid = member(relation="child", **student)
    rows, _, _ = run({"households": [household(category="ordinary")],
                      "members": [member(**(others[0] if others else {})), kid]}, benefit="disabled_student_grant")
    if reason is None:
        assert rows == []
    else:
        assert [(r["id_number"], r["amount"]) for r in rows] == [(kid["id_number"], 500000)]
        assert rows[0]["explanation"].startswith(f"依据双发〔2022〕67号第28条：{reason}，")
