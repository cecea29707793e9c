"""The approval procedure (识别纳入 and 风险消除 alike): an explicit state machine with ordered levels.

    village ──appraise──> notice ──submit (notice period over)──> township ──approve──> county ──approve──> done
       │  ^                  │                                       │                     │
       │  └──────object──────┘  <──────────return, withdraw──────────┘   township <─return─┘
       └──decline──> declined

The village may withdraw its submission (withdraw, with a reason) while the township has not acted on it: not once a
township reviewer holds the case, and never by locking it (only the level whose turn it is claims a case).

Each transition belongs to one level (village, township, county) and leaves from one state; any other pair is
refused. A level can only act on a state the level below has produced, so no level acts before the one below has.
`act()` is the only code that changes a case's state: it checks the level, the area, the lock and the version seen by
the user, and records the transition. Two reviewers deciding at once: the conditional update lets exactly one win; the
other gets Conflict. A green-channel case enrolls at once and tracks the skipped steps as open items.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fangpin.accounts import access
from fangpin.registry.choices import Category, MonitorType
from fangpin.registry.models import Household

from . import criteria, tallies
from .models import Case, ContactCadre, OpenItem, Transition, Warning

S = Case.State
LOCK_MINUTES = 30


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    level: str
    label: str
    needs_reason: bool = False


STEPS: tuple[Step, ...] = (
    Step("appraise", S.VILLAGE, S.NOTICE, "village", "民主评议通过，开始公示"),
    Step("object", S.NOTICE, S.VILLAGE, "village", "公示有异议，重新评议", needs_reason=True),
    Step("submit", S.NOTICE, S.TOWNSHIP, "village", "公示期满无异议，报乡镇审核"),
    Step("decline", S.VILLAGE, S.DECLINED, "village", "评议不通过", needs_reason=True),
    Step("withdraw", S.TOWNSHIP, S.VILLAGE, "village", "撤回报送，重新评议", needs_reason=True),
    Step("approve", S.TOWNSHIP, S.COUNTY, "township", "乡镇审核通过，报县级审定"),
    Step("return", S.TOWNSHIP, S.VILLAGE, "township", "退回村级", needs_reason=True),
    Step("approve", S.COUNTY, S.DONE, "county", "县级审定通过"),
    Step("return", S.COUNTY, S.TOWNSHIP, "county", "退回乡镇", needs_reason=True),
)
ACTIONS = sorted({s.action for s in STEPS})
LEVEL_LABELS = {"village": "村级", "township": "乡镇", "county": "县级"}


class Conflict(Exception):
    """Someone else changed the case since the user looked at it, or holds it."""


def step_for(state: str, action: str) -> Step | None:
    return next((s for s in STEPS if s.source == state and s.action == action), None)


def steps_from(state: str, level: str | None) -> list[Step]:
    return [s for s in STEPS if s.source == state and s.level == level]


TAKE_BACK = {"withdraw"}  # steps of the level below the case's: they never hold the case


def turn_of(state: str, level: str | None) -> bool:
    """Whether the case waits on this level (its steps other than taking back its own submission)."""
    return any(s.action not in TAKE_BACK for s in steps_from(state, level))


def _procedure(key: str, code: str, on: dt.date) -> int:
    """The procedure's days for the county of `code` on the day (monitoring/parameters.py)."""
    from .parameters import days

    return days(key, code, on)


def _check_area(user, household: Household) -> None:
    access.require_area(user, household.village_id, "该户不在您的管辖范围内")


def _record(case: Case, user, action: str, level: str, source: str, reason: str = "") -> None:
    Transition.objects.create(case=case, action=action, level=level, from_state=source, to_state=case.state,
                              user=user, reason=reason)


def _set_household(household: Household, user, reason: str, **fields) -> None:
    for k, v in fields.items():
        setattr(household, k, v)
    household._history_user = user
    household._change_reason = reason
    household.save(update_fields=list(fields))


# --- opening a case --------------------------------------------------------------------------------------------------

