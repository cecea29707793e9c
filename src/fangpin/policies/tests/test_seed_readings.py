"""The readings of docs/policy-coverage.md, each a test that reads like its clause (issue 9: policy fidelity).

Every reading the coverage document states names its test; tests/test_docs.py checks that those tests exist."""
import datetime as dt
import re

import polars as pl
import pytest

from fangpin.lib import creditcode
from fangpin.policies import audit, catalog, engine, tables

from .helpers import household, member, payments_file, run, spell

SN = "140603203200"
LONG = "610327100001"
SCHOOL = creditcode.make("140603", "MA0000071")


def amounts(rows):
    return [r["amount"] for r in rows]


def granted(*rows):
    """Earlier payments, as the payments file or the payments ledger gives them."""
    schema = {"benefit_id": pl.String, "household_number": pl.String, "id_number": pl.String, "credit_code": pl.String,
              "year": pl.Int64}
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)


def evaluate(doc, as_of, document="sn2022-67", benefit=None, paid=None, changes=None):
    rows, messages, _ = run(doc, as_of=as_of, document=document, benefit=benefit, changes=changes, paid=paid)
    return rows, messages


# --- 1. cl.25 “未消除风险监测对象” --------------------------------------------------------------------------------

@pytest.mark.parametrize("eliminated_on,owed", [
    (None, True), ("2025-06-29", False), ("2025-06-30", False), ("2025-07-01", True),
])
def test_cl25_voucher_is_for_monitored_households_whose_risk_is_not_eliminated(eliminated_on, owed):
    """向特困人员、未消除风险监测对象等困难群众发放: once the county has eliminated the risk (that day included), a
    monitored household is no longer owed the voucher, although it keeps the category 监测户."""
    doc = {"households": [household(category="monitored", monitor_type="marginal", risk_eliminated_on=eliminated_on)],
           "members": [member()]}
    rows, _, _ = run(doc, benefit="consumption_voucher")
    assert amounts(rows) == ([150000] if owed else [])


# --- 2. cl.14 the floor of the 2022 employment-assistance posts ------------------------------------------------------

@pytest.mark.parametrize("post_kind,created,floor", [
    ("employment_assistance", 2022, True),
    ("employment_assistance", 2021, False),   # “2022年新增的”
    ("employment_assistance", 2023, False),
    ("village", 2022, False),                  # cl.13: a village post paid from PV income has no floor
    ("one_household_one_post", 2022, False),
    (None, None, False),                       # the kind of post not known: no floor is assumed
])
def test_cl14_floor_only_for_employment_assistance_posts_created_in_2022(post_kind, created, floor):
    """2022年新增的就业帮扶公益岗位……岗位补贴标准不低于最低工资标准的50%，由就业补助资金列支."""
    m = member()
    doc = {"households": [household(category="ordinary")], "members": [m],
           "employments": [spell(m, "in_county", months=12, kind="public_welfare_post", wage_yuan=400,
                                 post_kind=post_kind, post_created_year=created)]}
    rows, _, _ = run(doc, benefit="public_welfare_post_subsidy")
    assert [(r["amount"], r["bound"]) for r in rows] == ([(1056000, "at_least")] if floor else [])


def test_cl14_post_kind_and_year_belong_to_public_welfare_posts_only():
    from fangpin.registry import rules

    assert rules.employment_problems(start_date=None, end_date=None, kind="wage_job", post_kind="village") == [
        ("post_kind", "只有就业类型为公益岗位时才填写公益岗位类别")]
    assert rules.employment_problems(start_date=None, end_date=None, kind="public_welfare_post",
                                     post_created_year=2024, year=2023) == [
        ("post_created_year", "岗位设立年度2024晚于就业记录的年度2023")]
    assert rules.employment_problems(start_date=None, end_date=None, kind="public_welfare_post",
                                     post_kind="village", post_created_year=2023, year=2023) == []


# --- 3, 10. one-time benefits: once per person over the document's period -------------------------------------------

def student():
    return member(school_stage="college", disability_grade=2)


