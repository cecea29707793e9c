"""Households per village and category (VillageTally), recounted for the villages a write touched, in the write's
transaction: a village's count is one indexed GROUP BY over its own households, however large the city.

Saves and deletes of a household recount through signals (forms, API, the monitoring workflow, tests' direct
creates); bulk writes that send no signals (the importer) call recount() with the villages they wrote."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.db.models.signals import post_delete, post_save, pre_save

from fangpin.orgunits.locks import recount_villages

from .models import Household, VillageTally


def recount(villages: Iterable[str]) -> None:
    recount_villages(villages, _recount)


def _recount(chunk: list[str]) -> None:
    counts = (Household.objects.filter(village_id__in=chunk).order_by().values("village_id", "category")
              .annotate(n=Count("id")))
    VillageTally.objects.filter(village_id__in=chunk).delete()
    VillageTally.objects.bulk_create(VillageTally(village_id=c["village_id"], category=c["category"],
                                                  households=c["n"]) for c in counts)


def rebuild() -> None:
    """Every village from scratch (a migration, or after data was changed behind the application's back)."""
    VillageTally.objects.all().delete()
    counts = Household.objects.order_by().values("village_id", "category").annotate(n=Count("id"))
    VillageTally.objects.bulk_create((VillageTally(village_id=c["village_id"], category=c["category"],
                                                   households=c["n"]) for c in counts.iterator()), batch_size=2000)


def _before(sender, instance: Household, **kwargs) -> None:
    if instance.pk and not kwargs.get("raw"):
        instance._tally_villages = set(Household.objects.filter(pk=instance.pk).values_list("village_id", flat=True))


def _after(sender, instance: Household, **kwargs) -> None:
    if not kwargs.get("raw"):
        recount(getattr(instance, "_tally_villages", set()) | {instance.village_id})


def connect() -> None:
    pre_save.connect(_before, sender=Household, dispatch_uid="tally-before")
    post_save.connect(_after, sender=Household, dispatch_uid="tally-after")
    post_delete.connect(_after, sender=Household, dispatch_uid="tally-delete")