@transaction.atomic
def open_case(user, household: Household, *, kind: str, risk_causes: str, channel: str = "", monitor_type: str = "",
              green_cause: str = "", warning: Warning | None = None, today: dt.date | None = None) -> Case:
    """A village starts a case. Enrollment: one of the three channels and a proposed monitor type; the green channel
    (a sudden disaster, epidemic or major change) enrolls at once. Elimination: only when every criterion holds."""
    today = today or timezone.localdate()
    if access.workflow_level(user) != "village":
        raise PermissionDenied("识别纳入和风险消除由村级发起")
    household = Household.objects.select_for_update().get(pk=household.pk)
    _check_area(user, household)
    if not risk_causes.strip():
        raise ValidationError({"risk_causes": "请填写风险情况（或风险消除情况）"})
    if kind == Case.Kind.ENROLLMENT:
        if household.at_risk:
            raise ValidationError("该户已是监测户，风险尚未消除，无需重复纳入")
        if channel not in Case.Channel.values:
            raise ValidationError({"channel": "请选择识别渠道"})
        if (channel == Case.Channel.DEPARTMENT_WARNING) != (warning is not None):
            raise ValidationError({"channel": "部门筛查预警须由核实预警发起"})
        if monitor_type not in MonitorType.values:
            raise ValidationError({"monitor_type": "请选择拟纳入的监测对象类型"})
        if monitor_type == MonitorType.UNSTABLE and household.category != Category.LIFTED and not household.lifted_year:
            raise ValidationError({"monitor_type": "脱贫不稳定户须为脱贫户"})
        if monitor_type == MonitorType.MARGINAL and (household.category == Category.LIFTED or household.lifted_year):
            raise ValidationError({"monitor_type": "脱贫户不能纳入为边缘易致贫户"})
        if green_cause and green_cause not in Case.GreenCause.values:
            raise ValidationError({"green_cause": "绿色通道原因无效"})
    elif kind == Case.Kind.ELIMINATION:
        if green_cause:
            raise ValidationError("风险消除不适用绿色通道")
        failures = criteria.failures(household, today=today)
        if failures:
            raise ValidationError(["不符合风险消除条件："] + failures)
        channel, monitor_type = "", ""
    else:
        raise ValidationError("案件类别无效")
    case = Case(kind=kind, household=household, channel=channel, monitor_type=monitor_type,
                risk_causes=risk_causes.strip(), green=bool(green_cause), green_cause=green_cause, opened_by=user,
                prior_category=household.category,
                due=today + dt.timedelta(days=_procedure("review_days", household.village_id, today)))
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise Conflict("该户已有办理中的同类案件") from None
    _record(case, user, "open", "village", "", f"{case.get_kind_display()}：{case.risk_causes}")
    if case.green:
        deadline = today + dt.timedelta(days=_procedure("green_channel_days", household.village_id, today))
        OpenItem.objects.bulk_create(OpenItem(case=case, step=s, deadline=deadline) for s in OpenItem.Step.values)
        _enroll(case, user, f"绿色通道先纳入（{case.get_green_cause_display()}）")
    return case


def open_green_for_event(user, household: Household, *, event, risk_causes: str, monitor_type: str,
                         today: dt.date) -> Case:
    """A county's bulk enrollment of a disaster's or epidemic's affected household (monitoring.disasters): a
    green-channel case on the disaster-list channel, enrolled at once, every level's step left as an open item. The
    caller checks the keeper, the area and that the household is neither monitored nor under way."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _check_area(user, household)
    case = Case(kind=Case.Kind.ENROLLMENT, household=household, channel=Case.Channel.DISASTER_LIST,
                monitor_type=monitor_type, risk_causes=risk_causes, green=True, green_cause=event.green_cause,
                opened_by=user, prior_category=household.category,
                due=today + dt.timedelta(days=_procedure("review_days", household.village_id, today)))
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise Conflict("该户已有办理中的同类案件") from None
    _record(case, user, "open", "county", "", f"受灾户批量纳入（{event.code}）：{risk_causes}")
    deadline = today + dt.timedelta(days=_procedure("green_channel_days", household.village_id, today))
    OpenItem.objects.bulk_create(OpenItem(case=case, step=s, deadline=deadline) for s in OpenItem.Step.values)
    _enroll(case, user, f"绿色通道先纳入（{event.name}）")
    return case


def _enroll(case: Case, user, reason: str) -> None:
    _set_household(case.household, user, reason, category=Category.MONITORED, monitor_type=case.monitor_type,
                   risk_eliminated_on=None)


# --- locking ---------------------------------------------------------------------------------------------------------

def holder(case: Case, *, now=None) -> object | None:
    """The user deciding the case right now (a lock lapses after LOCK_MINUTES)."""
    now = now or timezone.now()
    if case.locked_by_id and case.locked_at and now - case.locked_at < dt.timedelta(minutes=LOCK_MINUTES):
        return case.locked_by
    return None


def claim(user, case: Case) -> bool:
    """Lock an open case for the user while the user's level decides; False if another user holds it."""
    level = access.workflow_level(user)
    if not case.is_open or not turn_of(case.state, level):
        return False
    _check_area(user, case.household)
    if case.assignee_id and case.assignee_id != user.pk and case.assignee.is_active:
        return False
    now = timezone.now()
    expired = now - dt.timedelta(minutes=LOCK_MINUTES)
    got = (Case.objects.filter(pk=case.pk, state=case.state)
           .filter(Q(locked_by__isnull=True) | Q(locked_by=user) | Q(locked_at__lt=expired))
           .update(locked_by=user, locked_at=now))
    if got:
        case.locked_by, case.locked_at = user, now
    return bool(got)


