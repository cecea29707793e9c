"""The workbench's and the overview's counts per village (MonitoringTally), recounted for the villages a write touched,
in the write's transaction: each is a handful of indexed GROUP BYs over one village's rows, however large the city.

Saves and deletes of households, warnings, cases, contact cadres and measures recount through signals; writes that
send none call recount() with their villages: the importer (households), the screening (warnings in bulk), the
workflow (a case's state moves by a conditional UPDATE) and the income accounting (accounts in bulk)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef
from django.db.models.signals import post_delete, post_save, pre_save

from fangpin.orgunits.locks import recount_villages
from fangpin.registry.choices import Category
from fangpin.registry.models import Household

from .models import Case, ContactCadre, IncomeAccount, Measure, MonitoringTally, Warning

CLOSED_CASES = ("done", "declined")


def _counts(villages: list[str]) -> Iterable[MonitoringTally]:
    households = Household.objects.filter(village_id__in=villages, category=Category.MONITORED).order_by()
    monitored = households.filter(risk_eliminated_on__isnull=True)
    by_type = {
        MonitoringTally.Measure.MONITORED: monitored,
        MonitoringTally.Measure.ELIMINATED: households.filter(risk_eliminated_on__isnull=False),
    }
    for measure, qs in by_type.items():
        for rec in qs.values("village_id", "monitor_type").annotate(n=Count("id")):
            yield MonitoringTally(village_id=rec["village_id"], measure=measure, key=rec["monitor_type"], n=rec["n"])
    undated = {
        # NOT EXISTS: each household probes its own pairings and measures by index (NOT IN read the whole city's)
        MonitoringTally.Measure.NO_CADRE: monitored.exclude(
            Exists(ContactCadre.objects.filter(household=OuterRef("pk"), until__isnull=True))),
        MonitoringTally.Measure.NO_MEASURES: monitored.exclude(Exists(Measure.objects.filter(household=OuterRef("pk")))),
    }
    for measure, qs in undated.items():
        for rec in qs.values("village_id").annotate(n=Count("id")):
            yield MonitoringTally(village_id=rec["village_id"], measure=measure, n=rec["n"])
    warnings = (Warning.objects.filter(status=Warning.Status.OPEN, household__village_id__in=villages).order_by()
                .values("household__village_id", "deadline").annotate(n=Count("id")))
    for rec in warnings:
        yield MonitoringTally(village_id=rec["household__village_id"], measure=MonitoringTally.Measure.WARNINGS,
                              due=rec["deadline"], n=rec["n"])
    cases = (Case.objects.exclude(state__in=CLOSED_CASES).filter(household__village_id__in=villages).order_by()
             .values("household__village_id", "state", "due").annotate(n=Count("id")))
    for rec in cases:
        yield MonitoringTally(village_id=rec["household__village_id"], measure=MonitoringTally.Measure.CASES,
                              key=rec["state"], due=rec["due"], n=rec["n"])
    bands = (IncomeAccount.objects.filter(household__village_id__in=villages).order_by()
             .values("household__village_id", "year", "band").annotate(n=Count("id")))
    for rec in bands:
        yield MonitoringTally(village_id=rec["household__village_id"], measure=MonitoringTally.Measure.BANDS,
                              key=f"{rec['year']}:{rec['band']}", n=rec["n"])


def recount(villages: Iterable[str]) -> None:
    recount_villages(villages, _recount)


def _recount(chunk: list[str]) -> None:
    MonitoringTally.objects.filter(village_id__in=chunk).delete()
    MonitoringTally.objects.bulk_create(_counts(chunk), batch_size=2000)


def rebuild() -> None:
    """Every village from scratch (the migration that adds the tallies, or after data changed behind the application)."""
    MonitoringTally.objects.all().delete()
    villages = list(Household.objects.order_by().values_list("village_id", flat=True).distinct())
    recount(villages)


def _village_of(instance) -> set[str]:
    if isinstance(instance, Household):
        return {instance.village_id}
    village = Household.objects.filter(pk=instance.household_id).values_list("village_id", flat=True).first()
    return {village} if village else set()


def _before(sender, instance, **kwargs) -> None:
    if isinstance(instance, Household) and instance.pk and not kwargs.get("raw"):
        instance._monitoring_villages = set(Household.objects.filter(pk=instance.pk).values_list("village_id", flat=True))


def _after(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        recount(getattr(instance, "_monitoring_villages", set()) | _village_of(instance))


def _after_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, Household):
        recount({instance.village_id})
    else:  # the household may be going too (cascade): its village from the row still there, else nothing to count
        recount(_village_of(instance))


def connect() -> None:
    pre_save.connect(_before, sender=Household, dispatch_uid="monitoring-tally-before")
    for model in (Household, Warning, Case, ContactCadre, Measure):
        post_save.connect(_after, sender=model, dispatch_uid=f"monitoring-tally-{model.__name__}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"monitoring-tally-delete-{model.__name__}")
