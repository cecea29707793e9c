"""What the five-haves gap pages read, in the user's area (views never query models themselves)."""
from __future__ import annotations

import datetime as dt

from django.db.models import DateField, IntegerField, Value
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

from . import haves


def judged_on(year: int) -> dt.date:
    """The day a year's gaps are shown for: today, or the year's end for a past year (today for a year to come)."""
    today = timezone.localdate()
    return haves.as_of(year, today) or today


def _tagged(qs, year: int, day: dt.date):
    """Rows carry the year and day they were judged for, so a page's (or an export job's) rows are shown alike."""
    return qs.annotate(haves_year=Value(year, IntegerField()), haves_day=Value(day, DateField()))


def village_gaps(user, *, area: str = "", year: int, gaps_only: bool = False):
    """The area's judged villages with the flags of their haves."""
    access.require(user, "ledgers.read")
    day = judged_on(year)
    qs = access.scope(user, OrgUnit.objects.all(), "ledgers.read")
    if divisions.is_code(area):
        qs = qs.filter(access.subtree("code", divisions.prefix(area)))
    qs = haves.village_flags(haves.population_villages(qs, year).select_related("parent"), year, day)
    if gaps_only:
        qs = qs.filter(haves.village_gap(year, day))
    return _tagged(qs, year, day)


def household_gaps(user, *, area: str = "", year: int, gaps_only: bool = False):
    """The area's lifted and monitored households with the flags of their haves."""
    access.require(user, "ledgers.read")
    day = judged_on(year)
    qs = access.scope(user, Household.objects.filter(category__in=haves.POPULATION), "ledgers.read")
    if divisions.is_code(area):
        qs = qs.filter(access.subtree("village_id", divisions.prefix(area)))
    qs = haves.household_flags(qs.select_related("village__parent"), year, day)
    if gaps_only:
        qs = qs.filter(haves.HOUSEHOLD_GAP)
    return _tagged(qs, year, day)


def village_tallies(user, villages: list, year: int, day: dt.date) -> dict[str, haves.VillageTally]:
    """Village code -> the tally of its households' haves, for a page of villages (one query)."""
    qs = access.scope(user, Household.objects.filter(village__in=[v.code for v in villages]), "ledgers.read")
    return haves.tallies(qs, year, day)
