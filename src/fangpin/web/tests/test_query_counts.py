"""Pages and API lists run a fixed number of queries whatever the data's size (no N+1): each is rendered with a few
households, then again after more households (with members, work spells, an employer, incomes and warnings) were
added to the same village, and must not run more queries the second time."""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.lib import creditcode
from fangpin.registry.models import Employment, Enterprise, Household, IncomeRecord

_seq = iter(range(1, 10_000))


def grow(n: int, members: int = 3) -> Household:
    """n more households in 双碾村, each with `members` members, a work spell each at one employer, an income, a
    warning, and a cadre of the village's roster paired with it."""
    from fangpin.monitoring.models import Cadre, ContactCadre, IncomeAccount, Warning

    employer, _ = Enterprise.objects.get_or_create(
        credit_code=creditcode.make("140603", "MA0000901"),
        defaults={"name": "双碾车间", "kind": "workshop", "org_unit_id": SHUANGNIAN_CUN})
    last = None
    for _ in range(n):
        i = next(_seq)
        h = make_household(SHUANGNIAN_CUN, f"1406032032009{i:03d}", members=members, head_name=f"王{i}",
                           category="monitored" if i % 2 else "lifted", monitor_type="marginal" if i % 2 else "")
        for m in h.members.all():
            Employment.objects.create(member=m, year=2025, place="in_county", employer=employer,
                                      start_date=dt.date(2025, 3, 1), months=5, monthly_wage=200000)
        IncomeRecord.objects.create(household=h, year=2025, wage=1_000_000)
        IncomeAccount.objects.create(household=h, year=2025, size=members, net_income=1_000_000,
                                     per_capita=1_000_000 // members, line=700_000, band="below", fell=True)
        Warning.objects.create(household=h, rule="medical", label="大额医疗支出", period="2025", risk="medical",
                               reason="测试", source_count=1, deadline=dt.date(2026, 12, 31))
        cadre = Cadre.objects.create(org_unit_id=SHUANGNIAN_CUN, name=f"干部{i}", unit="村委会", phone=str(i))
        ContactCadre.objects.create(household=h, cadre=cadre, name=cadre.name, unit=cadre.unit, phone=cadre.phone,
                                    since=dt.date(2026, 1, 1))
        last = h
    return last


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.content[:300])
    return len(ctx.captured_queries)


PAGES = ["/", "/households/", "/households/?q=王", "/households/?q=1406032032", "/enterprises/", "/monitoring/",
         "/monitoring/income/", "/monitoring/warnings/", "/monitoring/warnings/?status=open&sort=-created",
         "/monitoring/cases/", "/monitoring/measures/", "/policies/roster/?village=140603203200&as_of=2025-06-30",
         "/monitoring/cadres/", "/monitoring/cadres/?village=140603203200&sort=-org_unit",
         "/monitoring/income/?year=2025", "/monitoring/income/households/?year=2025", "/api/households",
         "/api/households?q=王", "/api/monitoring/warnings", "/api/monitoring/villages", "/api/orgunits", "/exports/"]