def colleague_ok(user, colleague, case: Case) -> bool:
    """A colleague a case may be handed to: active, another user of the same role and unit, whose area holds the
    household."""
    return (colleague is not None and colleague.is_active and colleague.pk != user.pk and colleague.role == user.role
            and colleague.org_unit_id == user.org_unit_id and access.covers(colleague, case.household.village_id))


@transaction.atomic
def hand_over(user, case: Case, colleague, *, version: int, reason: str) -> Case:
    """移交: a reviewer of the level whose turn it is hands the case to a colleague of the same level and area (going
    on leave, say). Only the colleague acts on it at this level until the case moves on; recorded with the reason."""
    level = access.workflow_level(user)
    _check_area(user, case.household)
    current = Case.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=case.pk)
    if current.version != version:
        raise Conflict("该案件已被他人处理，请刷新后查看最新状态")
    if not current.is_open or not turn_of(current.state, level):
        raise PermissionDenied(f"案件当前为“{current.get_state_display()}”，不在{LEVEL_LABELS.get(level, '')}办理环节")
    if current.assignee_id and current.assignee_id != user.pk and current.assignee.is_active:
        raise Conflict(f"该案件已移交{current.assignee.display_name}经办，只有经办人可以再移交")
    other = holder(current)
    if other is not None and other.pk != user.pk:
        raise Conflict(f"该案件正由{other.username}审核，请稍后再试")
    if not colleague_ok(user, colleague, current):
        raise ValidationError({"colleague": "只能移交给同一单位、同一层级、管辖该户的在岗同事"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写移交原因（如 休假、外出）"})
    Case.objects.filter(pk=current.pk).update(assignee=colleague, locked_by=None, locked_at=None,
                                              version=F("version") + 1)
    current.refresh_from_db()
    Transition.objects.create(case=current, action="hand_over", level=level, from_state=current.state,
                              to_state=current.state, user=user,
                              reason=f"移交{colleague.display_name or colleague.username}经办：{reason.strip()}")
    return current


def release(user, case: Case) -> None:
    Case.objects.filter(pk=case.pk, locked_by=user).update(locked_by=None, locked_at=None)


# --- acting ----------------------------------------------------------------------------------------------------------

@transaction.atomic
def act(user, case: Case, action: str, *, version: int, reason: str = "", appraisal: dict | None = None,
        today: dt.date | None = None) -> Case:
    """Apply one transition. `version` is the case version the user saw; a stale one raises Conflict."""
    today = today or timezone.localdate()
    level = access.workflow_level(user)
    if level is None:
        raise PermissionDenied("您的角色不参与审核")
    _check_area(user, case.household)
    # The case as it is now, locked: a decision taken since the user loaded the page is a conflict (409), whatever
    # the page or API handler reloaded in between; only then is the action judged against the current state.
    current = Case.objects.select_for_update().filter(pk=case.pk).values_list("version", "state").first()
    if current is None or current[0] != version:
        raise Conflict("该案件已被他人处理，请刷新后查看最新状态")
    if current[1] != case.state:
        case.refresh_from_db()
    step = step_for(case.state, action)
    if step is None or step.level != level:
        allowed = "、".join(s.label for s in steps_from(case.state, level)) or "无"
        raise PermissionDenied(f"案件当前为“{case.get_state_display()}”，{LEVEL_LABELS[level]}可进行的操作：{allowed}")
    other = holder(case)
    if other is not None and other.pk != user.pk:
        raise Conflict(f"该案件正由{other.username}审核，请稍后再试")
    if case.assignee_id and case.assignee_id != user.pk and case.assignee.is_active and step.action not in TAKE_BACK:
        raise Conflict(f"该案件已移交{case.assignee.display_name}经办")
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": "退回、撤回或不通过须填写理由"})
    fields: dict = {}
    code = case.household.village_id
    if step.action == "appraise":
        fields = _appraisal_fields(appraisal or {}, today, code)
    if step.action == "submit" and case.notice_end and today <= case.notice_end:
        raise ValidationError(f"公示期至{case.notice_end:%Y-%m-%d}，期满后方可报乡镇审核")
    if step.target == S.DONE and case.kind == Case.Kind.ELIMINATION:
        failures = criteria.failures(case.household, today=today, ignoring_case=case)
        if failures:
            raise ValidationError(["不符合风险消除条件："] + failures)
    due = {S.NOTICE: fields.get("notice_end"), S.DONE: None, S.DECLINED: None}.get(
        step.target, today + dt.timedelta(days=_procedure("review_days", code, today)))
    updated = Case.objects.filter(pk=case.pk, version=version, state=step.source).update(
        state=step.target, version=F("version") + 1, locked_by=None, locked_at=None, due=due, assignee=None,
        closed_at=timezone.now() if step.target in (S.DONE, S.DECLINED) else None, **fields)
    if not updated:
        raise Conflict("该案件已被他人处理，请刷新后查看最新状态")
    source = case.state
    case.refresh_from_db()
    tallies.recount([case.household.village_id])  # a conditional UPDATE sends no signal
    _record(case, user, action, level, source, reason)
    _after(case, user, step, today)
    return case


def _appraisal_fields(appraisal: dict, today: dt.date, code: str) -> dict:
    errors = {}
    held = appraisal.get("date")
    if not isinstance(held, dt.date) or held > today:
        errors["appraisal_date"] = "请填写民主评议日期（不能晚于今天）"
    attendance = appraisal.get("attendance")
    if not isinstance(attendance, int) or attendance <= 0:
        errors["appraisal_attendance"] = "请填写参加评议人数"
    if not (appraisal.get("record") or "").strip():
        errors["appraisal_record"] = "请填写民主评议记录（评议意见、表决结果）"
    if errors:
        raise ValidationError(errors)
    start = today
    return {"appraisal_date": held, "appraisal_attendance": attendance, "appraisal_record": appraisal["record"].strip(),
            "notice_start": start, "notice_end": start + dt.timedelta(days=_procedure("notice_days", code, today) - 1)}


def _after(case: Case, user, step: Step, today: dt.date) -> None:
    """What a transition does beyond the case: open items of the green channel, the household's monitoring status."""
    done_item = {"submit": "village"}.get(step.action) or (step.level if step.action == "approve" else None)
    if case.green and done_item:
        OpenItem.objects.filter(case=case, step=done_item, done_at__isnull=True).update(done_at=timezone.now())
    if step.action in ("return", "withdraw") and case.green:  # the village (or township) has to do its step again
        below = {"township": "village", "county": "township", "village": "village"}[step.level]
        OpenItem.objects.filter(case=case, step=below).update(done_at=None)
    label = f"{case.get_kind_display()}案件{case.pk}：{step.label}"
    if case.state == S.DONE and case.kind == Case.Kind.ENROLLMENT and not case.green:
        _enroll(case, user, label)
    elif case.state == S.DONE and case.kind == Case.Kind.ELIMINATION:
        _set_household(case.household, user, label, risk_eliminated_on=today)
    elif case.state == S.DECLINED and case.kind == Case.Kind.ENROLLMENT and case.green:
        # Enrolled first, then found not to qualify: back to what it was.
        _set_household(case.household, user, label, category=case.prior_category or Category.ORDINARY,
                       monitor_type="")
        OpenItem.objects.filter(case=case, done_at__isnull=True).update(done_at=timezone.now())


# --- the contact cadre's tie -----------------------------------------------------------------------------------------

def cadre_may_end(household: Household) -> str | None:
    """Why the household's cadre may not be removed without a replacement, or None."""
    if household.at_risk:
        return "风险不消除，帮扶责任不脱钩：风险消除前不能解除帮扶联系人（可以更换）"
    return None


def current_cadre(household: Household) -> ContactCadre | None:
    return household.contact_cadres.filter(until__isnull=True).first()
