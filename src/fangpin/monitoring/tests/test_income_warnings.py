"""Income accounting as a warning source (湖南十条 二): the rules' boundaries and exclusions, the figures in the reason,
idempotence, one warning per household and year with the departments' signals, and the 增收措施 a verified fall opens."""
import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangpin.lib.income import NET_INCOME_PARTS
from fangpin.monitoring import department, income, services, warning_queue
from fangpin.monitoring.models import Case, Measure, Warning
from fangpin.monitoring.screening import RULES
from fangpin.registry.models import IncomeRecord

LINE = 600_000  # fen a person


def signals_for(cases: list[tuple], *, sharp_centi=30) -> dict[int, list[str]]:
    """cases: (household_id, category, at_risk, size, last year's net, this year's net), in fen."""
    households = pl.DataFrame([(c[0], "140603203200") for c in cases], schema=["household_id", "village_code"],
                              orient="row")
    sizes = pl.DataFrame([(c[0], c[3]) for c in cases], schema=["household_id", "size"], orient="row")
    incomes = pl.DataFrame([(c[0], y, net) for c in cases for y, net in ((2024, c[4]), (2025, c[5]))
                            if net is not None], schema=["household_id", "year", "wage"], orient="row")
    incomes = incomes.with_columns(*(pl.lit(0).alias(k) for k in NET_INCOME_PARTS if k != "wage"))
    lines = pl.DataFrame([("14", 2025, LINE, 150, sharp_centi)], schema=income.LINE_SCHEMA, orient="row")
    result = income.account(households, sizes, incomes, lines, year=2025)
    kinds = pl.DataFrame([(c[0], c[1], c[2]) for c in cases], schema=["household_id", "category", "at_risk"],
                         orient="row")
    out: dict[int, list[str]] = {}
    for s in income.signals(result, kinds, RULES.income, year=2025):
        out.setdefault(s["household_id"], []).append(s["rule"])
    return out


def test_a_fall_is_any_fen_less_than_last_year_for_lifted_and_monitored_households():
    got = signals_for([
        (1, "lifted", False, 1, 1_000_000, 1_000_000),   # the same: no fall
        (2, "lifted", False, 1, 1_000_000, 999_999),     # one fen less: fell
        (3, "ordinary", False, 1, 1_000_000, 999_999),   # an ordinary household's small fall: no warning
        (4, "monitored", True, 1, 1_000_000, 999_999),   # monitored, risk not eliminated: still a fall warning
        (5, "lifted", False, 1, None, 999_999),          # no income last year: nothing to compare
    ])
    assert got == {2: ["income_fell"], 4: ["income_fell"]}


def test_a_sharp_fall_is_at_least_the_share_set_with_the_line_for_every_category():
    got = signals_for([
        (1, "ordinary", False, 2, 2_000_000, 1_400_000),  # exactly 30% less: sharp
        (2, "ordinary", False, 2, 2_000_000, 1_400_001),  # a fen short of 30%: not sharp, and ordinary: nothing
        (3, "lifted", False, 2, 2_000_000, 1_400_000),    # sharp and fell
    ])
    assert got == {1: ["income_sharp_fall"], 3: ["income_sharp_fall", "income_fell"]}
    assert signals_for([(1, "ordinary", False, 2, 2_000_000, 1_400_000)], sharp_centi=31) == {}


def test_below_the_line_is_strictly_less_and_skips_households_already_monitored():
    got = signals_for([
        (1, "ordinary", False, 2, 1_200_000, 1_200_000),  # exactly the line per person: not below
        (2, "ordinary", False, 2, 1_199_999, 1_199_999),  # a fen under the line in all: below
        (3, "monitored", True, 2, 1_199_999, 1_199_999),  # already monitored, risk not eliminated
        (4, "monitored", False, 2, 1_199_999, 1_199_999),  # risk eliminated: watched again
        (5, "lifted", False, 0, 1_000, 1_000),            # no members: unknown, never a warning
    ])
    assert got == {2: ["income_below"], 4: ["income_below"]}


@pytest.fixture
def line(world):
    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(6000), reason="省里2025年标准")


def test_recompute_raises_warnings_with_their_figures_once(world, households, line):
    h = households["shuangnian"]  # lifted, three persons
    IncomeRecord.objects.create(household=h, year=2024, wage=2_400_000)  # 8,000.00 a person
    IncomeRecord.objects.create(household=h, year=2025, wage=1_500_000)  # 5,000.00: below, and down 37.5%
    changes = services.recompute(world.county, 2025)
    assert (changes.warnings_new, changes.warnings_joined, changes.warnings_known) == (1, 2, 0)
    w = Warning.objects.get(household=h)
    assert (w.rule, w.period, w.risk, w.status, w.run) == ("income_below", "2025", "income", "open", None)
    assert w.reason == "2025年人均纯收入5,000.00元，低于监测标准6,000.00元（2024年8,000.00元）"
    assert [j["rule"] for j in w.joined] == ["income_sharp_fall", "income_fell"]
    assert "下降37.5%" in w.joined[0]["reason"]
    assert w.deadline == timezone.localdate() + dt.timedelta(days=RULES.income_rule("income_below").days)
    assert w.history.first().history_user == world.county
    again = services.recompute(world.county, 2025)
    assert (again.warnings_new, again.warnings_joined, again.warnings_known) == (0, 0, 3)
    assert Warning.objects.count() == 1


