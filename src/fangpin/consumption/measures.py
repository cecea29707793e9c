"""What the consumption checks measure (checks.yaml): for each unit with the duty kept in the area, its year's share or
amount. A unit's place for a seed's region is the village it assists, else where it sits."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio, Subject
from fangpin.lib import divisions

from .models import Purchase

def _purchases(code: str, year: int, duty: str, level: str = ""):
    prefix = divisions.prefix(code)
    # the units kept in the area (where they sit), as the ledger's lists show them: a finding never names a unit its
    # reader cannot open
    qs = (Purchase.objects.filter(access.subtree("unit__org_unit_id", prefix), year=year, **{f"unit__{duty}": True})
          .select_related("unit").order_by("unit__credit_code"))
    return qs.filter(unit__level=level) if level else qs


def share(code: str, year: int, on: dt.date, *, duty: str, part: str, whole: str, part_label: str,
          whole_label: str, level: str = ""):
    """One (subject, ratio_on) for each unit with `duty`: its year's `part` over `whole`, judged at the year's end."""
    for p in _purchases(code, year, duty, level):
        subject = Subject(f"{p.unit.name}（{year}年）", p.unit.assisted_village_id or p.unit.org_unit_id,
                          reverse("ledger_entry", args=["consumption", "consumption_purchases", p.pk]),
                          due=dt.date(year, 12, 31))
        num, den = getattr(p, part), getattr(p, whole)
        ratio = Ratio(num or 0, den or 0, part_label, whole_label) if den else Ratio(0, 0, part_label, whole_label)
        yield subject, (lambda day, r=ratio: r)


def amount(code: str, year: int, on: dt.date, *, duty: str, part: str, quota: int, part_label: str, level: str):
    """One (subject, ratio_on) for each unit with `duty` at `level`: its year's `part` over the quota (fen)."""
    for p in _purchases(code, year, duty, level):
        subject = Subject(f"{p.unit.name}（{year}年）", p.unit.assisted_village_id or p.unit.org_unit_id,
                          reverse("ledger_entry", args=["consumption", "consumption_purchases", p.pk]),
                          due=dt.date(year, 12, 31))
        ratio = Ratio(getattr(p, part) or 0, quota, part_label, "包销任务")
        yield subject, (lambda day, r=ratio: r)