def test_cl28_student_grant_is_once_per_person_across_years():
    """在读期间……给予5000元一次性资助: paid in 2023, not owed again in 2024 or 2025."""
    s = student()
    doc = {"households": [household(category="ordinary")], "members": [s]}
    rows, _ = evaluate(doc, dt.date(2023, 9, 30), benefit="disabled_student_grant")
    assert amounts(rows) == [500000]
    paid = granted({"benefit_id": "disabled_student_grant", "household_number": "H1", "id_number": s["id_number"],
                    "year": 2023})
    for year in (2024, 2025):
        rows, messages = evaluate(doc, dt.date(year, 9, 30), benefit="disabled_student_grant", paid=paid)
        assert rows == []
        assert f"扶残助学一次性资助（第28条）：1个对象已于以前年度享受（一次性待遇），{year}年度不再计算" in messages
    # not yet paid: still owed (once)
    rows, _ = evaluate(doc, dt.date(2024, 9, 30), benefit="disabled_student_grant", paid=granted())
    assert amounts(rows) == [500000]
    # a payment of a year before the document's period is not a grant under it
    old = granted({"benefit_id": "disabled_student_grant", "id_number": s["id_number"], "year": 2021})
    assert amounts(evaluate(doc, dt.date(2024, 9, 30), benefit="disabled_student_grant", paid=old)[0]) == [500000]


def test_cl28_audit_counts_payments_of_earlier_years_for_a_one_time_grant(tmp_path):
    """The audit of 2024 sees the 2023 payment: the grant is not missed, and a second payment is a duplicate."""
    s = student()
    doc = {"households": [household(category="ordinary")], "members": [s]}
    cat = catalog.load_catalog()["sn2022-67"]
    owed, _ = evaluate(doc, dt.date(2024, 9, 30))
    owed = pl.DataFrame(owed, schema=engine.RESULT_SCHEMA)

    def pay(*years):
        return [{"benefit_id": "disabled_student_grant", "household_number": "H1", "id_number": s["id_number"],
                 "year": y, "amount": 500000, "reference": f"P{y}"} for y in years]

    def findings(rows):
        paid, problems = audit.read_payments(payments_file(tmp_path, rows), cat)
        assert problems == []
        return [(r["finding"], r["reason"]) for r in audit.audit(cat, owed, paid, 2024).iter_rows(named=True)
                if r["benefit_id"] == "disabled_student_grant"]

    assert findings(pay()) == [("应享未享", "应享5000元，未发放")]
    assert findings(pay(2023)) == []                       # paid the year before: received
    assert findings(pay(2024)) == []                       # paid this year
    assert findings(pay(2023, 2024)) == [("重复享受", "一次性待遇已于2023年、2024年发放，共2次、10000元（凭证：P2023、P2024）")]
    assert findings(pay(2022, 2023)) == []                 # a duplicate of 2023: 2023's audit reports it, not 2024's


def test_cl11_retention_bonus_is_one_time_not_yearly():
    """按照每人每月200元的标准给予一次性稳岗奖补，连续补助6个月 (no “每年”, unlike cl.10)."""
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [spell(m, months=7, year=2024)]}
    assert amounts(evaluate(doc, dt.date(2024, 9, 30), benefit="job_retention_bonus")[0]) == [120000]
    doc25 = {**doc, "employments": [spell(m, months=7, year=2025)]}
    paid = granted({"benefit_id": "job_retention_bonus", "household_number": "H1", "id_number": m["id_number"],
                    "year": 2024})
    assert evaluate(doc25, dt.date(2025, 9, 30), benefit="job_retention_bonus", paid=paid)[0] == []
    # the transport subsidy of cl.10 is “每年”: owed again
    assert amounts(evaluate(doc25, dt.date(2025, 9, 30), benefit="transport_subsidy", paid=paid)[0]) == [150000]


def test_cl25_voucher_is_one_time():
    """针对疫情影响……发放每人1500元的“爱心消费券” (no “每年”): one voucher a person over the period."""
    t = member(tekun=True)
    doc = {"households": [household(category="ordinary")], "members": [t]}
    assert amounts(evaluate(doc, dt.date(2022, 10, 1), benefit="consumption_voucher")[0]) == [150000]
    paid = granted({"benefit_id": "consumption_voucher", "household_number": "H1", "id_number": t["id_number"],
                    "year": 2022})
    assert evaluate(doc, dt.date(2023, 10, 1), benefit="consumption_voucher", paid=paid)[0] == []


def test_cl7_grain_subsidy_is_that_years_issuance():
    """提高实际种粮农民一次性补贴标准，中央亩均补贴15.6元，省级亩均增加补贴5.9元: the standard of 2022's issuance;
    later years' standards come from later notices, set by the county (not carried over)."""
    doc = {"households": [household(grain_area_mu="10.00")], "members": [member()]}
    assert amounts(evaluate(doc, dt.date(2022, 12, 31), benefit="grain_subsidy")[0]) == [21500]
    rows, messages = evaluate(doc, dt.date(2023, 6, 30), benefit="grain_subsidy")
    assert rows == [] and any("实际种粮农民一次性补贴（第7条）" in m and "没有生效的取值" in m for m in messages)
    rows, _ = evaluate(doc, dt.date(2023, 6, 30), benefit="grain_subsidy",
                       changes={"grain_central_per_mu": 16, "grain_province_per_mu": 6})
    assert amounts(rows) == [22000]
    # the yearly land fertility subsidy (“继续落实”) is owed every year
    assert amounts(evaluate({**doc, "households": [household(contracted_land_mu="1.00")]}, dt.date(2023, 6, 30),
                            benefit="land_fertility_subsidy")[0]) == [6700]


