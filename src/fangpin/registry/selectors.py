"""Reads of the registry. Every one takes the user and goes through fangpin.accounts.access.scope."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from fangpin.accounts import access
from fangpin.lib import idnumber
from fangpin.orgunits.models import OrgUnit

from .models import Enterprise, Household, Member


def household_list(*, user, q: str = "", village: str = "", category: str = "") -> QuerySet[Household]:
    qs = access.scope(user, Household.objects.all())
    if village:
        qs = qs.filter(village__code__startswith=village)
    if category:
        qs = qs.filter(category=category)
    q = q.strip()
    if q:
        if len(q) >= 6 and q[:-1].isdigit():
            # An ID number (or its start) finds the household of that member; never by masked digits.
            qs = qs.filter(members__id_number__startswith=idnumber.normalize(q))
        else:
            qs = qs.filter(Q(members__name__contains=q) | Q(number__contains=q) | Q(village__name__contains=q))
        qs = qs.distinct()
    return qs.select_related("village", "village__parent").annotate(size=Count("members", distinct=True)).order_by("number")


def household_get(*, user, pk: int) -> Household:
    return get_object_or_404(access.scope(user, Household.objects.select_related("village", "village__parent")), pk=pk)


def household_members(*, user, household: Household) -> QuerySet[Member]:
    return access.scope(user, Member.objects.filter(household=household)).prefetch_related(
        "employments__employer", "trainings__institution", "startups"
    )


def household_head(*, user, household: Household) -> Member | None:
    return access.scope(user, Member.objects.filter(household=household, relation="head")).first()


def household_heads(*, user, households: list[Household]) -> dict[int, Member]:
    """The head of each household, by household id (one query for a page of households)."""
    qs = access.scope(user, Member.objects.filter(household__in=households, relation="head"))
    return {m.household_id: m for m in qs}


def household_history(*, user, household: Household) -> list:
    """The household's own changes and its members' and incomes', newest first."""
    access.require(user, "registry.read")
    records = list(household.history.select_related("history_user").all())
    member_ids = list(household.members.values_list("id", flat=True))
    records += list(Member.history.filter(Q(household_id=household.pk) | Q(id__in=member_ids)).select_related("history_user"))
    records += list(household.incomes.model.history.filter(household_id=household.pk).select_related("history_user"))
    records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    return records


def villages(*, user) -> QuerySet[OrgUnit]:
    return access.scope(user, OrgUnit.objects.filter(level="village"))


def orgunit_children(*, user, code: str | None) -> QuerySet[OrgUnit]:
    qs = access.scope(user, OrgUnit.objects.all())
    if code:
        return qs.filter(parent_id=code)
    return qs.filter(code=user.org_unit_id)


def enterprise_list(*, user) -> QuerySet[Enterprise]:
    return access.scope(user, Enterprise.objects.all()).select_related("org_unit")


def village_counts(*, user) -> QuerySet:
    return (
        access.scope(user, Household.objects.all())
        .values("village_id", "village__name", "category")
        .annotate(n=Count("id"))
        .order_by("village_id", "category")
    )
