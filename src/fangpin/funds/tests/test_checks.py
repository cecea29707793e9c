"""The funds checks on their boundaries: 55% is met and a fen less is not, each milestone of the spending progress is
judged on its day with the figures of that day, a work-for-relief project is judged when completed, and a unit outside
the seed's region is not judged."""
import dataclasses
import datetime as dt
from fractions import Fraction

import pytest

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.funds.models import Allocation, Expenditure, Project
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING, Ratio, Subject, judge, percent
from fangpin.orgunits.models import OrgUnit

D = dt.date


def _check(check_id: str, **changes) -> checks.Check:
    check = next(c for c in checks.checks_of("funds") if c.id == check_id)
    return dataclasses.replace(check, **changes)


def _fixed(num, den):
    return lambda day: Ratio(num, den, "用于产业", "合计")


UNIT = Subject("平鲁区", "140603000000")


@pytest.mark.parametrize(("num", "den", "status"), [
    (55, 100, MET),  # 达到55%以上: 55% itself is met
    (5_499_999, 10_000_000, MISSED),  # one fen short
    (56, 100, MET),
    (0, 0, NO_DATA),
])
def test_industry_share_at_the_boundary(num, den, status):
    check = _check("central_industry_share")
    finding = judge(check, UNIT, 2024, D(2024, 12, 31), _fixed(num, den))
    assert finding.status == status
    assert finding.judged_on == D(2024, 12, 31)
    assert "湖南十条 四" in finding.explanation


def test_a_year_target_is_pending_until_the_years_end_and_says_where_it_stands():
    finding = judge(_check("central_industry_share"), UNIT, 2024, D(2024, 12, 30), _fixed(40, 100))
    assert finding.status == PENDING and finding.judged_on is None
    assert "占40%" in finding.explanation and "应于2024-12-31不低于55%" in finding.explanation


def _progress(spent_by: dict):
    """spent by date -> the ratio on a day (allocated 1,000,000 fen from the start)."""
    def ratio_on(day):
        spent = max((v for d, v in spent_by.items() if d <= day), default=0)
        return Ratio(spent, 1_000_000, "已支出", "已下达")
    return ratio_on


@pytest.mark.parametrize(("on", "spent_by", "status", "judged"), [
    (D(2024, 6, 29), {D(2024, 6, 1): 100}, PENDING, None),  # before the first milestone
    (D(2024, 6, 30), {D(2024, 6, 30): 600_000}, MET, D(2024, 6, 30)),  # 60% on the day: met
    (D(2024, 6, 30), {D(2024, 6, 30): 599_999}, MISSED, D(2024, 6, 30)),
    # judged on 30 June's figures even if the money went out on 1 July
    (D(2024, 7, 15), {D(2024, 6, 30): 500_000, D(2024, 7, 1): 700_000}, MISSED, D(2024, 6, 30)),
    (D(2024, 9, 30), {D(2024, 9, 30): 800_000}, MET, D(2024, 9, 30)),
    (D(2024, 12, 31), {D(2024, 12, 31): 999_999}, MISSED, D(2024, 12, 31)),  # 全部支出: every fen
    (D(2025, 3, 1), {D(2024, 12, 31): 1_000_000}, MET, D(2024, 12, 31)),
])
def test_spending_progress_milestones(on, spent_by, status, judged):
    finding = judge(_check("spending_progress"), UNIT, 2024, on, _progress(spent_by))
    assert (finding.status, finding.judged_on) == (status, judged)


def test_a_pending_progress_names_the_next_milestone():
    finding = judge(_check("spending_progress"), UNIT, 2024, D(2024, 7, 1), _progress({D(2024, 6, 30): 700_000}))
    assert finding.status == MET and finding.target == Fraction("0.6")
    early = judge(_check("spending_progress"), UNIT, 2024, D(2024, 5, 1), _progress({D(2024, 4, 1): 200_000}))
    assert early.status == PENDING and "应于2024-06-30不低于60%" in early.explanation


def test_percent_text():
    assert percent(Fraction(55, 100)) == "55%"
    assert percent(Fraction(5_499_999, 10_000_000)) == "55%"  # shown rounded; judged exactly
    assert percent(Fraction(1, 3)) == "33.3%"
    assert percent(None) == "—"


# -- measured on the ledger ---------------------------------------------------------------------------------------

def _project(code, place, *, kind="industry", relief="none", completed=None):
    return Project.objects.create(code=code, name=code, year=2024, org_unit_id=place, kind=kind, relief_mode=relief,
                                  stored_on=D(2024, 1, 5), announced_on=D(2024, 1, 10), started_on=D(2024, 2, 1),
                                  completed_on=completed)


def _allocate(project, source, fen, on=D(2024, 2, 1), kind="linkage"):
    Allocation.objects.create(project=project, source=source, fund_kind=kind, amount=fen, allocated_on=on)


def _spend(project, fen, on, *, labour=False, source="county"):
    Expenditure.objects.create(project=project, source=source, fund_kind="linkage", amount=fen, paid_on=on,
                               labour=labour)


