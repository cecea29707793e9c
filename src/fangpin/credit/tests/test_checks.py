"""The microcredit checks on their boundaries: a household's balance of exactly 100,000.00 yuan is within the cap and
a fen more is not; a loan repaid on its due day is on time, open on it is pending and overdue the day after; an
extension moves the due day; the risk-compensation fund's payment counts once paid; 湖南's targets are judged for the
province only; outside the seeds' regions nothing is judged."""
import dataclasses
import datetime as dt

import pytest

from conftest import LONGXIAN, PINGLU, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.credit import measures
from fangpin.credit.models import Compensation, Loan, Repayment
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING, Ratio, Subject, judge
from fangpin.orgunits.models import OrgUnit

D = dt.date
pytestmark = pytest.mark.django_db
_n = iter(range(1, 10_000))


def _member(village=SHUANGNIAN_CUN, name="王建国", region="140603"):
    household = make_household(village, f"{village}{next(_n):04d}", head_name=name, region=region)
    return household.members.get()


def _loan(member, fen, issued=D(2024, 3, 1), due=D(2025, 3, 1), extended=None, code=None):
    return Loan.objects.create(code=code or f"L{next(_n)}", member=member, bank="平鲁区农村信用合作联社",
                               issued_on=issued, due_on=due, amount=fen, rate="3.85", use="livestock",
                               extended_to=extended)


def _findings(check_id, on, year=None, area=PINGLU):
    unit = OrgUnit.objects.get(code=area)
    return [f for f in checks.for_area("credit", unit, year=year or on.year, on=on) if f.check.id == check_id]


# -- the household cap (双发〔2022〕67号 第2条) ------------------------------------------------------------------------

@pytest.mark.parametrize(("second", "status"), [
    (50_000_00, MET),  # 100,000.00 yuan: the cap itself
    (50_000_01, MISSED),  # a fen above
])
def test_a_households_balance_at_the_cap(world, second, status):
    member = _member()
    _loan(member, 50_000_00)
    top_up = _loan(member, second, issued=D(2024, 6, 1), due=D(2026, 6, 1))
    [finding] = _findings("household_balance_cap", D(2024, 12, 31))
    assert finding.status == status
    assert finding.subject.url.endswith(f"/credit_loans/{top_up.pk}/")  # the top-up that reached the cap
    assert finding.subject.label.startswith("王建国户（户编号") and "2笔贷款未还清" in finding.subject.label
    assert "双发〔2022〕67号 第2条" in finding.explanation
    words = "，不超过100%" if status == MET else "，超过100%"
    assert words in finding.explanation and "单户上限100,000.00元" in finding.explanation


def test_the_cap_counts_the_balance_on_the_day_judged(world):
    member = _member()
    loan = _loan(member, 60_000_00)
    _loan(member, 50_000_00, issued=D(2024, 6, 1), due=D(2026, 6, 1))
    Repayment.objects.create(loan=loan, repaid_on=D(2024, 9, 1), principal=10_000_00)
    assert [f.status for f in _findings("household_balance_cap", D(2024, 8, 31))] == [MISSED]  # 110,000
    [after] = _findings("household_balance_cap", D(2024, 9, 1))
    assert after.status == MET and after.ratio.numerator == 100_000_00 and after.judged_on == D(2024, 9, 1)
    # an earlier year is judged on its 31 December
    [year_end] = _findings("household_balance_cap", D(2025, 6, 1), year=2024)
    assert year_end.judged_on == D(2024, 12, 31) and year_end.status == MET


def test_households_without_a_balance_are_not_listed(world):
    member = _member()
    loan = _loan(member, 20_000_00)
    Repayment.objects.create(loan=loan, repaid_on=D(2024, 5, 1), principal=20_000_00)
    assert _findings("household_balance_cap", D(2024, 4, 30)) != []
    assert _findings("household_balance_cap", D(2024, 5, 1)) == []
    assert _findings("household_balance_cap", D(2024, 2, 28)) == []  # not lent yet


def test_the_cap_is_judged_in_the_seeds_township_only(world):
    _loan(_member(village=world.other_township_village), 200_000_00)
    assert _findings("household_balance_cap", D(2024, 12, 31)) == []


# -- repaid by the due day (陇县十条 九; 山西十二条 七 asks the same of 2020's loans) -----------------------------

