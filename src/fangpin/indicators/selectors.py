"""What the indicator pages and the API read: snapshots and their values (never the facts, but for the rows behind a
number, which `rows.py` queries page by page)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from fangpin.accounts import access
from fangpin.lib.divisions import lineage
from fangpin.orgunits.models import OrgUnit

from .catalog import load_catalog
from .models import IndicatorValue, Snapshot


def snapshots_for(unit: OrgUnit, limit: int = 60) -> list[Snapshot]:
    """Finished snapshots that hold the unit, newest first (one per day: the latest taken)."""
    seen, out = set(), []
    for s in (Snapshot.objects.filter(state=Snapshot.State.DONE, area_id__in=lineage(unit.code)).select_related("area")
              .order_by("-on", "-id")[: limit * 3]):
        if s.on not in seen:
            seen.add(s.on)
            out.append(s)
    return out[:limit]


def snapshot_for(unit: OrgUnit, snapshot_id: str | int | None = None, on: dt.date | None = None) -> Snapshot | None:
    """The snapshot asked for (if it holds the unit), else the newest on or before `on` (any day if None)."""
    qs = Snapshot.objects.filter(state=Snapshot.State.DONE, area_id__in=lineage(unit.code))
    if snapshot_id:
        try:
            return qs.filter(pk=int(snapshot_id)).first()
        except (TypeError, ValueError):
            return None
    if on is not None:
        qs = qs.filter(on__lte=on)
    return qs.order_by("-on", "-id").first()


def unit_values(snapshot: Snapshot, unit: OrgUnit) -> dict[str, IndicatorValue]:
    return {v.indicator: v for v in IndicatorValue.objects.filter(snapshot=snapshot, unit=unit)}


def children_values(user, snapshot: Snapshot, unit: OrgUnit, indicator: str | None = None) -> list[IndicatorValue]:
    """The values of the units one level down that the user may see (with their names), one indicator or all."""
    qs = IndicatorValue.objects.filter(snapshot=snapshot, parent=unit).select_related("unit")
    if indicator:
        qs = qs.filter(indicator=indicator)
    return [v for v in qs.order_by("unit_id") if access.covers(user, v.unit_id)]


def trend(unit: OrgUnit, indicator: str, limit: int = 24) -> list[IndicatorValue]:
    """The unit's figure over the snapshots that hold it (oldest first, one per day): one probe of the unique index
    per snapshot."""
    shots = snapshots_for(unit, limit)
    values = {v.snapshot_id: v for v in IndicatorValue.objects.filter(
        snapshot_id__in=[s.pk for s in shots], unit=unit, indicator=indicator)}
    out = []
    for s in reversed(shots):
        if s.pk in values:
            values[s.pk].snapshot = s
            out.append(values[s.pk])
    return out


def indicators():
    return sorted(load_catalog().values(), key=lambda i: i.order)


STALE = dt.timedelta(hours=3)  # a run still "running" after this lost its worker (a province's takes minutes)


def running(area: OrgUnit, on: dt.date | None = None) -> list[Snapshot]:
    """Snapshots of the area still being computed (asked for and not done, not stale), of one day if `on`. A run whose
    worker died stays "running"; after STALE it no longer holds back a new request of its day."""
    from django.utils import timezone

    qs = Snapshot.objects.filter(area=area, state=Snapshot.State.RUNNING, created_at__gte=timezone.now() - STALE)
    if on is not None:
        qs = qs.filter(on=on)
    return list(qs.order_by("-id")[:10])


def failed(area: OrgUnit) -> list[Snapshot]:
    """The area's snapshots that failed and were not taken again since (the bureau that asked must learn of it)."""
    later = Snapshot.objects.filter(area=OuterRef("area"), on=OuterRef("on"), state=Snapshot.State.DONE,
                                    id__gt=OuterRef("id"))
    return list(Snapshot.objects.filter(area=area, state=Snapshot.State.FAILED).exclude(Exists(later))
                .order_by("-id")[:5])


JUDGED = ("met", "on_track", "at_risk", "missed", "no_data")


def children_statuses(user, snapshot: Snapshot, unit: OrgUnit) -> list[dict]:
    """How each unit one level down stands: its name and the number of its indicators in each status (targets that
    apply to it only), worst first. One query, whatever the number of units."""
    from django.db.models import Count

    rows = (IndicatorValue.objects.filter(snapshot=snapshot, parent=unit, status__in=JUDGED)
            .values("unit_id", "unit__name", "status").annotate(n=Count("id")).order_by())
    by_unit: dict[str, dict] = {}
    for r in rows:
        if access.covers(user, r["unit_id"]):
            u = by_unit.setdefault(r["unit_id"], {"code": r["unit_id"], "name": r["unit__name"]} | dict.fromkeys(JUDGED, 0))
            u[r["status"]] = r["n"]
    return sorted(by_unit.values(), key=lambda u: (-u["missed"], -u["at_risk"], u["code"]))


def judged_indicators(snapshot: Snapshot, unit: OrgUnit) -> set[str]:
    """The indicators judged against a target for the unit or a unit one level down on the snapshot's day."""
    from django.db.models import Q

    return set(IndicatorValue.objects.filter(Q(unit=unit) | Q(parent=unit), snapshot=snapshot, status__in=JUDGED)
               .values_list("indicator", flat=True).distinct())


def latest_judged(unit: OrgUnit, shots: list[Snapshot]) -> Snapshot | None:
    """The newest of `shots` in which a target applied to the unit or a unit one level down (a page whose day has none
    points to it: a seed's targets end with its period)."""
    from django.db.models import Q

    ids = [s.pk for s in shots]
    hit = (IndicatorValue.objects.filter(Q(unit=unit) | Q(parent=unit), snapshot_id__in=ids, status__in=JUDGED)
           .order_by("-snapshot__on").values_list("snapshot_id", flat=True).first())
    return next((s for s in shots if s.pk == hit), None)