@pytest.mark.parametrize("who", ["clerk", "county"])
def test_pages_do_not_run_more_queries_with_more_data(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    first = grow(3)
    before = {url: count(client, url) for url in PAGES}
    before["household"] = count(client, f"/households/{first.pk}/")
    # on a date 双发〔2022〕67号 is in force: the engine reads the household's rows
    before["household_in_force"] = count(client, f"/households/{first.pk}/?as_of=2025-06-30")
    before["household_api"] = count(client, f"/api/households/{first.pk}")
    before["household_history_api"] = count(client, f"/api/households/{first.pk}/history")
    employer = Enterprise.objects.get()
    before["enterprise"] = count(client, f"/enterprises/{employer.pk}/")
    before["enterprise_in_force"] = count(client, f"/enterprises/{employer.pk}/?as_of=2025-06-30")
    last = grow(12, members=6)  # the household shown the second time has twice the members and work spells
    after = {url: count(client, url) for url in PAGES}
    after["household"] = count(client, f"/households/{last.pk}/")
    after["household_in_force"] = count(client, f"/households/{last.pk}/?as_of=2025-06-30")
    after["household_api"] = count(client, f"/api/households/{last.pk}")
    after["household_history_api"] = count(client, f"/api/households/{last.pk}/history")
    after["enterprise"] = count(client, f"/enterprises/{employer.pk}/")  # five times the workers
    after["enterprise_in_force"] = count(client, f"/enterprises/{employer.pk}/?as_of=2025-06-30")
    grown = {k: (before[k], after[k]) for k in before if after[k] > before[k]}
    assert grown == {}, f"queries grow with the data: {grown}"


def grow_ledgers(n: int) -> None:
    """n more projects in 双碾村, each with funds allocated and spent (one a work-for-relief project), and n more units
    with a year's purchases."""
    from fangpin.consumption.models import Purchase, Unit
    from fangpin.funds.models import Allocation, Expenditure, Project

    for _ in range(n):
        i = next(_seq)
        p = Project.objects.create(code=f"Q-{i}", name=f"项目{i}", year=2025, org_unit_id=SHUANGNIAN_CUN,
                                   kind="infrastructure" if i % 2 else "industry",
                                   relief_mode="dedicated" if i % 2 else "none", stored_on=dt.date(2025, 1, 2),
                                   announced_on=dt.date(2025, 1, 9), started_on=dt.date(2025, 2, 1),
                                   completed_on=dt.date(2025, 9, 1))
        for source in ("central", "county"):
            Allocation.objects.create(project=p, source=source, fund_kind="linkage", amount=100_000,
                                      allocated_on=dt.date(2025, 2, 1))
            Expenditure.objects.create(project=p, source=source, fund_kind="linkage", amount=50_000,
                                       paid_on=dt.date(2025, 6, 1), labour=bool(i % 2))
        u = Unit.objects.create(credit_code=creditcode.make("140603", f"MA{i:07d}"), name=f"单位{i}", level="county",
                                org_unit_id=SHUANGNIAN_CUN[:9] + "000", five_entries=True, canteen=True,
                                assisting=True, assisted_village_id=SHUANGNIAN_CUN)
        Purchase.objects.create(unit=u, year=2025, canteen_total=100, canteen_directed=20, farm_total=100,
                                farm_832=10, welfare_budget=100, welfare_bought=30, bulk_bought=1_000_000)
        grow_people_ledgers(i)


def grow_people_ledgers(i: int) -> None:
    """A lifted household of 双碾村 with a loan (repaid in part) and a village post held by its head; an asset with
    its year's income."""
    from fangpin.assets.tests.factories import asset, asset_income
    from fangpin.credit.models import Loan, Repayment
    from fangpin.employment.models import Post, PostHolder

    head = make_household(SHUANGNIAN_CUN, f"1406032032008{i:03d}", head_name=f"李{i}").members.get()
    loan = Loan.objects.create(code=f"QL-{i}", member=head, bank="农商行", issued_on=dt.date(2025, 3, 1),
                               due_on=dt.date(2026, 3, 1), amount=3_000_000, rate="3.85", use="livestock")
    Repayment.objects.create(loan=loan, repaid_on=dt.date(2025, 9, 1), principal=1_000_000)
    post = Post.objects.create(code=f"QP-{i}", village_id=SHUANGNIAN_CUN, name="保洁员", kind="village",
                               funding="pv_income", monthly_wage=50_000, created_on=dt.date(2025, 1, 1))
    PostHolder.objects.create(post=post, member=head, started_on=dt.date(2025, 1, 1))
    asset_income(asset(f"QZ-{i}"), year=2025)


@pytest.mark.parametrize("who", ["clerk", "county"])
def test_ledger_pages_do_not_run_more_queries_with_more_rows(world, who):
    from fangpin.funds.models import Allocation, Project

    client = Client()
    client.force_login(getattr(world, who))
    grow_ledgers(2)
    pages = ["/ledgers/", "/ledgers/funds/?year=2025&on=2025-12-31", "/ledgers/funds/fund_projects/",
             "/ledgers/funds/fund_allocations/?year=2025", "/ledgers/consumption/?year=2025&on=2025-12-31",
             "/ledgers/consumption/consumption_purchases/", "/api/ledgers/funds/fund_projects",
             "/ledgers/credit/credit_loans/", "/ledgers/credit/credit_repayments/", "/ledgers/posts/employment_post_holders/",
             "/ledgers/assets/asset_incomes/", "/ledgers/credit/?year=2025&on=2025-12-31",
             "/ledgers/posts/?year=2025&on=2025-12-31", "/ledgers/assets/?year=2025&on=2025-12-31",
             "/ledgers/rectification/rectification_problems/", "/api/ledgers/credit/credit_loans",
             "/api/ledgers/funds/checks?year=2025&on=2025-12-31", "/api/ledgers/consumption/checks?year=2025"]
    first = Project.objects.order_by("pk").first()
    before = {url: count(client, url) for url in pages}
    before["entry"] = count(client, f"/ledgers/funds/fund_projects/{first.pk}/?on=2025-12-31")
    grow_ledgers(10)
    Allocation.objects.create(project=first, source="province", fund_kind="linkage", amount=1,
                              allocated_on=dt.date(2025, 2, 2))
    after = {url: count(client, url) for url in pages}
    after["entry"] = count(client, f"/ledgers/funds/fund_projects/{first.pk}/?on=2025-12-31")
    grown = {k: (before[k], after[k]) for k in before if after[k] > before[k]}
    assert grown == {}, f"queries grow with the data: {grown}"