def test_cl20_absorption_subsidy_is_once_per_enterprise():
    """享受一次性吸纳就业补助政策: an enterprise paid in 2023 is not owed it again in 2024."""
    code = creditcode.make("140603", "MA0000072")
    ms = [member(f"A{i}") for i in range(4)]
    doc = {"households": [household(f"A{i}") for i in range(4)], "members": ms,
           "employments": [spell(m, "in_county", employer_credit_code=code, year=2024) for m in ms],
           "enterprises": [{"credit_code": code, "name": "厂", "kind": "employer", "division_code": SN,
                            "total_employees": 10, "labor_intensive": True}]}
    changes = {"absorption_per_worker": 1000, "absorption_min_employees": 10}
    rows, _ = evaluate(doc, dt.date(2024, 9, 30), benefit="absorption_subsidy", changes=changes)
    assert amounts(rows) == [400000]
    paid = granted({"benefit_id": "absorption_subsidy", "credit_code": code, "year": 2023})
    assert evaluate(doc, dt.date(2024, 9, 30), benefit="absorption_subsidy", changes=changes, paid=paid)[0] == []


# --- 4. cl.16 one start-up grant per person ----------------------------------------------------------------------

def startup(m, started, months=3, rent=None):
    return {"id_number": m["id_number"], "kind": "individual", "started_on": started, "operating_months": months,
            "yearly_rent": rent, "returnee": True}


def test_cl16_startup_grant_total_is_per_person():
    """一次性创业补贴总额提高到5000元: two start-ups in a year give 5000, and a start-up the next year nothing more."""
    m = member()
    doc = {"households": [household()], "members": [m],
           "startups": [startup(m, "2024-03-01"), startup(m, "2024-09-01")]}
    rows, _ = evaluate(doc, dt.date(2024, 12, 31), benefit="returnee_startup_grant")
    assert amounts(rows) == [500000]
    later = {**doc, "startups": doc["startups"] + [startup(m, "2025-04-01")]}
    paid = granted({"benefit_id": "returnee_startup_grant", "household_number": "H1", "id_number": m["id_number"],
                    "year": 2024})
    assert evaluate(later, dt.date(2025, 12, 31), benefit="returnee_startup_grant", paid=paid)[0] == []


def test_cl16_rent_subsidy_cap_is_per_person_and_year():
    """创业场租补贴提高到每年3000元: two premises of one person share the 3000 of the year."""
    m = member()
    doc = {"households": [household()], "members": [m],
           "startups": [startup(m, "2024-03-01", 30, 200000), startup(m, "2024-05-01", 30, 200000)]}
    rows, _ = evaluate(doc, dt.date(2024, 12, 31), benefit="returnee_startup_rent_subsidy")
    assert amounts(rows) == [200000, 100000]
    assert rows[1]["explanation"].endswith("；每人每年不超过3000元，本人本年度此前各行已计2000元，本行计1000元")
    # the next year: 3000 again (the cap is per year)
    assert sum(amounts(evaluate(doc, dt.date(2025, 6, 30), benefit="returnee_startup_rent_subsidy")[0])) == 300000


# --- 5. cl.18 per-person caps across trainings --------------------------------------------------------------------

def trainee(m, kind, days, start, employed=True):
    return {"id_number": m["id_number"], "year": int(start[:4]), "kind": kind, "start_date": start, "days": days,
            "employed_after": employed, "institution_credit_code": SCHOOL}


@pytest.mark.parametrize("kind,days,expected", [
    # order: 10 days × 150 + 20 × 100 = 3500 each; 每人不超过4000元 for the two together
    ("order", 30, [350000, 50000]),
    ("order", 10, [150000, 150000]),      # 1500 + 1500: under the cap
    ("outbound", 5, [75000, 25000]),      # 750 + 750 -> 750 + 250: 每人最高补贴1000元
    ("general", 7, [100000]),             # the first reaches 1000 (capped from 1050); the second is owed nothing
])
def test_cl18_per_person_caps_sum_the_persons_trainings(kind, days, expected):
    m = member()
    doc = {"households": [household()], "members": [m],
           "trainings": [trainee(m, kind, days, "2025-03-01"), trainee(m, kind, days, "2025-09-01")]}
    rows, _ = evaluate(doc, dt.date(2025, 12, 31), benefit=f"{'order' if kind == 'order' else 'outbound'}_training_subsidy")
    assert amounts(rows) == expected
    assert all(r["credit_code"] == SCHOOL and r["id_number"] == m["id_number"] for r in rows)


