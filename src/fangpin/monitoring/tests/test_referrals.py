"""Linkage with civil affairs (湖南十条 五; 双发〔2022〕67号 第26条): the referral rules' boundaries and exclusions, the list
generated once per household, kind and year, its round trip through civil affairs (export, answers filled in, import;
a bad answer names its row and column and nothing is written), the check, and low-income people coming in."""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.monitoring import referrals, services
from fangpin.monitoring.ledger import REFERRALS
from fangpin.monitoring.models import Case, IncomeAccount, Referral
from fangpin.registry.models import Household, Member

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


def monitored(number, *, members=2, monitor_type="marginal", **kwargs):
    return make_household(SHUANGNIAN_CUN, number, category="monitored", monitor_type=monitor_type, members=members,
                          **kwargs)


def account(h, net_income, size=2, year=2025):
    IncomeAccount.objects.create(household=h, year=year, size=size, net_income=net_income,
                                 per_capita=net_income // size, line=750000, band="below")


def kinds(today=TODAY):
    return {(h.number, kind) for h, kind, _ in referrals.candidates(Household.objects.all(), today=today)}


@pytest.fixture
def dibao_line(world):
    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(7500), reason="省", dibao_yuan=Decimal(6000))


def test_dibao_is_strictly_below_the_standard_of_last_year_on_totals(world, dibao_line):
    at, below = monitored("1406032032000101"), monitored("1406032032000102")
    account(at, 1_200_000)      # 6,000.00 a person: the standard itself, not below
    account(below, 1_199_999)   # a fen short in all
    eliminated = monitored("1406032032000103")
    account(eliminated, 100)
    Household.objects.filter(pk=eliminated.pk).update(risk_eliminated_on=dt.date(2026, 1, 1))
    lifted = make_household(SHUANGNIAN_CUN, "1406032032000104", members=2)  # not monitored
    account(lifted, 100)
    assert kinds() == {(below.number, "dibao")}


def test_a_county_standard_wins_and_without_one_nothing_is_referred(world, dibao_line):
    h = monitored("1406032032000105")
    account(h, 1_300_000)  # 6,500 a person: above the province's 6,000
    assert kinds() == set()
    services.set_line(world.county, region_prefix="140603", year=2025, line_yuan=Decimal(7500), reason="区",
                      dibao_yuan=Decimal(7000))
    assert kinds() == {(h.number, "dibao")}
    assert kinds(today=dt.date(2027, 3, 1)) == set()  # 2026's accounting has no standard


def test_tekun_is_a_one_person_household_without_labor_or_of_age(world):
    no_labor = monitored("1406032032000106", members=1)
    Member.objects.filter(household=no_labor).update(labor_capacity="none")
    of_age, young = monitored("1406032032000107", members=1), monitored("1406032032000108", members=1)
    Member.objects.filter(household=of_age).update(birth_date=dt.date(1966, 3, 10))   # 60 on the day
    Member.objects.filter(household=young).update(birth_date=dt.date(1966, 3, 11))    # 60 tomorrow
    two = monitored("1406032032000109", members=2)
    Member.objects.filter(household=two).update(labor_capacity="none", birth_date=dt.date(1940, 1, 1))
    assert kinds() == {(no_labor.number, "tekun"), (of_age.number, "tekun")}


def test_temporary_relief_is_a_sudden_hardship_enrolled_within_the_days(world):
    recent = monitored("1406032032000110", monitor_type="sudden_hardship")
    old = monitored("1406032032000111", monitor_type="sudden_hardship")
    other = monitored("1406032032000112", monitor_type="marginal")
    for h, opened in ((recent, dt.date(2025, 12, 10)), (old, dt.date(2025, 12, 9)), (other, dt.date(2026, 3, 1))):
        c = Case.objects.create(kind="enrollment", household=h, channel="self_application", monitor_type=h.monitor_type,
                                risk_causes="火灾", green=True, green_cause="major_change", opened_by=world.clerk)
        Case.objects.filter(pk=c.pk).update(opened_at=dt.datetime.combine(opened, dt.time(12), tzinfo=dt.UTC))
    assert kinds() == {(recent.number, "temporary")}  # 90 days before 2026-03-10 is 2025-12-10


def test_the_list_is_generated_once_by_the_county_in_its_area(world, dibao_line):
    h = monitored("1406032032000113")
    account(h, 100)
    for user in (world.clerk, world.township, world.leader):
        with pytest.raises(PermissionDenied):
            referrals.generate(user)
    assert referrals.generate(world.other_county, today=TODAY).new == 0  # 陇县 sees no 平鲁区 household
    first = referrals.generate(world.county, today=TODAY)
    r = Referral.objects.get()
    assert (first.new, r.code, r.kind, r.referred_on) == (1, f"2026-低保-{h.number}", "dibao", TODAY)
    assert "低于农村低保标准6,000.00元" in r.reason and r.history.first().history_user == world.county
    again = referrals.generate(world.county, today=TODAY)
    assert (again.new, again.known) == (0, 1) and Referral.objects.count() == 1
    counts = {c["kind"]: c for c in referrals.counts(world.county)}
    assert (counts["dibao"]["total"], counts["dibao"]["waiting"]) == (1, 1)