@pytest.mark.django_db
def test_the_districts_industry_share_in_shuangnian(world):
    cattle = _project("A", SHUANGNIAN_CUN)
    road = _project("B", SHUANGNIAN, kind="infrastructure")
    _allocate(cattle, "county", 550_000)
    _allocate(road, "county", 450_000)
    _allocate(road, "central", 9_000_000)  # central funds are not the district's: not counted
    _allocate(cattle, "county", 1, on=D(2025, 1, 2))  # after the year's end: not counted on 31 December
    unit = OrgUnit.objects.get(code=SHUANGNIAN)
    [finding] = [f for f in checks.for_area("funds", unit, year=2024, on=D(2024, 12, 31))
                 if f.check.id == "district_industry_share"]
    assert finding.status == MET
    assert finding.ratio.numerator == 550_000 and finding.ratio.denominator == 1_000_000
    assert "区级衔接资金用于产业发展5,500.00元" in finding.explanation
    _allocate(road, "county", 1)  # one fen more outside industry
    [finding] = [f for f in checks.for_area("funds", unit, year=2024, on=D(2024, 12, 31))
                 if f.check.id == "district_industry_share"]
    assert finding.status == MISSED


@pytest.mark.django_db
def test_work_for_relief_is_judged_when_the_project_is_completed(world):
    dedicated = _project("R1", SHUANGNIAN_CUN, kind="infrastructure", relief="dedicated", completed=D(2024, 10, 1))
    _allocate(dedicated, "central", 600_000)
    _allocate(dedicated, "province", 400_000)
    _allocate(dedicated, "county", 5_000_000)  # not in the base of 15%
    _spend(dedicated, 150_000, D(2024, 9, 1), labour=True)
    _spend(dedicated, 900_000, D(2024, 9, 1))  # not labour
    _spend(dedicated, 1, D(2024, 10, 2), labour=True)  # after completion: not counted
    promoted = _project("R2", SHUANGNIAN_CUN, kind="infrastructure", relief="promoted")
    _allocate(promoted, "county", 1_000_000)
    _spend(promoted, 99_999, D(2024, 9, 1), labour=True)
    area = OrgUnit.objects.get(code="140603000000")
    found = {f.check.id: f for f in checks.for_area("funds", area, year=2024, on=D(2024, 12, 31)) if f.check.per == "row"}
    assert found["relief_remuneration_dedicated"].status == MET  # 150,000 of 1,000,000 central and provincial: 15%
    assert found["relief_remuneration_dedicated"].judged_on == D(2024, 10, 1)
    assert found["relief_remuneration_promoted"].status == PENDING  # not completed yet
    assert "应于完工时不低于10%" in found["relief_remuneration_promoted"].explanation
    Project.objects.filter(pk=promoted.pk).update(completed_on=D(2024, 11, 1))
    found = {f.check.id: f for f in checks.for_area("funds", area, year=2024, on=D(2024, 12, 31)) if f.check.per == "row"}
    assert found["relief_remuneration_promoted"].status == MISSED  # 9.9999%


@pytest.mark.django_db
def test_a_check_is_not_judged_outside_its_seeds_region(world):
    longxian = OrgUnit.objects.get(code="610327000000")
    outside = _project("L1", world.longxian_village, relief="dedicated", completed=D(2024, 5, 1))
    _allocate(outside, "county", 100)
    assert checks.for_area("funds", longxian, year=2024, on=D(2024, 12, 31)) == []
    # 湖南's checks are judged for Hunan's counties only: none in 平鲁区
    pinglu = OrgUnit.objects.get(code="140603000000")
    assert {f.check.id for f in checks.for_area("funds", pinglu, year=2024, on=D(2024, 12, 31))} == {
        "district_industry_share", "integrated_industry_share"}


@pytest.mark.django_db
def test_a_check_asks_only_in_the_years_of_its_seed(world):
    """双发〔2022〕67号 runs to 31 December 2025: a 2026 project is not judged by it; 湖南十条's "今年" is 2022."""
    cattle = _project("A26", SHUANGNIAN_CUN)
    Project.objects.filter(pk=cattle.pk).update(year=2026)
    _allocate(cattle, "county", 100, on=D(2026, 2, 1))
    unit = OrgUnit.objects.get(code=SHUANGNIAN)
    assert checks.for_area("funds", unit, year=2026, on=D(2026, 12, 31)) == []
    assert {f.check.id for f in checks.for_area("funds", unit, year=2025, on=D(2025, 12, 31))} == {
        "district_industry_share", "integrated_industry_share"}
    hunan = _check("spending_progress")
    assert hunan.applies_in(2022) and not hunan.applies_in(2023) and hunan.period_text == "2022年"
    assert _check("district_industry_share").period_text == "2022-08-12至2025-12-31"
    assert checks.years_in_force("funds", unit) == {2022, 2023, 2024, 2025}
