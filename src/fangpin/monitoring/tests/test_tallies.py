"""The workbench's maintained counts equal a fresh count after every kind of write: warnings raised and verified,
cases opened and moved through the procedure (a conditional UPDATE), cadres and measures, households enrolled,
moved and deleted, an import; overdue counts follow the date without a recount."""
import datetime as dt
from decimal import Decimal

from django.db.models import Count

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import importer
from fangpin.exchange.tests.helpers import household, member, workbook
from fangpin.monitoring import selectors, services, tallies, workflow
from fangpin.monitoring.models import Case, ContactCadre, IncomeAccount, Measure, MonitoringTally, Warning
from fangpin.registry.models import Household, IncomeRecord

from .test_workflow import APPRAISAL, TODAY, new_case

LATER = TODAY + dt.timedelta(days=30)


def fresh(today) -> dict:
    """The counts the workbench showed before the tallies, from the rows themselves."""
    out: dict = {}

    def add(rows, village, key):
        for r in rows:
            out[(r[village], key)] = r["n"]

    monitored = Household.objects.filter(category="monitored", risk_eliminated_on__isnull=True).order_by()
    add(monitored.values("village_id").annotate(n=Count("id")), "village_id", "monitored")
    add(monitored.exclude(pk__in=ContactCadre.objects.filter(until__isnull=True).values("household_id"))
        .values("village_id").annotate(n=Count("id")), "village_id", "no_cadre")
    add(monitored.filter(measures__isnull=True).values("village_id").annotate(n=Count("id")), "village_id",
        "no_measures")
    warnings = Warning.objects.filter(status="open").order_by()
    add(warnings.values("household__village_id").annotate(n=Count("id")), "household__village_id", "warnings")
    add(warnings.filter(deadline__lt=today).values("household__village_id").annotate(n=Count("id")),
        "household__village_id", "warnings_overdue")
    cases = Case.objects.exclude(state__in=["done", "declined"]).order_by()
    add(cases.values("household__village_id").annotate(n=Count("id")), "household__village_id", "cases")
    add(cases.filter(due__lt=today).values("household__village_id").annotate(n=Count("id")), "household__village_id",
        "cases_overdue")
    # the keyed parts: monitored by type and by stage, cases by stage, households by income band and year
    def add_keyed(rows, village, measure, *fields):
        for r in rows:
            key = f"{measure}:{':'.join(str(r[f]) for f in fields)}"
            out[(r[village], key)] = out.get((r[village], key), 0) + r["n"]

    add_keyed(monitored.values("village_id", "monitor_type").annotate(n=Count("id")), "village_id", "monitored",
              "monitor_type")
    eliminated = Household.objects.filter(category="monitored", risk_eliminated_on__isnull=False).order_by()
    add(eliminated.values("village_id").annotate(n=Count("id")), "village_id", "eliminated")
    add_keyed(eliminated.values("village_id", "monitor_type").annotate(n=Count("id")), "village_id", "eliminated",
              "monitor_type")
    add_keyed(cases.values("household__village_id", "state").annotate(n=Count("id")), "household__village_id",
              "cases", "state")
    add_keyed(IncomeAccount.objects.order_by().values("household__village_id", "year", "band").annotate(n=Count("id")),
              "household__village_id", "bands", "year", "band")
    return {k: v for k, v in out.items() if v}


def kept(user, today) -> dict:
    return {(r["code"], k): v for r in selectors.village_counts(user=user, today=today) for k, v in r.items()
            if k not in ("code", "name", "level") and v}


def check(world, today=TODAY):
    assert kept(world.county, today) == fresh(today)


def warning(h, deadline, status="open"):
    return Warning.objects.create(household=h, rule="medical", label="医疗", period="2026", risk="medical", reason="r",
                                  source_count=1, deadline=deadline, status=status)


def test_tallies_follow_every_write(world, households, tmp_path):
    h, m = households["shuangnian"], households["wujiayao"]  # a lifted household; a monitored one
    check(world)
    w = warning(h, TODAY - dt.timedelta(days=1))  # overdue today
    warning(m, TODAY + dt.timedelta(days=5))
    check(world)
    check(world, LATER)  # the second is overdue later: no recount needed, the date decides
    w.status = "dismissed"
    w.save()
    check(world)
    ContactCadre.objects.create(household=m, name="王干部", unit="乡政府", phone="1", since=TODAY)
    check(world)
    Measure.objects.create(household=m, kind="employment", description="务工", start=TODAY, created_by=world.clerk)
    check(world)
    case = new_case(world, h)  # a case at the village, due in ten days
    check(world)
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)  # UPDATE, no signal
    check(world)
    check(world, LATER)
    m.village_id = SHUANGNIAN_CUN  # moved: both villages recounted
    m.save()
    check(world)
    m.category, m.monitor_type = "lifted", ""
    m.save()
    check(world)
    other = make_household(WUJIAYAO, "1406032032030099", category="monitored", monitor_type="marginal")
    check(world)
    other.delete()
    check(world)
    path = workbook(tmp_path / "in.xlsx", {
        "households": [household("T1", category="监测户", monitor_type="边缘易致贫户"),
                       household(h.number, village=WUJIAYAO)],  # an existing one moves, with its case
        "members": [member("T1", "110101199001011237")]})
    assert importer.import_file(user=world.county, path=path).ok
    check(world)
    eliminated = make_household(SHUANGNIAN_CUN, "1406032032000098", category="monitored", monitor_type="unstable")
    eliminated.risk_eliminated_on = TODAY
    eliminated.save()
    check(world)
    # income accounting in bulk: bands per year, moved when an account changes band
    services.set_line(None, region_prefix="14", year=2025, line_yuan=Decimal(7000), reason="省定")
    IncomeRecord.objects.create(household=h, year=2025, wage=3_000_000)
    services.recompute(world.county, 2025)
    check(world)
    IncomeRecord.objects.filter(household=h, year=2025).update(wage=100)
    assert [c.after for c in services.recompute(world.county, 2025)] == ["below"]
    check(world)
    MonitoringTally.objects.all().delete()
    tallies.rebuild()
    check(world)
    check(world, LATER)


def test_the_workbench_rolls_up_one_level_at_a_time(world, households):
    warning(households["wujiayao"], TODAY - dt.timedelta(days=1))
    county = selectors.area_counts(user=world.county, today=TODAY, unit=world.county.org_unit)
    township = next(r for r in county if r["code"] == "140603203000")
    assert (township["level"], township["monitored"], township["warnings"], township["warnings_overdue"]) == (
        "township", 1, 1, 1)
    villages = selectors.area_counts(user=world.county, today=TODAY, unit=world.township.org_unit)
    assert [(r["name"], r["warnings"]) for r in villages if r.get("warnings")] == [("吴家窑村委会", 1)]