# --- 6. 陇县 cl.3 labour-intensive community factories with stable employment -------------------------------------

FACTORY = creditcode.make("610327", "MA0000073")


def factory_doc(lifted_months: int, lifted=7, labor_intensive=True, total=21):
    doc = {"households": [], "members": [], "employments": [],
           "enterprises": [{"credit_code": FACTORY, "name": "社区工厂", "kind": "community_factory", "division_code": LONG,
                            "base_certified_on": "2023-03-01", "total_employees": total,
                            "labor_intensive": labor_intensive}]}
    for i in range(lifted):
        doc["households"].append(household(f"F{i}", village=LONG))
        m = member(f"F{i}")
        doc["members"].append(m)
        doc["employments"].append(spell(m, "in_county", months=lifted_months, year=2023, employer_credit_code=FACTORY))
    return doc


@pytest.mark.parametrize("months,labor_intensive,paid", [
    (6, True, True),      # 稳定就业: six months at the factory (cl.2 “稳定就业6个月以上”), inclusive
    (5, True, False),
    (1, True, False),     # seven lifted workers of one month each are not 稳定就业
    (12, False, False),   # “劳动密集型社区工厂”
])
def test_lx3_community_factory_needs_labour_intensity_and_stable_employment(months, labor_intensive, paid):
    """创办劳动密集型社区工厂，吸纳劳动力不少于20人，其中吸纳脱贫劳动力稳定就业达到总用工人数1/3以上."""
    doc = factory_doc(months, labor_intensive=labor_intensive)
    rows, _ = evaluate(doc, dt.date(2023, 9, 30), document="lx2022-10")
    got = {str(r["benefit_id"]): r["amount"] for r in rows}
    assert got.get("community_factory_post_subsidy") == (1400000 if paid else None)


# --- 9. cl.10 the standard in force when the spell starts --------------------------------------------------------

@pytest.mark.parametrize("place,start,expected", [
    ("cross_province", "2022-08-11", 80000), ("cross_province", "2022-08-12", 150000),
    ("in_province_out_of_county", "2022-08-11", 30000), ("in_province_out_of_county", "2022-08-12", 60000),
    ("cross_province", "2022-01-03", 80000),
])
def test_cl10_a_spell_is_paid_the_standard_in_force_when_it_started(place, start, expected):
    """本措施自印发之日起实施: a spell that began before 12 August 2022 is paid the former ceiling (800/300)."""
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [dict(spell(m, place, year=2022), start_date=start)]}
    rows, _ = evaluate(doc, dt.date(2022, 12, 31), benefit="transport_subsidy")
    assert [(r["amount"], r["bound"]) for r in rows] == [(expected, "at_most")]
    assert f"（{start}开始，按当年务工起始日有效的标准）" in rows[0]["explanation"]


def test_cl10_the_higher_of_two_spells_of_the_year():
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [
        dict(spell(m, "cross_province", year=2022), start_date="2022-02-01"),
        dict(spell(m, "in_province_out_of_county", year=2022), start_date="2022-09-01")]}
    assert amounts(evaluate(doc, dt.date(2022, 12, 31), benefit="transport_subsidy")[0]) == [80000]


# --- 11. cl.18 “未实现就业” on the day the training starts ----------------------------------------------------------

@pytest.mark.parametrize("spells,paid", [
    ([], True),
    ([("2025-05-01", None)], True),             # found work after the training: the point of it
    ([("2025-01-01", "2025-02-28")], True),     # had stopped working before
    ([("2025-01-01", None)], False),            # in work when it started
    ([("2025-03-01", "2025-03-01")], False),    # began work that very day
    ([("2024-10-01", None, 2024)], False),      # a spell of last year, not ended
])
def test_cl18_living_allowance_judges_unemployment_when_the_training_starts(spells, paid):
    """对有培训意愿且未实现就业的……培训期间每人每天给予15元生活费补贴."""
    m = member()
    employments = [dict(spell(m, "in_county", year=s[2] if len(s) > 2 else 2025), start_date=s[0], end_date=s[1])
                   for s in spells]
    doc = {"households": [household()], "members": [m], "employments": employments,
           "trainings": [{"id_number": m["id_number"], "year": 2025, "kind": "skills", "start_date": "2025-03-01",
                          "days": 10}]}
    rows, _ = evaluate(doc, dt.date(2025, 12, 31), benefit="training_living_allowance")
    assert amounts(rows) == ([15000] if paid else [])


