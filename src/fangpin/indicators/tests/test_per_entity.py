"""Measures per entity (`per:`): each household's balance, each loan's repayments, each cooperative's members, each
factory's workers, each household's haves. Boundaries (> against >=, exact fractions, the day asked) and exclusions,
on hand-made frames, and the parser's errors."""
import datetime as dt

import pytest

from fangpin.indicators import catalog, engine
from fangpin.lib.yamldata import CatalogError

from .test_catalog import GOOD, TOWNSHIP, V1, V2, _error, frame, values

D = dt.date
ON = D(2023, 6, 30)
WAN = 1_000_000  # 1万元 in fen


def loan(row, household, code=V1, **kw):
    base = {"row": row, "household": household, "person": household * 10, "code": code, "category": "lifted",
            "issued_on": D(2023, 1, 10), "due_on": D(2024, 1, 10), "amount": 5 * WAN}
    return base | kw


def paid(row, loan_row, household, fen, on=D(2023, 3, 1), code=V1, key="repaid_on", column="principal"):
    return {"row": row, "loan": loan_row, "household": household, "code": code, "issued_on": D(2023, 1, 10),
            key: on, column: fen}


def credit_frames(loans, repayments=(), compensations=()):
    return {"loans": frame("loans", loans), "repayments": frame("repayments", list(repayments)),
            "compensations": frame("compensations", [c | {"compensated_on": c.pop("repaid_on")} if "repaid_on" in c
                                                     else c for c in compensations])}


def comp(row, loan_row, household, fen, on=D(2023, 3, 1)):
    return paid(row, loan_row, household, fen, on, key="compensated_on", column="amount")


def test_a_household_over_the_cap_is_its_loans_less_repaid_and_compensated_above_100000_yuan():
    frames = credit_frames(
        [loan(1, 1, amount=6 * WAN), loan(2, 1, amount=4 * WAN),  # 10万 exactly: at the cap, not over it
         loan(3, 2, amount=6 * WAN), loan(4, 2, amount=4 * WAN + 1),  # one fen over
         loan(5, 3, amount=8 * WAN), loan(6, 3, amount=4 * WAN),  # 12万 less 2万 repaid: at the cap
         loan(7, 4, amount=8 * WAN), loan(8, 4, amount=4 * WAN),  # 12万 less 2万 repaid after the day: over
         loan(9, 5, amount=8 * WAN), loan(10, 5, amount=4 * WAN),  # 12万 less 2万 compensated: at the cap
         loan(11, 6, amount=8 * WAN), loan(12, 6, amount=4 * WAN, issued_on=D(2023, 7, 1)),  # issued after the day
         loan(13, 7, code=V2, amount=11 * WAN)],  # another village
        [paid(1, 5, 3, 2 * WAN), paid(2, 7, 4, 2 * WAN, on=D(2023, 7, 1))],
        [comp(1, 9, 5, 2 * WAN, on=ON)])
    got = values(frames, ["microcredit_households_over_cap"], [ON])
    assert got[("microcredit_households_over_cap", ON, V1)] == (2, None)  # households 2 and 4
    assert got[("microcredit_households_over_cap", ON, V2)] == (1, None)
    assert got[("microcredit_households_over_cap", ON, TOWNSHIP)] == (3, None)
    # the day before the compensation: household 5 is over the cap too
    got = values(frames, ["microcredit_households_over_cap"], [ON - dt.timedelta(days=1)])
    assert got[("microcredit_households_over_cap", ON - dt.timedelta(days=1), V1)] == (3, None)


def test_an_overdue_loan_is_due_before_the_day_and_not_yet_repaid_in_full():
    due = D(2023, 6, 1)
    frames = credit_frames(
        [loan(1, 1, due_on=due),  # nothing repaid: overdue
         loan(2, 2, due_on=due),  # repaid in full by repayments and compensation: not overdue
         loan(3, 3, due_on=ON),  # due on the day asked: not yet overdue
         loan(4, 4, due_on=due, extended_to=D(2023, 12, 31)),  # extended: not overdue
         loan(5, 5, due_on=due, extended_to=D(2023, 6, 29)),  # extended, and past that too: overdue
         loan(6, 6, due_on=due),  # repaid in full, but after the day asked: overdue on the day
         loan(7, 7, due_on=due)],  # one fen short: overdue
        [paid(1, 2, 2, 3 * WAN), paid(2, 6, 6, 5 * WAN, on=D(2023, 7, 1)), paid(3, 7, 7, 5 * WAN - 1)],
        [comp(1, 2, 2, 2 * WAN)])
    got = values(frames, ["microcredit_overdue_loans"], [ON])
    assert got[("microcredit_overdue_loans", ON, V1)] == (4, None)  # loans 1, 5, 6 and 7