@pytest.mark.parametrize(("repaid", "on", "status"), [
    (D(2025, 3, 1), D(2025, 12, 31), MET),  # on the due day itself
    (D(2025, 3, 2), D(2025, 12, 31), MISSED),  # a day late
    (None, D(2025, 3, 1), PENDING),  # open on the due day
    (None, D(2025, 3, 2), MISSED),  # open the day after: overdue
    (D(2025, 1, 10), D(2025, 1, 10), MET),  # repaid before the day: met at once
])
def test_a_loan_is_repaid_by_its_due_day(world, repaid, on, status):
    loan = _loan(_member(village=world.longxian_village, region="610327"), 30_000_00)
    Repayment.objects.create(loan=loan, repaid_on=D(2024, 9, 1), principal=10_000_00)
    if repaid:
        Repayment.objects.create(loan=loan, repaid_on=repaid, principal=20_000_00)
    [finding] = _findings("longxian_repaid_by_due", on, area=LONGXIAN)
    assert finding.status == status
    assert "应于2025-03-01前还清" in finding.explanation and "陇县十条 九" in finding.explanation


def test_the_explanations_read_naturally(world):
    member = _member(village=world.longxian_village, region="610327")
    open_ = _loan(member, 30_000_00, code="OPEN")
    Repayment.objects.create(loan=open_, repaid_on=D(2024, 9, 1), principal=10_000_00)
    done = _loan(member, 30_000_00, code="DONE")
    Repayment.objects.create(loan=done, repaid_on=D(2025, 2, 20), principal=30_000_00)
    found = {f.subject.label.split("（")[0]: f for f in _findings("longxian_repaid_by_due", D(2025, 3, 11), area=LONGXIAN)}
    assert found["贷款OPEN"].explanation.startswith(
        "贷款OPEN（王建国，平鲁区农村信用合作联社）：应于2025-03-01前还清，截至2025-03-11尚余本金20,000.00元未还，已逾期10天")
    assert found["贷款OPEN"].explanation.endswith("：未达标")
    assert "应于2025-03-01前还清，已于2025-02-20还清（陇县十条 九" in found["贷款DONE"].explanation


def test_an_extension_moves_the_due_day_and_the_year(world):
    loan = _loan(_member(village=world.longxian_village, region="610327"), 30_000_00, extended=D(2026, 3, 1))
    assert _findings("longxian_repaid_by_due", D(2025, 12, 31), area=LONGXIAN) == []  # due in 2026 now
    [finding] = _findings("longxian_repaid_by_due", D(2026, 2, 1), area=LONGXIAN)
    assert finding.status == PENDING and "原到期日2025-03-01，已展期" in finding.subject.label
    Repayment.objects.create(loan=loan, repaid_on=D(2026, 3, 1), principal=30_000_00)
    assert _findings("longxian_repaid_by_due", D(2026, 12, 31), area=LONGXIAN)[0].status == MET


def test_the_funds_compensation_counts_once_paid(world):
    loan = _loan(_member(village=world.longxian_village, region="610327"), 30_000_00)
    Repayment.objects.create(loan=loan, repaid_on=D(2025, 3, 1), principal=15_000_00)
    claim = Compensation.objects.create(loan=loan, applied_on=D(2025, 4, 1), amount=15_000_00)
    [open_] = _findings("longxian_repaid_by_due", D(2025, 6, 1), area=LONGXIAN)
    assert open_.status == MISSED and "尚余本金15,000.00元未还" in open_.explanation
    Compensation.objects.filter(pk=claim.pk).update(compensated_on=D(2025, 5, 1))
    [paid] = _findings("longxian_repaid_by_due", D(2025, 6, 1), area=LONGXIAN)
    assert paid.status == MISSED  # repaid, but late
    assert "已于2025-05-01还清（其中风险补偿代偿15,000.00元），逾期61天" in paid.explanation
    assert measures.balance_on(LONGXIAN, D(2025, 4, 30)) == 15_000_00
    assert measures.balance_on(LONGXIAN, D(2025, 5, 1)) == 0


def test_longxian_judges_its_own_loans(world):
    _loan(_member(village=world.longxian_village, region="610327"), 10_000_00)
    [finding] = _findings("longxian_repaid_by_due", D(2025, 12, 31), area="610327000000")
    assert finding.status == MISSED and "陇县十条 九" in finding.explanation
    assert _findings("shanxi_repaid_by_due", D(2025, 12, 31), area="610327000000") == []
    assert _findings("longxian_repaid_by_due", D(2025, 12, 31)) == []  # not in 平鲁区


# -- the area's figures and 湖南's province targets -----------------------------------------------------------------