# --- 12. cl.6 “优先支持” is a priority ---------------------------------------------------------------------------

def test_cl6_greenhouses_of_a_non_driving_cooperative_are_subsidised():
    """优先支持带动脱贫户和监测户的农民合作社……新建日光温室每亩补助3万元: priority, not a condition; the breeding-pig
    subsidy's “对带动脱贫户和监测户的” is one."""
    code = creditcode.make("140603", "MA0000074")
    doc = {"households": [household()], "members": [member()],
           "enterprises": [{"credit_code": code, "name": "合作社", "kind": "cooperative", "division_code": SN,
                            "declared_year": 2025, "drives_target": False, "new_greenhouse_mu": "1.00",
                            "breeding_pigs": 10}]}
    rows, _ = evaluate(doc, dt.date(2025, 6, 30))
    got = {str(r["benefit_id"]): r["amount"] for r in rows}
    assert got.get("greenhouse_new_subsidy") == 3000000 and "breeding_pig_subsidy" not in got


# --- 13. cl.30 the provincial line is set by the county -------------------------------------------------------------

def test_cl30_the_catalog_holds_no_invented_line():
    line = catalog.load_catalog()["sn2022-67"].parameters["monitoring_line"]
    assert line.values == () and line.per_year and "由县" in line.label


# --- 15. 忻州 六 重病患者 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ill,paid", [(True, True), (False, False)])
def test_xz6_seriously_ill_members_of_dibao_households(ill, paid):
    """对农村低保家庭中的老年人、未成年人、重度残疾人、重病患者等特困对象……提高救助水平."""
    m = member(id_number=None, serious_illness=ill)  # born 1985: neither old nor young, not disabled
    doc = {"households": [household(village="140902001001", dibao=True)], "members": [m]}
    rows, _ = evaluate(doc, dt.date(2020, 6, 30), document="xz2020-6", changes={"dibao_standard_monthly": 600})
    assert amounts(rows) == ([36000] if paid else [])
    if paid:
        assert "重病患者" in rows[0]["explanation"]


# --- 16. funding: only what the seed names --------------------------------------------------------------------------

def test_funding_sources_are_the_seeds_words_or_unstated():
    """A source of funds is quoted from the clause (就业补助资金, 省级彩票公益金 ...) or is 未规定."""
    for doc in catalog.load_catalog().values():
        for b in doc.benefits:
            f = b.funding
            if "source" in f:
                assert f["source"] == catalog.UNSTATED_FUNDING or f["source"] in b.quote, (doc.id, b.id, f)
            if "shares" in f:
                assert ":".join(str(v) for v in f["shares"].values()) in b.quote, (doc.id, b.id)
            if "split_by_rate" in f:
                assert "中央" in b.quote and "省级" in b.quote, (doc.id, b.id)


# --- 8. ceilings are stated as ceilings -------------------------------------------------------------------------------

def test_every_up_to_clause_is_a_ceiling():
    """“不超过”“最高” in a clause whose amount is the standard itself make the amount a ceiling (bound at_most)."""
    for doc in catalog.load_catalog().values():
        for b in doc.benefits:
            amount_words = re.search(r"(最高不超过|每户奖补不超过|每年不超过\d+元的|每人不超过)", b.quote)
            if amount_words and b.amount.cap is None:
                assert b.amount.bound == "at_most", (doc.id, b.id)


# --- found by the review: audits of instalments, moves and agencies; spells across years ------------------------------

def audit_of(tmp_path, doc, as_of, rows, document="sn2022-67"):
    cat = catalog.load_catalog()[document]
    owed, _ = evaluate(doc, as_of, document=document)
    paid, problems = audit.read_payments(payments_file(tmp_path, rows), cat)
    assert problems == [], [p.reason for p in problems]
    found = audit.audit(cat, pl.DataFrame(owed, schema=engine.RESULT_SCHEMA), paid, as_of.year)
    return [(r["finding"], r["benefit_id"], r["reason"]) for r in found.iter_rows(named=True)]


def test_cl12_payments_to_an_agency_per_person_are_read_and_matched(tmp_path):
    agency = creditcode.make("140603", "MA0000075")
    m = member()
    doc = {"households": [household()], "members": [m],
           "employments": [spell(m, "cross_province", contract_months=12, agency_credit_code=agency)]}
    row = {"benefit_id": "job_placement_subsidy", "household_number": "H1", "id_number": m["id_number"],
           "credit_code": agency, "year": 2025, "amount": 80000}
    assert [f for f in audit_of(tmp_path, doc, dt.date(2025, 6, 30), [row]) if f[1] == "job_placement_subsidy"] == []


