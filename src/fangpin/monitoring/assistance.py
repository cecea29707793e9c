"""Assistance (帮扶): one contact cadre per monitored household, measures with status and dates. A cadre is changed by
naming the next one; ending the tie without a successor waits for risk elimination."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.registry.models import Household

from .models import ContactCadre, Measure
from .workflow import cadre_may_end, current_cadre


def _check(user, household: Household) -> None:
    access.require(user, "monitoring.assist")
    access.require_area(user, household.village_id, "该户不在您的管辖范围内")


def _save(obj, user, reason: str = "") -> None:
    obj._history_user = user
    obj._change_reason = reason
    obj.full_clean()
    obj.save()


@transaction.atomic
def assign_cadre(user, household: Household, *, name: str, unit: str, phone: str, since: dt.date | None = None,
                 reason: str = "") -> ContactCadre:
    """Name the household's contact cadre; a current one is ended the day before (更换帮扶联系人)."""
    _check(user, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    since = since or timezone.localdate()
    if not (name.strip() and unit.strip() and phone.strip()):
        raise ValidationError("请填写帮扶联系人的姓名、单位职务和联系电话")
    old = current_cadre(household)
    if old is not None:
        if since <= old.since:
            raise ValidationError(f"新联系人的结对日期应晚于现联系人（{old.since:%Y-%m-%d}）")
        old.until, old.end_reason = since - dt.timedelta(days=1), (reason.strip() or "更换帮扶联系人")[:100]
        _save(old, user, old.end_reason)
    cadre = ContactCadre(household=household, name=name.strip(), unit=unit.strip(), phone=phone.strip(), since=since)
    _save(cadre, user, "结对帮扶")
    return cadre


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
