"""Reads for the monitoring pages, scoped through accounts.access."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from fangpin.accounts import access

from fangpin.registry.choices import Category
from fangpin.registry.models import Household

from .models import Case, ContactCadre, FeedUpload, IncomeAccount, MonitoringLine, OpenItem, ScreeningRun, Warning


def band_counts(*, user, year: int) -> list[dict]:
    """Households per village and band for the year, in the user's area."""
    qs = access.scope(user, IncomeAccount.objects.filter(year=year), "monitoring.read")
    return list(qs.values("household__village_id", "household__village__name", "band").annotate(n=Count("id"))
                .order_by("household__village_id", "band"))


def flagged(*, user, year: int, limit: int = 300):
    """Households below the line or at its edge, or whose income fell sharply: the lowest per-capita first."""
    qs = access.scope(user, IncomeAccount.objects.filter(year=year), "monitoring.read")
    return (qs.filter(Q(band__in=["below", "edge"]) | Q(sharp_fall=True)).select_related("household", "household__village")
            .order_by("per_capita")[:limit])


def lines_for(*, user, year: int) -> list[MonitoringLine]:
    """The lines that can apply in the user's area this year: national, the province's, and the county's (or, above a
    county, the counties' below)."""
    access.require(user, "monitoring.read")
    prefix = access.user_prefix(user)
    above = {"", prefix[:2]} | ({prefix[:6]} if len(prefix) >= 6 else set())
    below = Q(region_prefix__startswith=prefix) & ~Q(region_prefix="") if len(prefix) < 6 else Q(pk__in=[])
    return list(MonitoringLine.objects.filter(Q(region_prefix__in=above) | below, year=year).order_by("region_prefix"))


# --- work queues ---------------------------------------------------------------------------------------------------

# The case states each level works on; a leader reads them all.
LEVEL_STATES = {"village": ["village", "notice"], "township": ["township"], "county": ["county"]}


def _monitored(user):
    return access.scope(user, Household.objects.filter(category=Category.MONITORED, risk_eliminated_on__isnull=True),
                        "monitoring.read")


def queue(*, user, limit: int = 200) -> dict:
    """What the user's level has to do: warnings to verify, cases at its level, open green-channel items, monitored
    households without a cadre or without measures. Overdue first."""
    access.require(user, "monitoring.read")
    level = access.workflow_level(user)
    states = LEVEL_STATES.get(level, [s for v in LEVEL_STATES.values() for s in v])
    cases = access.scope(user, Case.objects.filter(state__in=states), "monitoring.read")
    monitored = _monitored(user)
    return {
        "warnings": access.scope(user, Warning.objects.filter(status=Warning.Status.OPEN), "monitoring.read")
        .select_related("household", "household__village").order_by("deadline", "id")[:limit],
        "cases": cases.select_related("household", "household__village", "locked_by").order_by("due", "id")[:limit],
        "open_items": access.scope(user, OpenItem.objects.filter(done_at__isnull=True), "monitoring.read")
        .select_related("case", "case__household").order_by("deadline")[:limit],
        "no_cadre": monitored.exclude(pk__in=ContactCadre.objects.filter(until__isnull=True).values("household_id"))
        .select_related("village")[:limit],
        "no_measures": monitored.filter(measures__isnull=True).select_related("village")[:limit],
    }


def village_counts(*, user, today) -> list[dict]:
    """One row per village of the user's area: monitored households, open and overdue warnings, cases under way,
    households without cadre or measures."""
    access.require(user, "monitoring.read")
    rows: dict[str, dict] = {}

    def add(qs, path: str, key: str, name_path: str):
        for rec in qs.values(path, name_path).annotate(n=Count("id", distinct=True)):
            row = rows.setdefault(rec[path], {"code": rec[path], "name": rec[name_path]})
            row[key] = rec["n"]

    monitored = _monitored(user)
    add(monitored, "village_id", "monitored", "village__name")
    warnings = access.scope(user, Warning.objects.filter(status=Warning.Status.OPEN), "monitoring.read")
    add(warnings, "household__village_id", "warnings", "household__village__name")
    add(warnings.filter(deadline__lt=today), "household__village_id", "warnings_overdue", "household__village__name")
    cases = access.scope(user, Case.objects.exclude(state__in=["done", "declined"]), "monitoring.read")
    add(cases, "household__village_id", "cases", "household__village__name")
    add(cases.filter(due__lt=today), "household__village_id", "cases_overdue", "household__village__name")
    add(monitored.exclude(pk__in=ContactCadre.objects.filter(until__isnull=True).values("household_id")),
        "village_id", "no_cadre", "village__name")
    add(monitored.filter(measures__isnull=True), "village_id", "no_measures", "village__name")
    return sorted(rows.values(), key=lambda r: r["code"])


def case_get(*, user, pk: int) -> Case:
    return access.scope(user, Case.objects.select_related("household", "household__village", "opened_by",
                                                          "locked_by"), "monitoring.read").filter(pk=pk).first() or _missing()


def warning_get(*, user, pk: int) -> Warning:
    return access.scope(user, Warning.objects.select_related("household", "household__village", "case"),
                        "monitoring.read").filter(pk=pk).first() or _missing()


def household_monitoring(*, user, household) -> dict:
    """The monitoring side of one household (already fetched through the registry's scope)."""
    access.require(user, "monitoring.read")
    return {
        "cadres": list(household.contact_cadres.all()),
        "measures": list(household.measures.all()),
        "cases": list(household.cases.select_related("opened_by").all()),
        "warnings": list(household.warnings.order_by("-created_at")),
        "accounts": list(household.income_accounts.order_by("-year")[:3]),
    }


def uploads(*, user, limit: int = 50):
    return access.feed_scope(user, FeedUpload.objects.select_related("region", "uploaded_by"))[:limit]


def runs(*, user, limit: int = 20):
    return access.scope(user, ScreeningRun.objects.select_related("started_by"), "monitoring.screen")[:limit]


def run_problems(*, user, run: ScreeningRun, limit: int = 500):
    return run.problems.select_related("upload")[:limit]


def run_get(*, user, pk: int) -> ScreeningRun:
    return access.scope(user, ScreeningRun.objects.select_related("started_by", "region"), "monitoring.screen").filter(
        pk=pk).first() or _missing()


def measure_get(*, household, pk: int):
    """A measure of a household the caller already fetched through the registry's scope."""
    return household.measures.filter(pk=pk).first() or _missing()


def _missing():
    raise Http404("没有该记录，或不在您的管辖范围内")