def coop(row, code=V1, **kw):
    return {"row": row, "code": code, "year": 2023, "afforestation": True, "enterprise_kind": "cooperative"} | kw


def test_each_cooperative_reaches_60_percent_exactly_and_a_blank_never_does():
    entities = frame("link_entities", [
        coop(1, members=35, members_target=21),  # 21 / 35 = 60% exactly (0.6 * 35 in floating point is 21.0000…04)
        coop(2, members=35, members_target=20),
        coop(3, members=None, members_target=None),  # no figures: not reached
        coop(4, members=20, members_target=20, afforestation=False),  # not an afforestation cooperative
        coop(5, code=V2, members=5, members_target=3),
        coop(6, code=V2, members=5, members_target=3, year=2022)])  # another year
    got = values({"link_entities": entities}, ["afforestation_coops_60_share"], [ON])
    assert got[("afforestation_coops_60_share", ON, V1)] == (1, 3)
    assert got[("afforestation_coops_60_share", ON, V2)] == (1, 1)
    assert got[("afforestation_coops_60_share", ON, TOWNSHIP)] == (2, 4)


def test_a_new_type_entity_absorbs_70_percent_by_members_if_a_cooperative_else_by_staff():
    entities = frame("link_entities", [
        coop(1, afforestation=False, members=10, members_target=7, employees=10, employees_target=0),  # 70%: yes
        coop(2, afforestation=False, members=10, members_target=6, employees=10, employees_target=10),  # members: no
        coop(3, enterprise_kind="family_farm", members=10, members_target=10, employees=100, employees_target=69),
        coop(4, enterprise_kind="lead_enterprise", employees=100, employees_target=70),  # yes
        coop(5, enterprise_kind="employer", employees=10, employees_target=10),  # not a new-type agricultural entity
        coop(6, enterprise_kind="family_farm", employees=0, employees_target=0)])  # no staff: not counted
    got = values({"link_entities": entities}, ["xinzhou_absorbing_entities"], [ON])
    assert got[("xinzhou_absorbing_entities", ON, V1)] == (2, None)


def test_a_community_factory_needs_20_workers_and_a_third_of_them_lifted():
    def factory(row, total):
        return {"row": row, "enterprise": row, "code": V1, "kind": "community_factory", "total_employees": total}

    def worker(row, employer, person, **kw):
        return {"row": row, "person": person, "household": person, "code": V2, "category": "lifted",
                "employer": employer, "start": D(2023, 1, 1), "end": None} | kw

    enterprises = frame("enterprises", [factory(1, 20), factory(2, 19), factory(3, 21), factory(4, 20),
                                        {"row": 5, "enterprise": 5, "code": V1, "kind": "workshop",
                                         "total_employees": 30}])
    spells = frame("spells", [
        *(worker(10 + i, 1, 100 + i) for i in range(7)),  # 7 of 20: 21 >= 20
        *(worker(20 + i, 2, 200 + i) for i in range(19)),  # every worker lifted, but 19 < 20
        *(worker(40 + i, 3, 300 + i) for i in range(7)),  # 7 of 21: exactly a third
        *(worker(60 + i, 4, 400 + i) for i in range(6)),  # 6 of 20: short
        worker(70, 4, 500, end=D(2023, 6, 29)),  # left before the day: not counted
        worker(71, 4, 501, category="monitored"),  # not a lifted household
        worker(72, 4, 400),  # a second spell of the same person: one person
        *(worker(80 + i, 5, 600 + i) for i in range(30))])
    got = values({"enterprises": enterprises, "spells": spells}, ["community_factories_qualified"], [ON])
    # placed at the factory's own place (V1), not at its workers' village (V2)
    assert got[("community_factories_qualified", ON, V1)] == (2, None)
    assert ("community_factories_qualified", ON, V2) not in got