def test_new_lending_and_balance_of_an_area(world):
    a, b = _member(), _member(village=WUJIAYAO)
    _loan(a, 10_000_00, issued=D(2023, 12, 31), due=D(2024, 12, 31))
    _loan(a, 20_000_00, issued=D(2024, 1, 1), due=D(2025, 1, 1))
    _loan(b, 40_000_00, issued=D(2024, 12, 31), due=D(2025, 12, 31))
    _loan(_member(village=world.longxian_village, region="610327"), 99_000_00, issued=D(2024, 6, 1))
    assert measures.new_lending(PINGLU, D(2024, 1, 1), D(2024, 12, 31)) == 60_000_00
    assert measures.new_lending(SHUANGNIAN_CUN, D(2024, 1, 1), D(2024, 12, 30)) == 20_000_00
    assert measures.balance_on(PINGLU, D(2024, 12, 31)) == 70_000_00
    ratio = measures.province_new_lending(PINGLU, 2024, D(2024, 6, 30), target_yuan=100_000)
    assert (ratio.numerator, ratio.denominator) == (20_000_00, 100_000_00)


def _check(check_id, **changes):
    check = next(c for c in checks.checks_of("credit") if c.id == check_id)
    return dataclasses.replace(check, **changes)


@pytest.mark.parametrize(("lent", "on", "status"), [
    (5_000_000_000_00, D(2022, 12, 31), MET),  # 50亿元以上: 50亿 itself
    (4_999_999_999_99, D(2022, 12, 31), MISSED),  # a fen short
    (6_000_000_000_00, D(2022, 12, 30), PENDING),  # judged on 31 December
    (0, D(2022, 12, 31), MISSED),
])
def test_hunans_new_lending_target(lent, on, status):
    check = _check("hunan_new_lending")
    finding = judge(check, Subject("湖南省", "430000000000"), 2022, on,
                    lambda day: Ratio(lent, 5_000_000_000_00, "2022年新增发放脱贫人口小额贷款", "目标"))
    assert finding.status == status
    assert check.target_text.startswith("全省当年新增发放不低于50亿元")


def test_hunans_targets_are_the_provinces(world):
    pinglu = OrgUnit.objects.get(code=PINGLU)
    assert {f.check.id for f in checks.for_area("credit", pinglu, year=2022, on=D(2022, 12, 31))}.isdisjoint(
        {"hunan_new_lending", "hunan_balance"})
    hunan = OrgUnit.objects.get(code="430000000000")
    found = {f.check.id: f for f in checks.for_area("credit", hunan, year=2022, on=D(2022, 12, 31))}
    assert set(found) == {"hunan_new_lending", "hunan_balance"}  # the province, no loans yet
    assert found["hunan_balance"].status == MISSED and "脱贫人口小额贷款余额0.00元" in found["hunan_balance"].explanation


def test_a_ceiling_with_no_base_has_no_data():
    check = _check("household_balance_cap")
    finding = judge(check, Subject("户", "140603203200", due=D(2024, 1, 1)), 2024, D(2024, 1, 1),
                    lambda day: Ratio(1, 0, "贷款余额合计", "单户上限"))
    assert finding.status == NO_DATA
    assert check.schedule[0].at_most == 1 and check.target_text == "单户贷款余额合计不超过10万元（含10万元）"


def test_the_list_shows_a_loans_balance_and_state(world):
    member = _member()
    loan = _loan(member, 30_000_00)
    Repayment.objects.create(loan=loan, repaid_on=D(2024, 9, 1), principal=10_000_00)
    extended = _loan(member, 10_000_00, extended=D(2026, 3, 1))
    assert measures.balance_shown(loan, D(2025, 1, 1)) == 20_000.0
    assert [measures.state_shown(loan, d) for d in (D(2025, 3, 1), D(2025, 3, 2))] == ["正常", "逾期"]
    assert measures.state_shown(extended, D(2025, 6, 1)) == "已展期"
    Repayment.objects.create(loan=loan, repaid_on=D(2025, 3, 1), principal=20_000_00)
    assert measures.state_shown(loan, D(2025, 3, 2)) == "已结清" and loan.year == 2025 and extended.year == 2026


def test_shanxis_quality_monitoring_asks_of_2020s_loans_only(world):
    """山西十二条 is the 2020 work's: a loan of 双碾村 due in 2020 is judged by it, one due in 2025 is not."""
    member = _member()
    _loan(member, 10_000_00, issued=D(2019, 3, 1), due=D(2020, 3, 1))
    _loan(member, 10_000_00)
    assert [f.status for f in _findings("shanxi_repaid_by_due", D(2020, 12, 31))] == [MISSED]
    assert _findings("shanxi_repaid_by_due", D(2025, 12, 31)) == []
