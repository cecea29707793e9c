"""Disasters and epidemics (湖南十条 一、五: 及时掌握受灾户情况，通过“绿色通道”先行救助帮扶，后履行有关程序). A county
records an event, its villages and its households in the disasters ledger; here it enrolls the affected households in
bulk: each becomes a green-channel enrollment case (enrolled at once as 突发严重困难户, the village, township and
county steps left as open items), unless the household is already monitored or has an enrollment case under way.
The outcome is kept on each affected row, so running it again changes nothing. The page starts it as a background job
(`start`: a county's list may have thousands of households, ~30 queries each); one runs per event at a time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fangpin.accounts import access
from fangpin.registry.choices import MonitorType

from . import tallies, workflow
from .models import AffectedHousehold, AffectedVillage, Case, DisasterEvent


@dataclass
class Enrolled:
    opened: int = 0
    monitored: int = 0  # already monitored, risk not eliminated
    under_way: int = 0  # an enrollment case already open
    outside: int = 0  # the household's village is not one the event hit
    villages: set = field(default_factory=set)


OPENED = "已通过绿色通道纳入"
MONITORED = "已是监测户（风险未消除）"
UNDER_WAY = "已有办理中的识别纳入案件"
OUTSIDE = "所在村不在受灾村名单中，未纳入"


STALE = dt.timedelta(hours=2)  # a run marked as started this long ago died with its worker: it may be started again


def summary(out: Enrolled) -> str:
    return (f"绿色通道纳入{out.opened}户，原已是监测户{out.monitored}户，已有办理中案件{out.under_way}户，"
            f"所在村不在受灾村名单中{out.outside}户")


def start(user, event: DisasterEvent) -> bool:
    """Start the bulk enrollment of the event in the background (checks as `enroll`); False when one is running."""
    from .tasks import enroll_event

    _may_enroll(user, event)
    now = timezone.now()
    started = (DisasterEvent.objects.filter(pk=event.pk)
               .filter(Q(enrolling_since__isnull=True) | Q(enrolling_since__lt=now - STALE))
               .update(enrolling_since=now))
    if started:
        transaction.on_commit(lambda: enroll_event.enqueue(event.pk, user.pk))
    return bool(started)


def run_enrollment(event_id: int, user) -> None:
    """The job: enroll, record the outcome on the event, and clear the running mark whatever happens."""
    event = DisasterEvent.objects.filter(pk=event_id).first()
    if event is None:
        return
    try:
        if user is not None and event.enrolling_since is not None:
            out = enroll(user, event)
            DisasterEvent.objects.filter(pk=event_id).update(enrolled_at=timezone.now(), enroll_summary=summary(out))
    finally:
        DisasterEvent.objects.filter(pk=event_id).update(enrolling_since=None)


def _may_enroll(user, event: DisasterEvent) -> None:
    if not access.can_keep(user, "disasters"):
        raise PermissionDenied("只有县乡村振兴局可以批量纳入受灾户")
    access.require_area(user, event.county_id, "该事件不在您的管辖范围内")


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"，直接经济损失{fen / 100:,.2f}元"


def enroll(user, event: DisasterEvent, *, today: dt.date | None = None) -> Enrolled:
    """批量纳入: the county bureau that keeps the ledger, for the event's affected households in its area."""
    _may_enroll(user, event)
    today = today or timezone.localdate()
    hit = set(AffectedVillage.objects.filter(event=event).values_list("village_id", flat=True))
    out = Enrolled()
    rows = access.scope(user, AffectedHousehold.objects.filter(event=event, case__isnull=True, outcome="")
                        .select_related("household").order_by("household__number"))
    for row in rows.iterator(chunk_size=500):
        with transaction.atomic():
            h = row.household
            if h.village_id not in hit:
                out.outside += 1
                row.outcome = OUTSIDE
            elif h.at_risk:
                out.monitored += 1
                row.outcome = MONITORED
            else:
                under_way = h.cases.filter(kind=Case.Kind.ENROLLMENT).exclude(
                    state__in=[Case.State.DONE, Case.State.DECLINED]).first()
                if under_way is not None:
                    out.under_way += 1
                    row.case, row.outcome = under_way, UNDER_WAY
                else:
                    causes = f"{event.name}（{event.get_kind_display()}，{event.start:%Y-%m-%d}起）" + (
                        f"：{row.situation}" if row.situation else "") + _yuan(row.loss)
                    row.case = workflow.open_green_for_event(user, h, event=event, risk_causes=causes,
                                                             monitor_type=MonitorType.SUDDEN_HARDSHIP, today=today)
                    row.outcome = OPENED
                    out.opened += 1
                    out.villages.add(h.village_id)
            row._history_user = user
            row._change_reason = f"受灾户批量纳入（{event.code}）"
            row.save(update_fields=["case", "outcome"])
    if out.villages:
        tallies.recount(out.villages)
    return out


def by_village(user, event: DisasterEvent) -> list[dict]:
    """Per affected village in the user's area: households on the list, cases opened by the bulk enrollment, those
    already monitored or under way, and those not handled yet."""
    hit = access.scope(user, AffectedVillage.objects.filter(event=event)).select_related("village", "village__parent")
    counts = {r["household__village_id"]: r for r in access.scope(
        user, AffectedHousehold.objects.filter(event=event)).values("household__village_id").annotate(
        n=Count("id"), opened=Count("id", filter=Q(outcome=OPENED)),
        other=Count("id", filter=Q(outcome__in=[MONITORED, UNDER_WAY])), outside=Count("id", filter=Q(outcome=OUTSIDE)),
        pending=Count("id", filter=Q(outcome="")))}
    rows = []
    for v in hit.order_by("village_id"):
        c = counts.get(v.village_id, {})
        rows.append({"code": v.village_id, "name": f"{v.village.parent.name}{v.village.name}" if v.village.parent_id
                     else v.village.name, "n": c.get("n", 0), "opened": c.get("opened", 0),
                     "other": c.get("other", 0), "pending": c.get("pending", 0)})
    outside = sum(c["outside"] for c in counts.values())
    if outside:
        rows.append({"code": "", "name": "不在受灾村名单中的户", "n": outside, "opened": 0, "other": 0, "pending": 0})
    return rows