def test_cl25_a_one_time_benefit_follows_the_person_to_a_new_household(tmp_path):
    t = member("H2", tekun=True)
    doc = {"households": [household("H2", category="ordinary")], "members": [t]}  # moved from H1 to H2
    first = {"benefit_id": "consumption_voucher", "household_number": "H1", "id_number": t["id_number"], "year": 2022,
             "amount": 150000, "reference": "V22"}
    assert audit_of(tmp_path, doc, dt.date(2023, 10, 1), [first]) == []           # received in H1: not missed
    again = dict(first, household_number="H2", year=2023, reference="V23")
    assert audit_of(tmp_path, doc, dt.date(2023, 10, 1), [first, again]) == [
        ("重复享受", "consumption_voucher", "一次性待遇已于2022年、2023年发放，共2次、3000元（凭证：V22、V23）")]


def test_cl11_and_cl14_instalments_are_compared_as_the_years_total(tmp_path):
    """每人每月200元……连续补助6个月 and a post's pay are paid monthly: six payments are not six duplicates."""
    m, p = member("H1"), member("H2")
    doc = {"households": [household("H1"), household("H2")], "members": [m, p], "employments": [
        spell(m, months=7), spell(p, "in_county", months=12, kind="public_welfare_post",
                                  post_kind="employment_assistance", post_created_year=2022)]}
    def monthly(person, benefit, fen, n):
        return [{"benefit_id": benefit, "household_number": person["household_number"], "id_number": person["id_number"],
                 "year": 2025, "amount": fen, "reference": f"M{i}"} for i in range(n)]
    transport = [{"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"],
                  "year": 2025, "amount": 150000}]
    ok = monthly(m, "job_retention_bonus", 20000, 6) + monthly(p, "public_welfare_post_subsidy", 90000, 12)
    assert audit_of(tmp_path, doc, dt.date(2025, 12, 31), ok + transport) == []
    low = monthly(m, "job_retention_bonus", 20000, 6) + monthly(p, "public_welfare_post_subsidy", 50000, 12)
    assert audit_of(tmp_path, doc, dt.date(2025, 12, 31), low + transport) == [
        ("应享未享", "public_welfare_post_subsidy", "低于下限：应不低于10560元，共发放12次、6000元")]
    over = monthly(m, "job_retention_bonus", 20000, 7) + monthly(p, "public_welfare_post_subsidy", 90000, 12)
    found = audit_of(tmp_path, doc, dt.date(2025, 12, 31), over + transport)
    assert [(f[0], f[1]) for f in found] == [("重复享受", "job_retention_bonus")]
    assert found[0][2].startswith("同一待遇同一年度发放7次，共1400元（应享1200元")


def test_cl14_floor_counts_the_months_in_post_in_the_year():
    m = member()
    post = dict(spell(m, "in_county", year=2023, months=22, kind="public_welfare_post",
                      post_kind="employment_assistance", post_created_year=2022), start_date="2022-03-01")
    doc = {"households": [household()], "members": [m], "employments": [post]}
    rows, _ = evaluate(doc, dt.date(2023, 12, 31), benefit="public_welfare_post_subsidy")
    assert amounts(rows) == [12 * 88000] and "2023年在岗12个月" in rows[0]["explanation"]
    ended = dict(post, end_date="2023-05-31", months=15)
    assert amounts(evaluate({**doc, "employments": [ended]}, dt.date(2023, 12, 31),
                            benefit="public_welfare_post_subsidy")[0]) == [5 * 88000]


@pytest.mark.parametrize("start,year,expected", [
    ("2021-05-01", 2024, 150000),   # a spell begun before the raise, the next years: that year's standard
    ("2020-03-01", 2024, 150000),
    ("2021-05-01", 2022, 80000),    # in 2022 it began before 12 August: the former standard
])
def test_cl10_a_spell_continuing_into_a_later_year_gets_that_years_standard(start, year, expected):
    m = member()
    doc = {"households": [household()], "members": [m],
           "employments": [dict(spell(m, year=year), start_date=start)]}
    assert amounts(evaluate(doc, dt.date(year, 12, 31), benefit="transport_subsidy")[0]) == [expected]