def test_village_posts_count_holders_of_lifted_monitored_or_disabled_households_once():
    def holder(row, person, household, category="ordinary", **kw):
        return {"row": row, "code": V1, "person": person, "household": household, "category": category,
                "post_kind": "village", "started_on": D(2023, 1, 1), "ended_on": None} | kw

    posts = frame("posts", [{"row": i, "code": V1, "kind": "village", "created_on": D(2023, 1, 1)} for i in range(8)])
    holders = frame("post_holders", [
        holder(1, 1, 1, "lifted"), holder(2, 1, 1, "lifted"),  # one person on two posts: one
        holder(3, 2, 1, "lifted"),  # a second person of the same household
        holder(4, 3, 2),  # an ordinary household with a disabled member: counted
        holder(5, 4, 3),  # an ordinary household: not counted
        holder(6, 5, 4, "monitored", ended_on=D(2023, 6, 29)),  # left the post before the day
        holder(7, 6, 5, "monitored", post_kind="employment_assistance")])  # not a village post
    persons = frame("persons", [{"row": 30, "code": V1, "person": 30, "household": 2, "disability_grade": 3},
                                {"row": 31, "code": V1, "person": 31, "household": 3, "disability_grade": None}])
    got = values({"posts": posts, "post_holders": holders, "persons": persons}, ["village_post_target_share"], [ON])
    assert got[("village_post_target_share", ON, V1)] == (3, 8)


def test_a_household_with_a_laborer_needs_an_income_project_from_any_source():
    def household(h, **kw):
        return {"row": h, "household": h, "code": V1, "category": "lifted", "industry_project": False,
                "courtyard_economy": False} | kw

    def laborer(row, h, capacity="laborer"):
        return {"row": row, "person": row, "household": h, "code": V1, "category": "lifted",
                "labor_capacity": capacity}

    frames = {
        "households": frame("households", [household(1), household(2, courtyard_economy=True), household(3),
                                           household(4), household(5), household(6), household(7, category="ordinary"),
                                           household(8)]),
        "persons": frame("persons", [laborer(11, 1), laborer(12, 2), laborer(13, 3), laborer(14, 4), laborer(15, 5),
                                     laborer(16, 6, "half"), laborer(17, 7), laborer(18, 8)]),
        "links": frame("links", [{"row": 1, "household": 3, "code": V1, "year": 2023, "started_on": None},
                                 {"row": 2, "household": 8, "code": V1, "year": 2023, "started_on": D(2023, 7, 1)}]),
        "startups": frame("startups", [{"row": 1, "household": 4, "person": 14, "code": V1,
                                        "started_on": D(2023, 2, 1)}]),
        "household_haves": frame("household_haves", [{"row": 1, "household": 5, "code": V1, "year": 2023,
                                                      "income_project": "养羊"}]),
    }
    got = values(frames, ["households_without_income_project"], [ON])
    # 1: nothing; 8: its entity starts after the day. 2 courtyard, 3 linked, 4 start-up, 5 declared; 6 has no laborer
    # (a half laborer is not one); 7 is not lifted or monitored
    assert got[("households_without_income_project", ON, V1)] == (2, None)


def test_a_laborer_has_skills_by_a_training_by_the_day_or_the_households_declaration():
    def person(p, h, **kw):
        return {"row": p, "person": p, "household": h, "code": V1, "category": "monitored",
                "labor_capacity": "laborer"} | kw

    frames = {
        "persons": frame("persons", [person(1, 1), person(2, 1), person(3, 2), person(4, 3), person(5, 4),
                                     person(6, 5, labor_capacity="weak")]),
        "trainings": frame("trainings", [{"row": 1, "person": 1, "household": 1, "code": V1, "year": 2022,
                                          "start": D(2022, 5, 1)},
                                         {"row": 2, "person": 4, "household": 3, "code": V1, "year": 2023,
                                          "start": D(2023, 7, 1)}]),  # after the day asked
        "household_haves": frame("household_haves", [
            {"row": 1, "household": 2, "code": V1, "year": 2023, "skills": "电焊"},
            {"row": 2, "household": 4, "code": V1, "year": 2022, "skills": "电焊"}]),  # last year's declaration
    }
    got = values(frames, ["laborers_without_skills"], [ON])
    # 2 (household 1's second laborer, untrained), 4 (trained after the day), 5 (declared for another year)
    assert got[("laborers_without_skills", ON, V1)] == (3, None)