def test_the_referral_list_goes_to_civil_affairs_and_their_answers_come_back(world, dibao_line, tmp_path):
    a, b, c = monitored("1406032032000114"), monitored("1406032032000115"), monitored("1406032032000119")
    account(a, 100)
    account(b, 200)
    account(c, 300)
    referrals.generate(world.county, today=timezone.localdate() - dt.timedelta(days=20))
    out = tmp_path / "转介名单.xlsx"
    exporter.write_xlsx(world.county, REFERRALS, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["转介名单"]
    headers = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "转介编号")]
    col = {h: i + 1 for i, h in enumerate(headers)}
    first = next(r[0].row for r in ws.iter_rows() if isinstance(r[0].value, str) and r[0].value.endswith(a.number))
    decided = str(timezone.localdate() - dt.timedelta(days=5))
    ws.cell(first, col["民政反馈结果"], "已纳入")
    ws.cell(first, col["反馈日期"], decided)
    ws.cell(first, col["反馈说明"], "已纳入农村低保")
    ws.cell(first + 1, col["民政反馈结果"], "审核中")
    back = tmp_path / "民政反馈.xlsx"
    wb.save(back)
    result = import_file(user=world.county, ledger=REFERRALS, path=back)
    assert result.ok, result.problems
    got = {r.household.number: (r.result, str(r.decided_on), r.note) for r in Referral.objects.all()}
    assert got == {a.number: ("granted", decided, "已纳入农村低保"), b.number: ("in_progress", "None", ""),
                   c.number: ("", "None", "")}
    assert Referral.objects.get(household=a).history.first().history_user == world.county

    # A bad answer: a result without its date, a date before the referral; nothing is written.
    ws.cell(first, col["反馈日期"]).value = None
    ws.cell(first + 1, col["民政反馈结果"], "不符合条件未纳入")
    ws.cell(first + 1, col["反馈日期"], "2000-01-01")
    ws.cell(first + 2, col["反馈日期"], decided)  # a date without a result
    wb.save(back)
    result = import_file(user=world.county, ledger=REFERRALS, path=back)
    found = {(p.sheet, p.row, p.letter) for p in result.problems}
    letter = openpyxl.utils.get_column_letter(col["反馈日期"])
    assert ("转介名单", first, letter) in found and ("转介名单", first + 1, letter) in found
    assert ("转介名单", first + 2, openpyxl.utils.get_column_letter(col["民政反馈结果"])) in found
    assert Referral.objects.get(household=b).result == "in_progress"


def test_an_unanswered_referral_misses_the_check_thirty_days_on(world, dibao_line):
    from fangpin.monitoring.measures import referral_answered

    h = monitored("1406032032000116")
    r = Referral.objects.create(code="2025-低保-x", household=h, kind="dibao", reason="测试",
                                referred_on=dt.date(2025, 10, 1))
    (subject, ratio_on), = referral_answered("140603203000", 2025, dt.date(2025, 12, 31))
    assert subject.due == dt.date(2025, 10, 31) and ratio_on(subject.due).numerator == 0
    Referral.objects.filter(pk=r.pk).update(result="granted", decided_on=dt.date(2025, 10, 31))
    (subject, ratio_on), = referral_answered("140603203000", 2025, dt.date(2025, 12, 31))
    assert ratio_on(dt.date(2025, 10, 31)).numerator == 1 and ratio_on(dt.date(2025, 10, 30)).numerator == 0


def test_low_income_people_not_monitored_come_in_as_warnings(world):
    from fangpin.monitoring import department, screening
    from fangpin.monitoring.models import ScreeningRun, Warning

    lifted = make_household(SHUANGNIAN_CUN, "1406032032000117")
    at_risk = monitored("1406032032000118", members=1)
    rule = screening.RULES.rule("low_income_not_monitored")
    import polars as pl

    rows = [{"household_id": h.pk, "village_code": SHUANGNIAN_CUN, "rule": rule.id, "period": "2025", "subject": "",
             "risk": "income", "reason": "低收入", "total": 0, "count": 1, "days": 15, "person_ids": [],
             "sources": [{"upload_id": 1, "row": 2}]} for h in (lifted, at_risk)]
    run = ScreeningRun.objects.create(region_id="140603000000", started_by=world.county)
    new, _ = department._write_warnings(run, pl.DataFrame(rows, schema=screening.WARNINGS_SCHEMA), TODAY)
    assert new == 1 and Warning.objects.get().household == lifted
    assert rule.skip_monitored