def test_cl10_a_what_if_changes_every_row_of_the_year():
    from decimal import Decimal

    from fangpin.policies import simulate

    m = member()
    doc = {"households": [household()], "members": [m],
           "employments": [dict(spell(m, year=2023), start_date="2022-10-01")]}
    built, _ = tables.build(tables.from_document(doc), year=2023, as_of=dt.date(2023, 6, 30))
    out = simulate.compare(catalog.load_catalog()["sn2022-67"], built, as_of=dt.date(2023, 6, 30),
                           changes={"transport_cross_province": Decimal(2000)})
    t = next(r for r in out["benefit"].iter_rows(named=True) if r["benefit_name"] == "务工就业交通补贴")
    assert (t["baseline"], t["scenario"]) == (150000, 200000)


def test_cl18_caps_count_trainings_in_the_order_they_happened():
    m = member()
    doc = {"households": [household()], "members": [m],
           "trainings": [trainee(m, "order", 30, "2025-09-01"), trainee(m, "order", 30, "2025-03-01")]}
    rows, _ = evaluate(doc, dt.date(2025, 12, 31), benefit="order_training_subsidy")
    assert [(r["amount"], r["explanation"].endswith("本行计500元")) for r in rows] == [(350000, False), (50000, True)]


def test_cl12_a_placement_is_paid_in_the_year_the_job_began():
    agency = creditcode.make("140603", "MA0000076")
    m = member()
    placed = dict(spell(m, "cross_province", contract_months=24, agency_credit_code=agency, year=2023),
                  start_date="2022-09-01")
    doc = {"households": [household()], "members": [m], "employments": [placed]}
    assert evaluate(doc, dt.date(2023, 12, 31), benefit="job_placement_subsidy")[0] == []
    doc22 = {**doc, "employments": [dict(placed, year=2022)]}
    assert amounts(evaluate(doc22, dt.date(2022, 12, 31), benefit="job_placement_subsidy")[0]) == [80000]


@pytest.mark.parametrize("year,months,owed", [(2022, 8, True), (2023, 20, False), (2023, 9, True)])
def test_lx2_placement_is_paid_in_the_year_the_job_became_stable(year, months, owed):
    """对职介机构……按照实际介绍就业人数 (稳定就业): once, in the year the sixth month is reached."""
    agency = creditcode.make("610327", "MA0000077")
    m = member()
    spell_ = dict(spell(m, "in_county", year=year, months=months, agency_credit_code=agency),
                  start_date="2022-03-01" if months != 9 else "2023-04-01")
    doc = {"households": [household(village=LONG)], "members": [m], "employments": [spell_]}
    rows, _ = evaluate(doc, dt.date(year, 12, 31), document="lx2022-10", benefit="job_placement_subsidy")
    assert amounts(rows) == ([50000] if owed else [])


@pytest.mark.parametrize("certified", [None, "2025-05-01", "2024-02-01"])
def test_lx5_later_years_award_needs_an_earlier_certification(certified):
    code = creditcode.make("610327", "MA0000078")
    m = member()
    doc = {"households": [household(village=LONG)], "members": [m],
           "employments": [spell(m, "in_county", year=2024, employer_credit_code=code)],
           "enterprises": [{"credit_code": code, "name": "基地", "kind": "workshop", "division_code": LONG,
                            "base_level": "city", "base_certified_on": certified}]}
    rows, _ = evaluate(doc, dt.date(2024, 12, 31), document="lx2022-10", benefit="employment_base_award_new_workers")
    assert rows == []  # 2024 is its certification year, or it is not certified yet, or not at all


def test_cl16_a_startup_before_the_document_gets_no_raised_grant():
    """一次性创业补贴总额提高到5000元 applies from the document's issuance (2022-08-12)."""
    m = member()
    for started, owed in (("2022-08-11", []), ("2022-08-12", [500000])):
        doc = {"households": [household()], "members": [m], "startups": [startup(m, started)]}
        assert amounts(evaluate(doc, dt.date(2022, 12, 31), benefit="returnee_startup_grant")[0]) == owed


# --- found by the second review -------------------------------------------------------------------------------------

def test_lx2_placement_counts_months_before_the_year_from_the_spells_start():
    """A spell begun 2022-05-01 was stable (6 months) in 2022; its 2023 row, written mid-year with 14 months, is not a
    new placement."""
    agency = creditcode.make("610327", "MA0000079")
    m = member()
    row = dict(spell(m, "in_county", year=2023, months=14, agency_credit_code=agency), start_date="2022-05-01")
    doc = {"households": [household(village=LONG)], "members": [m], "employments": [row]}
    assert evaluate(doc, dt.date(2023, 6, 30), document="lx2022-10", benefit="job_placement_subsidy")[0] == []
    first = {**doc, "employments": [dict(row, year=2022, months=8)]}
    assert amounts(evaluate(first, dt.date(2022, 12, 31), document="lx2022-10", benefit="job_placement_subsidy")[0]) \
        == [50000]


