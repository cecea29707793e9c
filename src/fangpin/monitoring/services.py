"""Income accounting over the registry: recompute a year for the households in the user's area, keep the result, and
list the households whose band changed. Monitoring lines: a county bureau sets its county's; provinces' come by
command (no province role yet)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib.income import NET_INCOME_PARTS
from fangpin.registry.models import Household, IncomeRecord

from . import income, tallies, warning_queue
from .models import IncomeAccount, MonitoringLine


@dataclass
class Change:
    household_id: int
    household_number: str
    village_code: str
    before: str | None  # band before the recomputation (None: first accounting)
    after: str


def lines_frame() -> pl.DataFrame:
    rows = [{"region_prefix": r.region_prefix, "year": r.year, "line": r.line,
             "edge_centi": int(r.edge_factor * 100), "sharp_centi": int(r.sharp_fall * 100)}
            for r in MonitoringLine.objects.all()]
    return pl.DataFrame(rows, schema=income.LINE_SCHEMA)


class Changes(list):
    """The band changes of a recomputation, with the income warnings it raised (warning_queue.write's counts)."""
    warnings_new = warnings_known = warnings_joined = 0


YEARS_FROM = 2000  # the first year an accounting is made for; the last is the current one (its income so far)


def recompute(user, year: int, *, warn: bool = True) -> Changes:
    """全面核算: every household in the user's area for the year; the result is stored, the band changes returned,
    and each flag the income rules name (rules.yaml, income_rules) raises a warning for the village to verify."""
    access.require(user, "monitoring.recompute")
    if not YEARS_FROM <= year <= timezone.localdate().year:
        raise ValidationError(f"年度应为 {YEARS_FROM} 至 {timezone.localdate().year} 年之间")
    households = access.scope(user, Household.objects.all())
    hh = pl.DataFrame(list(households.values_list("id", "number", "village_id", "category", "risk_eliminated_on")),
                      schema={"id": pl.Int64, "number": pl.String, "village_id": pl.String, "category": pl.String,
                              "eliminated": pl.Date}, orient="row")
    sizes = pl.DataFrame(list(households.annotate(n=Count("members")).values("id", "n")),
                         schema={"id": pl.Int64, "n": pl.Int64}).rename({"id": "household_id", "n": "size"})
    incomes = pl.DataFrame(
        list(access.scope(user, IncomeRecord.objects.filter(year__in=[year, year - 1])).values(
            "household_id", "year", *NET_INCOME_PARTS)),
        schema={"household_id": pl.Int64, "year": pl.Int64, **{k: pl.Int64 for k in NET_INCOME_PARTS}})
    result = income.account(hh.select(pl.col("id").alias("household_id"), pl.col("village_id").alias("village_code")),
                            sizes, incomes, lines_frame(), year=year)
    numbers = dict(zip(hh["id"].to_list(), zip(hh["number"].to_list(), hh["village_id"].to_list(), strict=True),
                       strict=True))
    changes = Changes()
    with transaction.atomic():
        existing = {a.household_id: a for a in IncomeAccount.objects.filter(household__in=households, year=year)}
        before = {hid: a.band for hid, a in existing.items()}
        creates, updates = [], []
        fields = ("size", "net_income", "per_capita", "line", "band", "fell", "sharp_fall", "note")
        for r in result.iter_rows(named=True):
            values = {k: r[k] for k in fields}
            obj = existing.get(r["household_id"])
            if obj is None:
                creates.append(IncomeAccount(household_id=r["household_id"], year=year, **values))
            elif any(getattr(obj, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(obj, k, v)
                updates.append(obj)
            if before.get(r["household_id"]) != r["band"]:
                number, village = numbers[r["household_id"]]
                changes.append(Change(r["household_id"], number, village, before.get(r["household_id"]), r["band"]))
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        reason = f"{year}年收入全面核算"
        if creates:
            bulk_create_with_history(creates, IncomeAccount, batch_size=1000, default_user=user,
                                     default_change_reason=reason)
        if updates:
            bulk_update_with_history(updates, IncomeAccount, list(fields), batch_size=1000, default_user=user,
                                     default_change_reason=reason)
        tallies.recount({c.village_code for c in changes})  # the bands of the villages whose households moved
        kinds = hh.select(pl.col("id").alias("household_id"), "category",
                          ((pl.col("category") == "monitored") & pl.col("eliminated").is_null()).alias("at_risk"))
        # A year still under way has only part of its income: only a finished year's accounting raises warnings.
        done = warn and year < timezone.localdate().year
        from .parameters import income_rules_for

        rules = income_rules_for(user.org_unit.code, timezone.localdate())
        signals = income.signals(result, kinds, rules, year=year) if done else []
        changes.warnings_new, changes.warnings_known, changes.warnings_joined = warning_queue.write(
            signals, user=user, reason=reason, today=timezone.localdate())
    return changes


def set_line(user, *, region_prefix: str, year: int, line_yuan: Decimal, reason: str,
             edge_factor: Decimal = Decimal("1.5"), sharp_fall: Decimal = Decimal("0.3"),
             dibao_yuan: Decimal | None = None) -> MonitoringLine:
    """A county bureau sets (or overrides) its own county's line; user None is the command's province-level setting."""
    if user is not None:
        if not access.can(user, "monitoring.line") or len(region_prefix) != 6 or not access.covers(user, region_prefix):
            raise PermissionDenied("县级部门只能设置本县的监测标准")
    if region_prefix and (not region_prefix.isdigit() or len(region_prefix) not in (2, 6)):
        raise ValidationError("区划代码前缀应为省2位或县6位数字")
    if line_yuan <= 0 or line_yuan != line_yuan.quantize(Decimal("0.01")):
        raise ValidationError("监测标准应为正数，最多两位小数（元）")
    if not (Decimal(1) <= edge_factor <= Decimal(3)) or not (Decimal(0) < sharp_fall < Decimal(1)):
        raise ValidationError("边缘系数应在1到3之间，大幅下降比例应在0到1之间")
    if dibao_yuan is not None and (dibao_yuan <= 0 or dibao_yuan != dibao_yuan.quantize(Decimal("0.01"))):
        raise ValidationError("农村低保标准应为正数，最多两位小数（元）")
    if not reason.strip():
        raise ValidationError("请填写依据")
    with transaction.atomic():
        row = MonitoringLine.objects.filter(region_prefix=region_prefix, year=year).first() or MonitoringLine(
            region_prefix=region_prefix, year=year)
        row.line, row.edge_factor, row.sharp_fall, row.reason, row.set_by = (
            int(line_yuan * 100), edge_factor, sharp_fall, reason.strip(), user)
        row.dibao_line = int(dibao_yuan * 100) if dibao_yuan is not None else None
        row._history_user = user
        row.save()
    return row
