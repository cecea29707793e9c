"""Monitoring parameters per county and date (监测参数): the procedure's days and each warning rule's threshold and days
to verify. rules.yaml gives every installation's values; a county bureau sets its own from a date on, with the reason,
and the history keeps each change. The value on a day is the county's latest from that day or earlier, else
rules.yaml's."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import divisions

from .models import ProcedureParameter
from .screening import RULES, IncomeRule, Rule


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str  # 天 or 元
    default: Decimal
    group: str
    maximum: int


def _catalog() -> dict[str, Parameter]:
    p = RULES.procedure
    out = [Parameter("notice_days", "村级民主评议后公示天数", "天", Decimal(p["notice_days"]), "识别纳入和风险消除程序", 30),
           Parameter("review_days", "乡镇审核、县级审定的期限", "天", Decimal(p["review_days"]), "识别纳入和风险消除程序", 60),
           Parameter("green_channel_days", "绿色通道先纳入后补齐程序的期限", "天", Decimal(p["green_channel_days"]),
                     "识别纳入和风险消除程序", 90)]
    for r in RULES.rules:
        if r.at_least is not None:
            out.append(Parameter(f"rule.{r.id}.at_least", f"{r.label}：预警线", "元", Decimal(r.at_least) / 100,
                                 "部门数据预警", 10_000_000))
        out.append(Parameter(f"rule.{r.id}.days", f"{r.label}：村级核实期限", "天", Decimal(r.days), "部门数据预警", 90))
    for r in RULES.income:
        out.append(Parameter(f"rule.{r.id}.days", f"{r.label}：村级核实期限", "天", Decimal(r.days), "收入核算预警", 90))
    return {x.key: x for x in out}


PARAMETERS = _catalog()


def county_of(code: str) -> str:
    return divisions.prefix(code)[:6].ljust(12, "0")


def values(code: str, on: dt.date) -> dict[str, Decimal]:
    """Every parameter's value for the county of `code` on the day: one query."""
    out = {k: p.default for k, p in PARAMETERS.items()}
    for row in ProcedureParameter.objects.filter(county_id=county_of(code), valid_from__lte=on).order_by("valid_from"):
        if row.key in out:
            out[row.key] = row.value
    return out


def value(key: str, code: str, on: dt.date) -> Decimal:
    row = (ProcedureParameter.objects.filter(county_id=county_of(code), key=key, valid_from__lte=on)
           .order_by("-valid_from").values_list("value", flat=True).first())
    return row if row is not None else PARAMETERS[key].default


def days(key: str, code: str, on: dt.date) -> int:
    return int(value(key, code, on))


def rules_for(code: str, on: dt.date) -> tuple[Rule, ...]:
    """The department rules with the county's thresholds and days on the day."""
    v = values(code, on)
    out = []
    for r in RULES.rules:
        at_least = int(v[f"rule.{r.id}.at_least"] * 100) if r.at_least is not None else None
        out.append(dataclasses.replace(r, at_least=at_least, days=int(v[f"rule.{r.id}.days"])))
    return tuple(out)


def income_rules_for(code: str, on: dt.date) -> tuple[IncomeRule, ...]:
    v = values(code, on)
    return tuple(dataclasses.replace(r, days=int(v[f"rule.{r.id}.days"])) for r in RULES.income)


EARLIEST = dt.date(2020, 1, 1)


def set_value(user, *, county: str, key: str, valid_from: dt.date, value: Decimal, reason: str) -> ProcedureParameter:
    """A county bureau sets its own county's value from a date on (a correction of the same date replaces it)."""
    if not access.can(user, "monitoring.line") or divisions.level_of(county) != "county" \
            or not access.covers(user, county):
        raise PermissionDenied("县乡村振兴局只能设置本县的监测参数")
    p = PARAMETERS.get(key)
    if p is None:
        raise ValidationError({"key": "没有该参数"})
    errors = {}
    if p.unit == "天" and (value != value.to_integral_value() or not 1 <= value <= p.maximum):
        errors["value"] = f"{p.label}应为1到{p.maximum}之间的整数（天）"
    if p.unit == "元" and (value <= 0 or value > p.maximum or value != value.quantize(Decimal("0.01"))):
        errors["value"] = f"{p.label}应为大于0、最多两位小数的金额（元）"
    latest = timezone.localdate() + dt.timedelta(days=366)
    if not EARLIEST <= valid_from <= latest:  # a typo's year 1 or 9999 would silently rule today or never
        errors["valid_from"] = f"起始日期应在{EARLIEST:%Y-%m-%d}（防止返贫动态监测机制建立）至{latest:%Y-%m-%d}之间"
    if not reason.strip():
        errors["reason"] = "请填写调整依据（文件文号等）"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = (ProcedureParameter.objects.select_for_update().filter(county_id=county, key=key, valid_from=valid_from)
               .first() or ProcedureParameter(county_id=county, key=key, valid_from=valid_from))
        row.value, row.reason, row.changed_by = value, reason.strip()[:200], user
        row._history_user = user
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationError("同一参数同一起始日期已有取值（他人刚刚设置），请刷新后再试") from None
    return row


def table(code: str, on: dt.date) -> list[dict]:
    """The page's rows: each parameter's default, the county's value on the day and since when."""
    rows = {r.key: r for r in ProcedureParameter.objects.filter(county_id=county_of(code), valid_from__lte=on)
            .order_by("valid_from")}
    out = []
    for key, p in PARAMETERS.items():
        own = rows.get(key)
        out.append({"key": key, "label": p.label, "group": p.group, "unit": p.unit, "default": p.default,
                    "value": own.value if own else p.default, "since": own.valid_from if own else None,
                    "reason": own.reason if own else ""})
    return out


def history(code: str):
    """Every value the county set, newest first, with who and why (the ledger of changes)."""
    return (ProcedureParameter.history.filter(county_id=county_of(code)).select_related("history_user")
            .order_by("-history_date", "-history_id"))