def test_a_fall_in_income_needs_a_measure_under_way_or_done_in_the_year():
    def account(h, **kw):
        return {"row": h, "household": h, "code": V1, "category": "lifted", "year": 2022, "fell": True} | kw

    def measure(row, h, **kw):
        return {"row": row, "household": h, "code": V1, "status": "in_progress", "start": D(2023, 2, 1),
                "end": None} | kw

    frames = {
        "income_accounts": frame("income_accounts", [account(1), account(2), account(3), account(4), account(5),
                                                     account(6, fell=False), account(7, category="monitored")]),
        "measures": frame("measures", [measure(1, 1), measure(2, 2, status="planned"),  # planned: not carried out
                                       measure(3, 3, status="done", start=D(2022, 3, 1), end=D(2022, 12, 31)),
                                       measure(4, 4, status="done", start=D(2022, 3, 1), end=D(2023, 1, 1)),
                                       measure(5, 5, start=D(2023, 7, 1)),  # after the day asked
                                       measure(6, 6), measure(7, 7)]),
    }
    got = values(frames, ["income_fell_plans_share"], [ON])
    assert got[("income_fell_plans_share", ON, V1)] == (2, 5)  # households 1 and 4 of 1 to 5


def test_the_rows_of_an_entity_measure_are_the_entities_that_pass():
    frames = credit_frames([loan(1, 1, amount=11 * WAN), loan(2, 2, amount=10 * WAN)])
    m = catalog.load_catalog()["microcredit_households_over_cap"].measures[0]
    got = engine.entities(frames, m, ON).collect()
    assert got["household"].to_list() == [1]
    assert got["lent"].to_list() == [11 * WAN]


# --- the parser ------------------------------------------------------------------------------------------------------

PER = GOOD.replace("""    count: persons
    of: spells
""", """    count: entities
    per: household
    of: spells
    with:
      n: {label: 人数, count: persons}
    having:
      - n >= 2
""")


def test_a_per_entity_measure_parses_and_reads(tmp_path):
    assert PER != GOOD
    path = tmp_path / "ok.yaml"
    path.write_text(PER, encoding="utf-8")
    (ind,) = catalog.parse(path)
    (m,) = ind.measures
    assert m.per == "household" and m.having[0].op == ">="
    assert "逐户计" in ind.definition and "人数不少于2的户数" in ind.definition


@pytest.mark.parametrize("old,new,words", [
    ("n >= 2", "m >= 2", "m 不是 with 中的数"),
    ("n >= 2", "n >= two", "two 不是 with 中的数"),
    ("n >= 2", "n >> 2", "不是数字"),
    ("per: household", "per: loan", "per: loan 应为 row 或 spells 的列"),
    ("{label: 人数, count: persons}", "{count: persons}", "缺少 label"),
    ("{label: 人数, count: persons}", "{label: 人数, of: repayments, by: row, count: rows}", "by: row"),
    ("count: entities", "count: rows", "count 应为 entities"),
])
def test_a_bad_per_entity_measure_names_file_and_line(tmp_path, old, new, words):
    assert old in PER
    err = _error(tmp_path, PER.replace(old, new))
    assert words in str(err) and err.line is not None


def test_with_and_having_belong_to_a_per_entity_measure(tmp_path):
    err = _error(tmp_path, PER.replace("    per: household\n", ""))
    assert "只用于按对象计" in str(err)


def test_coefficients_are_exact_fractions():
    c = catalog._compare("f", None, "a >= 0.6 * b", {"a", "b"})
    assert c.right[0].coefficient == catalog.Fraction(3, 5)
    with pytest.raises(CatalogError):
        catalog._compare("f", None, "a >= 1/0 * b", {"a", "b"})