def test_cl14_a_spell_without_dates_counts_at_most_twelve_months():
    from fangpin.policies.tables import BasisTables

    households = pl.DataFrame({"hid": pl.Series([0], dtype=pl.UInt32), "household_number": ["H1"],
                               "household.village_code": pl.Series([SN]).cast(pl.Categorical),
                               "household.category": pl.Series(["lifted"]).cast(pl.Categorical)})
    persons = pl.DataFrame({"pid": pl.Series([0], dtype=pl.UInt32), "hid": pl.Series([0], dtype=pl.UInt32),
                            "id_number": [member()["id_number"]], "household_number": ["H1"]})
    spells = pl.DataFrame({"pid": pl.Series([0], dtype=pl.UInt32), "kind": ["public_welfare_post"],
                           "post_kind": ["employment_assistance"], "post_created_year": [2022], "months": [22],
                           "place": ["in_county"], "monthly_wage": [90000]})
    built = BasisTables.keyed(households, persons, spells, as_of=dt.date(2023, 12, 31))
    cat = catalog.load_catalog()["sn2022-67"]
    rows = engine.evaluate(cat, built, as_of=dt.date(2023, 12, 31)).results
    rows = rows.filter(pl.col("benefit_id").cast(pl.String) == "public_welfare_post_subsidy")
    assert rows["amount"].to_list() == [12 * 88000]


def test_cl18_this_years_record_of_a_spell_replaces_last_years_open_one():
    m = member()
    last = dict(spell(m, "in_county", year=2024, months=3), start_date="2024-10-01")
    this = dict(spell(m, "in_county", year=2025, months=4), start_date="2024-10-01", end_date="2025-01-31")
    doc = {"households": [household()], "members": [m], "employments": [last, this],
           "trainings": [{"id_number": m["id_number"], "year": 2025, "kind": "skills", "start_date": "2025-03-01",
                          "days": 10}]}
    assert amounts(evaluate(doc, dt.date(2025, 12, 31), benefit="training_living_allowance")[0]) == [15000]


def test_a_yearly_benefit_follows_the_person_to_a_new_household(tmp_path):
    m = member("H2")
    doc = {"households": [household("H2")], "members": [m], "employments": [spell(m, months=3)]}
    paid = {"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"], "year": 2025,
            "amount": 150000}
    assert audit_of(tmp_path, doc, dt.date(2025, 6, 30), [paid]) == []


def test_cl11_one_time_instalments_across_a_new_year(tmp_path):
    """连续补助6个月 may run into the next year: 4 × 200 in 2024 and 2 × 200 in 2025 are the one bonus, not a duplicate."""
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [spell(m, months=7, year=2025)]}
    def pay(year, n):
        return [{"benefit_id": "job_retention_bonus", "household_number": "H1", "id_number": m["id_number"], "year": year,
                 "amount": 20000, "reference": f"R{year}{i}"} for i in range(n)]
    transport = {"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"], "year": 2025,
                 "amount": 150000}
    assert audit_of(tmp_path, doc, dt.date(2025, 12, 31), pay(2024, 4) + pay(2025, 2) + [transport]) == []
    found = audit_of(tmp_path, doc, dt.date(2025, 12, 31), pay(2024, 4) + pay(2025, 3) + [transport])
    assert found == [("重复享受", "job_retention_bonus",
                      "一次性待遇已于2024年、2025年发放，共7次、1400元（凭证：R20240、R20241、R20242、R20243、R20250、"
                      "R20251、R20252）")]


def test_negative_amounts_read_correctly_in_explanations():
    doc = {"households": [household()], "members": [member(), member(relation="spouse")],
           "incomes": [{"household_number": "H1", "year": 2025, "business_income": 0, "business_cost": 150050}]}
    rows, _ = evaluate(doc, dt.date(2025, 6, 30), benefit="income_gap_compensation", changes={"monitoring_line": 7000})
    assert "家庭纯收入-1500.5元，2人，人均-750.25元" in rows[0]["explanation"]


def test_an_audit_of_a_year_outside_the_document_says_so(tmp_path):
    m = member()
    doc = {"households": [household()], "members": [m], "employments": [spell(m, year=2021)]}
    paid = {"benefit_id": "transport_subsidy", "household_number": "H1", "id_number": m["id_number"], "year": 2021,
            "amount": 80000}
    assert audit_of(tmp_path, doc, dt.date(2021, 12, 31), [paid]) == [
        ("违规享受", "transport_subsidy", "双发〔2022〕67号在2021年度不在有效期内，却发放800元")]
