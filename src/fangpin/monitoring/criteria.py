"""Risk elimination criteria (风险消除条件), read from rules.yaml: each one that fails is said in Chinese."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db.models import Q

from fangpin.lib.money import fen_to_yuan
from fangpin.registry.choices import Category
from fangpin.registry.models import Household

from .models import Case, IncomeAccount, Measure, Warning
from .screening import RULES


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def enrolled_on(household: Household) -> dt.date | None:
    """When the household's current monitoring began: its last enrollment case (a green channel counts from the day it
    was opened), else the day its history first shows it monitored since it last was not (imported households)."""
    case = (household.cases.filter(kind=Case.Kind.ENROLLMENT)
            .filter(Q(state=Case.State.DONE) | Q(green=True) & ~Q(state=Case.State.DECLINED))
            .order_by("-opened_at").first())
    if case is not None:
        when = case.opened_at if case.green else case.closed_at
        return when.date() if when else None
    began = None
    for rec in household.history.order_by("history_date", "history_id").only("category", "history_date"):
        if rec.category == Category.MONITORED:
            began = began or rec.history_date.date()
        else:
            began = None
    return began


def failures(household: Household, *, today: dt.date, ignoring_case: Case | None = None) -> list[str]:
    c = RULES.elimination
    if not household.at_risk:
        return ["该户不是风险未消除的监测户"]
    out = []
    months = int(c.get("min_months_monitored", 0))
    began = enrolled_on(household)
    if began is None:
        out.append("无法确定纳入监测的日期")
    elif add_months(began, months) > today:
        out.append(f"{began:%Y-%m-%d}纳入监测，至今不满{months}个月（{add_months(began, months):%Y-%m-%d}起满）")
    years = int(c.get("income_years", 1))
    factor = Decimal(str(c.get("income_factor", 1)))
    wanted = range(today.year - years, today.year)  # the last `years` full years
    have = {a.year: a for a in IncomeAccount.objects.filter(household=household, year__in=list(wanted))}
    for year in wanted:
        a = have.get(year)
        if a is None:
            out.append(f"缺少{year}年的收入核算")
        elif a.line is None or a.net_income is None:
            out.append(f"{year}年收入无法判断：{a.note or '缺少数据'}")
        elif a.net_income * 100 < a.line * a.size * int(factor * 100):
            bar = "监测标准" if factor == 1 else f"监测标准×{factor}"
            out.append(f"{year}年人均纯收入{fen_to_yuan(a.per_capita)}元，未达到{bar}"
                       f"（{fen_to_yuan(a.line)}元{'' if factor == 1 else f'×{factor}'}）")
    if c.get("measures_in_place") and not household.measures.filter(
            status__in=[Measure.Status.IN_PROGRESS, Measure.Status.DONE]).exists():
        out.append("尚无已实施或已完成的帮扶措施")
    if not household.contact_cadres.filter(until__isnull=True).exists():
        out.append("没有帮扶联系人")
    if c.get("no_open_warnings"):
        n = household.warnings.filter(status=Warning.Status.OPEN).count()
        if n:
            out.append(f"有{n}条预警尚未核实")
    pending = household.cases.filter(kind=Case.Kind.ENROLLMENT).exclude(state__in=[Case.State.DONE, Case.State.DECLINED])
    if ignoring_case is not None:
        pending = pending.exclude(pk=ignoring_case.pk)
    if pending.exists():
        out.append("识别纳入程序尚未办结（绿色通道须先补齐程序）")
    return out