def test_agreed_dividends_are_paid_in_full_when_paid_reaches_the_agreement():
    def income(row, **kw):
        return {"row": row, "asset": row, "code": V1, "year": 2023, "income": 100 * WAN,
                "agreed_dividends": 10 * WAN, "to_households": 10 * WAN} | kw

    incomes = frame("asset_incomes", [
        income(1),  # paid exactly the agreement
        income(2, to_households=10 * WAN - 1),  # one fen short
        income(3, to_households=None),  # nothing recorded as paid
        income(4, agreed_dividends=None), income(5, agreed_dividends=0),  # no agreement: not judged
        income(6, year=2022)])
    got = values({"asset_incomes": incomes}, ["asset_dividends_paid_share"], [ON])
    assert got[("asset_dividends_paid_share", ON, V1)] == (1, 3)


def test_an_asset_income_is_disclosed_by_the_day_asked():
    def income(row, **kw):
        return {"row": row, "asset": row, "code": V1, "year": 2023, "income": WAN, "asset_kind": "operational",
                "ownership": "confirmed", "disclosed_on": ON} | kw

    incomes = frame("asset_incomes", [
        income(1),  # disclosed on the day asked
        income(2, disclosed_on=ON + dt.timedelta(days=1)), income(3, disclosed_on=None),
        income(4, income=0), income(5, asset_kind="public_welfare"), income(6, ownership="unclear")])
    got = values({"asset_incomes": incomes}, ["asset_income_disclosed_share"], [ON])
    assert got[("asset_income_disclosed_share", ON, V1)] == (1, 3)


def test_featured_industry_funds_add_up_the_tagged_projects_allocations_of_the_year():
    def allocation(row, **kw):
        return {"row": row, "project": row, "code": V1, "featured_industry": True, "fund_kind": "linkage",
                "source": "province", "amount": 100 * WAN, "allocated_on": D(2023, 3, 1)} | kw

    allocations = frame("allocations", [allocation(1), allocation(2, featured_industry=False),
                                        allocation(3, allocated_on=D(2022, 12, 31)),
                                        allocation(4, allocated_on=ON), allocation(5, allocated_on=D(2023, 7, 1))])
    got = values({"allocations": allocations}, ["featured_industry_funds"], [ON])
    assert got[("featured_industry_funds", ON, V1)] == (200 * WAN, None)


def test_a_rate_falls_by_a_tenth_or_a_fifth_of_last_years_exactly():
    """忻州 五.四: rates in hundredths of a percent; 4.00% -> 3.60% is exactly 10% lower, 5.00% -> 4.00% exactly 20%."""
    def entity(row, enterprise, year, rate, hard=False):
        return {"row": row, "enterprise": enterprise, "code": V1, "year": year, "new_loan_rate": rate,
                "hard_hit": hard}

    entities = frame("link_entities", [
        entity(1, 1, 2022, 400), entity(2, 1, 2023, 360),  # exactly 10% lower
        entity(3, 2, 2022, 400), entity(4, 2, 2023, 361),  # 9.75% lower: short
        entity(5, 3, 2023, 300),  # no rate last year: not compared
        entity(6, 4, 2022, 400), entity(7, 4, 2023, None),  # no new loans this year: not compared
        entity(8, 5, 2022, 500, True), entity(9, 5, 2023, 400, True),  # hit hard: exactly 20% lower
        entity(10, 6, 2022, 500, True), entity(11, 6, 2023, 401, True)])  # hit hard: 19.8% lower
    got = values({"link_entities": entities}, ["xinzhou_entity_rate_cut_share", "xinzhou_hard_hit_rate_cut_share"],
                 [ON])
    assert got[("xinzhou_entity_rate_cut_share", ON, V1)] == (1, 2)
    assert got[("xinzhou_hard_hit_rate_cut_share", ON, V1)] == (1, 2)


def test_a_rate_is_read_from_the_database_in_hundredths(world):
    from fangpin.indicators import facts
    from fangpin.industry.models import LinkEntity
    from fangpin.lib import creditcode
    from fangpin.registry.models import Enterprise

    e = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000019"), name="双碾合作社",
                                  kind="cooperative", org_unit_id=world.township.org_unit.code)
    LinkEntity.objects.create(enterprise=e, year=2023, new_loan_rate="4.35", hard_hit=True)
    got = facts.load("140603", keys=["link_entities"])["link_entities"]
    assert got.select("enterprise", "new_loan_rate", "hard_hit").rows() == [(e.pk, 435, True)]
