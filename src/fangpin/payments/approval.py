"""Review and approval of a round's township parts, by the monitoring procedure's rules.

    notice ──township approves (every village's notice over, no open objection)──> county ──county approves──> approved
      ^                                                                              │
      └──────────township returns────── township <──────────county returns───────────┘

Each step belongs to one level and leaves from one state; a level acts only on what the level below produced, so no
level is skipped. `act()` alone changes a part's state: it checks the level and the area, then a conditional UPDATE on
(state, version) lets exactly one of two simultaneous decisions win (the other gets Conflict). The county's approval
gives each of the part's rows a held Payment: the no-double-payment index then refuses a row whose benefit, payee and
period another round already holds, and the whole approval is undone, naming those rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import bulkwrite, divisions

from .models import Objection, Payment, PaymentRound, RoundEvent, RoundNotice, RoundPart, RoundRow

P = RoundPart.State
LEVEL_LABELS = {"township": "乡镇", "county": "县级"}


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    level: str
    label: str
    needs_reason: bool = False


STEPS: tuple[Step, ...] = (
    Step("approve", P.NOTICE, P.COUNTY, "township", "乡镇审核通过，报县级审定"),
    Step("approve", P.TOWNSHIP, P.COUNTY, "township", "乡镇审核通过，报县级审定"),
    Step("return", P.TOWNSHIP, P.NOTICE, "township", "退回村级更正", needs_reason=True),
    Step("approve", P.COUNTY, P.APPROVED, "county", "县级审定通过"),
    Step("return", P.COUNTY, P.TOWNSHIP, "county", "退回乡镇", needs_reason=True),
)


class Conflict(Exception):
    """Someone else decided the part since the user looked at it, or the rows are paid by another round."""


def step_for(state: str, action: str) -> Step | None:
    return next((s for s in STEPS if s.source == state and s.action == action), None)


def steps_from(state: str, level: str | None) -> list[Step]:
    return [s for s in STEPS if s.source == state and s.level == level]


def not_ready(part: RoundPart, today: dt.date) -> list[str]:
    """Why the township cannot approve a part still being noticed: villages whose notice runs on, open objections."""
    out = []
    for name, end in RoundNotice.objects.filter(part=part, end__gte=today).values_list("village__name", "end"):
        out.append(f"{name}公示至{end:%Y-%m-%d}，期满后方可审核")
    open_ = Objection.objects.filter(row__part=part, outcome="").values_list("row__village__name", "row__payee_name")
    out += [f"{v}{p}的异议尚未处理" for v, p in open_]
    return out


def _area_code(part: RoundPart, level: str) -> str:
    return part.township_id if level == "township" else part.round.county_id


@transaction.atomic
def act(user, part: RoundPart, action: str, *, version: int, reason: str = "", today: dt.date | None = None) -> RoundPart:
    """Apply one step to a part; `version` is the part's version the user saw (a stale one raises Conflict)."""
    today = today or timezone.localdate()
    level = access.workflow_level(user)
    if level not in ("township", "county") or not access.can(user, "payments.read"):
        raise PermissionDenied("兑现名单由乡镇审核、县级审定")
    part = RoundPart.objects.select_related("round", "township").get(pk=part.pk)
    access.require_area(user, _area_code(part, level), "该名单不在您的管辖范围内")
    current = RoundPart.objects.select_for_update().filter(pk=part.pk).values_list("version", "state").first()
    if current is None or current[0] != version:
        raise Conflict("该名单已被他人处理，请刷新后查看最新状态")
    if part.round.state != PaymentRound.State.OPEN:
        raise ValidationError(f"批次{part.round.get_state_display()}，不能审核")
    step = step_for(current[1], action)
    if step is None or step.level != level:
        allowed = "、".join(s.label for s in steps_from(current[1], level)) or "无"
        raise PermissionDenied(f"名单当前为“{P(current[1]).label}”，{LEVEL_LABELS[level]}可进行的操作：{allowed}")
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": "退回须填写理由"})
    if step.source == P.NOTICE:
        problems = not_ready(part, today)
        if problems:
            raise ValidationError(problems)
    updated = RoundPart.objects.filter(pk=part.pk, version=version, state=step.source).update(
        state=step.target, version=F("version") + 1)
    if not updated:
        raise Conflict("该名单已被他人处理，请刷新后查看最新状态")
    if step.target == P.APPROVED:
        _hold(part)
    RoundEvent.objects.create(round=part.round, part=part, action=action, label=f"{part.township.name}：{step.label}",
                              from_state=step.source, to_state=step.target, user=user, reason=reason)
    if step.target == P.APPROVED and not RoundPart.objects.filter(round=part.round).exclude(state=P.APPROVED).exists():
        PaymentRound.objects.filter(pk=part.round_id, state=PaymentRound.State.OPEN).update(
            state=PaymentRound.State.APPROVED, version=F("version") + 1)
        RoundEvent.objects.create(round=part.round, action="approved", label="各乡镇名单均已审定，批次审定",
                                  from_state=PaymentRound.State.OPEN, to_state=PaymentRound.State.APPROVED, user=user)
    part.refresh_from_db()
    return part


SLOT = ("benefit_id", "payee_key", "period", "occurrence")


def _rows_of(part: RoundPart):
    """The part's included rows, by the round-and-village index over the township's range (not every row of the
    round for each of its townships)."""
    return RoundRow.objects.filter(access.subtree("village_id", divisions.prefix(part.township_id)),
                                   round_id=part.round_id, part=part, status=RoundRow.Status.INCLUDED)


def _hold(part: RoundPart) -> None:
    """The part's included rows take their slots (a Payment each, copied inside the database); a slot another round
    holds undoes the approval, naming the rows."""
    try:
        with transaction.atomic():
            rows = _rows_of(part)
            copied = ("round_id", "village_id", "household_id", "member_id", "enterprise_id", "amount", *SLOT)
            bulkwrite.insert_select(Payment, rows.values_list("id", *copied), ["row_id", *copied], held=True,
                                    status="", reason="", account_number="", bank="", holder="")
    except IntegrityError:
        clashes = clashes_of(part)
        shown = "；".join(f"{r.payee_name}的{r.benefit_name}（{r.period}）已在第{r.other}批兑现" for r in clashes[:20])
        more = f"等{len(clashes)}行" if len(clashes) > 20 else ""
        raise Conflict(f"不能审定：{shown}{more}。请退回村级撤回这些行后重新报审。") from None


def clashes_of(part: RoundPart) -> list:
    """The part's included rows whose slot another round holds (each with `.other`, that round's id)."""
    other = Payment.objects.filter(held=True, **{f: OuterRef(f) for f in SLOT}).exclude(
        round_id=OuterRef("round_id")).values("round_id")[:1]
    return list(_rows_of(part)
                .annotate(other=Subquery(other)).filter(other__isnull=False).order_by("id"))