def test_a_year_under_way_raises_no_warning(world, households):
    year = timezone.localdate().year
    services.set_line(None, region_prefix="14", year=year, line_yuan=Decimal(6000), reason="今年")
    IncomeRecord.objects.create(household=households["shuangnian"], year=year, wage=100)
    changes = services.recompute(world.county, year)
    assert len(changes) >= 1 and changes.warnings_new == 0 and not Warning.objects.exists()


def department_signal(household, rule="school_dropout", period="2025-09-01"):
    return {"household_id": household.pk, "rule": rule, "period": period, "subject": "", "risk": "education",
            "reason": f"{rule} {period}", "total": 0, "count": 1, "days": 10, "person_ids": [], "sources": [[1, 2]]}


def income_signal(household, rule="income_fell", year="2025"):
    return {"household_id": household.pk, "rule": rule, "period": year, "subject": "", "risk": "income",
            "reason": f"{rule} {year}", "total": 0, "count": 1, "days": 15, "person_ids": [], "sources": []}


def write(signals, user):
    return warning_queue.write(signals, user=user, reason="测试", today=dt.date(2026, 1, 5))


def test_an_income_signal_joins_the_households_open_department_warning_of_the_year(world, households):
    h = households["shuangnian"]
    assert write([department_signal(h)], world.county) == (1, 0, 0)
    assert write([income_signal(h)], world.county) == (0, 0, 1)
    w = Warning.objects.get()
    assert w.rule == "school_dropout" and [(j["rule"], j["label"]) for j in w.joined] == [
        ("income_fell", "脱贫户、监测户人均纯收入比上年下降")]
    assert write([income_signal(h)], world.county) == (0, 1, 0)  # known by its own key: not joined twice
    assert len(Warning.objects.get().joined) == 1
    # Another year, another household: warnings of their own.
    assert write([income_signal(h, year="2024"), income_signal(households["wujiayao"])], world.county) == (2, 0, 0)


def test_a_department_signal_joins_an_open_income_warning_and_stays_known(world, households):
    h = households["shuangnian"]
    write([income_signal(h)], world.county)
    assert write([department_signal(h, period="2025-03-02")], world.county) == (0, 0, 1)
    assert write([department_signal(h, period="2025-03-02")], world.county) == (0, 1, 0)  # the same data again
    assert Warning.objects.count() == 1
    assert write([department_signal(h, rule="job_lost", period="2025-03-02")], world.county) == (0, 0, 1)
    # Without an income warning, two departments' signals stay apart (different risks, each with its rows).
    other = households["wujiayao"]
    assert write([department_signal(other), department_signal(other, rule="job_lost")], world.county) == (2, 0, 0)


def test_a_verified_warning_takes_no_new_signal(world, households):
    h = households["shuangnian"]
    write([department_signal(h)], world.county)
    department.verify(world.clerk, Warning.objects.get(), at_risk=False, note="已复学")
    assert write([income_signal(h)], world.county) == (1, 0, 0)
    assert Warning.objects.filter(status="open").get().rule == "income_fell"


def test_a_verified_fall_opens_the_plans_income_measure(world, households):
    h = households["shuangnian"]
    write([income_signal(h)], world.county)
    w = Warning.objects.get()
    with pytest.raises(ValidationError, match="增收措施"):
        department.verify(world.clerk, w, at_risk=True, note="入户核实，务工收入减少", monitor_type="unstable")
    w = department.verify(world.clerk, w, at_risk=True, note="入户核实，务工收入减少", monitor_type="unstable",
                          income_measure="推荐到区内企业务工")
    m = Measure.objects.get(household=h)
    assert (m.kind, m.status, m.get_kind_display()) == ("income", "planned", "增收措施")
    assert m.description.startswith("推荐到区内企业务工（预警") and m.created_by == world.clerk
    assert w.case.channel == Case.Channel.DEPARTMENT_WARNING


def test_a_fall_found_to_be_wrong_needs_no_measure_and_a_department_warning_never_asks(world, households):
    h = households["shuangnian"]
    write([income_signal(h)], world.county)
    department.verify(world.clerk, Warning.objects.get(), at_risk=False, note="收入录入有误，已更正")
    write([department_signal(h, period="2026-01-02")], world.county)
    department.verify(world.clerk, Warning.objects.get(status="open"), at_risk=True, note="辍学",
                      monitor_type="unstable")
    assert not Measure.objects.exists()


def test_a_below_the_line_warning_alone_is_not_a_fall():
    w = Warning(rule="income_below", joined=[])
    assert not warning_queue.income_falls(w)
    w.joined = [{"rule": "income_sharp_fall"}]
    assert warning_queue.income_falls(w)
