"""Assistance (帮扶): the roster of cadres per area, one contact cadre per monitored household (picked from the roster),
measures with status and dates. A cadre is changed by naming the next one; ending the tie without a successor waits
for risk elimination."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.registry.models import Household

from .models import Cadre, ContactCadre, Measure
from .workflow import cadre_may_end, current_cadre


def _check(user, household: Household) -> None:
    access.require(user, "monitoring.assist")
    access.require_area(user, household.village_id, "该户不在您的管辖范围内")


def _save(obj, user, reason: str = "") -> None:
    obj._history_user = user
    obj._change_reason = reason
    obj.full_clean()
    obj.save()


def _save_cadre(cadre: Cadre, user, reason: str) -> None:
    """A roster entry, with the database's unique constraint answering a duplicate registered at the same moment (the
    check in full_clean saw none) as the check would."""
    try:
        with transaction.atomic():
            _save(cadre, user, reason)
    except IntegrityError:
        raise ValidationError("同一区划的名册中已有同名同电话的干部") from None


def _clean_text(**values: str) -> dict[str, str]:
    out = {k: (v or "").strip() for k, v in values.items()}
    if not all(out.values()):
        raise ValidationError("请填写干部的姓名、工作单位及职务和联系电话")
    return out


@transaction.atomic
def add_cadre(user, *, org_unit_id: str, name: str, unit: str, phone: str) -> Cadre:
    """Register a cadre for a unit of the user's area (帮扶干部名册)."""
    access.require(user, "monitoring.assist")
    access.require_area(user, org_unit_id, "该区划不在您的管辖范围内")
    cadre = Cadre(org_unit_id=org_unit_id, **_clean_text(name=name, unit=unit, phone=phone))
    _save_cadre(cadre, user, "登记帮扶干部")
    return cadre


@transaction.atomic
def update_cadre(user, cadre: Cadre, *, unit: str, phone: str, active: bool, reason: str = "") -> Cadre:
    """A cadre's unit and phone change, or the cadre leaves the roster; pairings made before keep what they copied."""
    access.require(user, "monitoring.assist")
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    access.require_area(user, cadre.org_unit_id, "该干部不在您管辖范围的名册中")
    cadre.__dict__.update(_clean_text(unit=unit, phone=phone))
    cadre.active = active
    _save_cadre(cadre, user, reason.strip()[:100] or "修改帮扶干部信息")
    return cadre


@transaction.atomic
def assign_cadre(user, household: Household, *, cadre: Cadre, since: dt.date | None = None,
                 reason: str = "") -> ContactCadre:
    """Pair the household with a cadre of the roster; a current one is ended the day before (更换帮扶联系人). The
    cadre must be in the roster of the household's village or of a unit above it."""
    _check(user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    # locked: a cadre taken off the roster at this moment is either still on it here, or seen as off it
    cadre = Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
    if cadre is None or cadre.org_unit_id not in divisions.lineage(household.village_id):
        raise ValidationError({"cadre": "请从该户所在村、乡镇或县的帮扶干部名册中选择"})
    if not cadre.active:
        raise ValidationError({"cadre": f"{cadre.name}已移出帮扶干部名册"})
    since = since or timezone.localdate()
    if since > timezone.localdate():  # a later pairing must start after it, so a mistyped year would bind the household
        raise ValidationError({"since": "结对日期不能晚于今天"})
    old = current_cadre(household)
    if old is not None:
        if old.cadre_id == cadre.pk:
            raise ValidationError({"cadre": f"{cadre.name}已是该户的帮扶联系人"})
        if since <= old.since:
            raise ValidationError({"since": f"新联系人的结对日期应晚于现联系人（{old.since:%Y-%m-%d}）"})
        old.until, old.end_reason = since - dt.timedelta(days=1), (reason.strip() or "更换帮扶联系人")[:100]
        _save(old, user, old.end_reason)
    pairing = ContactCadre(household=household, cadre=cadre, name=cadre.name, unit=cadre.unit, phone=cadre.phone,
                           since=since)
    _save(pairing, user, "结对帮扶")
    return pairing


@transaction.atomic
def end_cadre(user, household: Household, *, reason: str, on: dt.date | None = None) -> ContactCadre:
    _check(user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    why_not = cadre_may_end(household)
    if why_not:
        raise ValidationError(why_not)
    cadre = current_cadre(household)
    if cadre is None:
        raise ValidationError("该户没有帮扶联系人")
    if not reason.strip():
        raise ValidationError("请填写解除原因")
    cadre.until, cadre.end_reason = on or timezone.localdate(), reason.strip()[:100]
    _save(cadre, user, cadre.end_reason)
    return cadre


def _check_dates(status: str, start: dt.date, end: dt.date | None) -> None:
    if end and end < start:
        raise ValidationError({"end": "完成日期不能早于开始日期"})
    if status == Measure.Status.DONE and not end:
        raise ValidationError({"end": "已完成的措施须填写完成日期"})
    if status != Measure.Status.DONE and end:
        raise ValidationError({"end": "未完成的措施不应填写完成日期"})


@transaction.atomic
def add_measure(user, household: Household, *, kind: str, description: str, start: dt.date,
                status: str = Measure.Status.PLANNED, end: dt.date | None = None, benefit: str = "") -> Measure:
    _check(user, household)
    _check_dates(status, start, end)
    measure = Measure(household=household, kind=kind, description=description.strip(), status=status, start=start,
                      end=end, benefit=benefit.strip(), created_by=user)
    _save(measure, user, "新增帮扶措施")
    return measure


@transaction.atomic
def update_measure(user, measure: Measure, *, status: str, end: dt.date | None = None) -> Measure:
    _check(user, measure.household)
    _check_dates(status, measure.start, end)
    measure.status, measure.end = status, end
    _save(measure, user, f"落实情况：{measure.get_status_display()}")
    return measure
