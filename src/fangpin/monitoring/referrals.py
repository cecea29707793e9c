"""Linkage with civil affairs (湖南十条 五: 加强防返贫监测对象与民政对象衔接), outbound: the monitored households (risk not
eliminated) that meet a condition of rules.yaml's `referrals` are referred to civil affairs, once per household, kind
and year. The list goes out as the referrals ledger's Excel; civil affairs' answers come back through its import.

- 农村低保: last year's accounting gives a per-capita net income below the 农村低保标准 set with that year's line;
- 特困供养: a one-person household whose member has no labor capacity or is at least `min_age` years old;
- 临时救助: a 突发严重困难户 enrolled (its enrollment case done, or a green case opened) within `days` days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fangpin.accounts import access
from fangpin.registry.models import Household, Member

from .models import Case, IncomeAccount, MonitoringLine, Referral
from .screening import RULES

KIND_WORDS = {"dibao": "低保", "tekun": "特困", "temporary": "临救"}


@dataclass
class Generated:
    new: int
    known: int


def code_for(kind: str, household_number: str, year: int) -> str:
    return f"{year}-{KIND_WORDS[kind]}-{household_number}"


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _dibao_lines(year: int) -> dict[str, int]:
    """Region prefix -> the 农村低保标准 of the year (fen), where set."""
    return dict(MonitoringLine.objects.filter(year=year, dibao_line__isnull=False)
                .values_list("region_prefix", "dibao_line"))


def candidates(households, *, today: dt.date) -> list[tuple[Household, str, str]]:
    """(household, kind, reason) for the at-risk monitored households of `households` (a scoped queryset)."""
    rules = RULES.referrals
    at_risk = households.filter(category="monitored", risk_eliminated_on__isnull=True)
    out = []
    year = today.year - 1
    lines = _dibao_lines(year)
    if lines:
        for a in (IncomeAccount.objects.filter(household__in=at_risk, year=year, per_capita__isnull=False)
                  .select_related("household")):
            code = a.household.village_id
            line = lines.get(code[:6], lines.get(code[:2], lines.get("")))
            if line is not None and a.net_income < line * a.size:  # on totals, as the bands are
                out.append((a.household, "dibao", f"{year}年人均纯收入{_yuan(a.per_capita)}元，低于农村低保标准"
                                                  f"{_yuan(line)}元"))
    age = rules["tekun"]["min_age"]
    try:  # born on or before this day: the age reached today
        born_by = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        born_by = today.replace(year=today.year - age, day=28)
    alone = at_risk.annotate(n=Count("members")).filter(n=1)
    for m in Member.objects.filter(household__in=alone).filter(
            Q(labor_capacity="none") | Q(birth_date__lte=born_by)).select_related("household"):
        why = "无劳动能力" if m.labor_capacity == "none" else f"年满{age}周岁"
        out.append((m.household, "tekun", f"单人户，{m.name}{why}，无其他家庭成员"))
    since = today - dt.timedelta(days=rules["temporary"]["days"])
    recent = (Case.objects.filter(household__in=at_risk.filter(monitor_type="sudden_hardship"), kind="enrollment")
              .filter(Q(state="done", closed_at__date__gte=since) | Q(green=True, opened_at__date__gte=since))
              .exclude(state="declined").select_related("household").order_by("household_id", "-opened_at"))
    seen = set()
    for c in recent:
        if c.household_id not in seen:
            seen.add(c.household_id)
            out.append((c.household, "temporary", f"突发严重困难户，{c.opened_at:%Y-%m-%d}起识别纳入：{c.risk_causes}"[:500]))
    return out


def generate(user, *, today: dt.date | None = None) -> Generated:
    """生成转介名单: the county bureau's area; new referrals only (a household, kind and year is referred once)."""
    if not access.can_keep(user, "referrals"):
        raise PermissionDenied("只有县乡村振兴局可以生成向民政转介的名单")
    today = today or timezone.localdate()
    found = candidates(access.scope(user, Household.objects.all()), today=today)
    codes = {code_for(kind, h.number, today.year): (h, kind, reason) for h, kind, reason in found}
    known = set(Referral.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    new = [Referral(code=code, household=h, kind=kind, reason=reason, referred_on=today)
           for code, (h, kind, reason) in sorted(codes.items()) if code not in known]
    if new:
        bulk_create_with_history(new, Referral, batch_size=1000, default_user=user, default_change_reason="生成转介名单")
    return Generated(len(new), len(known))


def counts(user) -> list[dict]:
    """Per kind: referred, answered by result, waiting — over the user's area."""
    rows = access.scope(user, Referral.objects.all()).values("kind", "result").annotate(n=Count("id"))
    out = {k: {"kind": k, "label": label, "total": 0, **{r: 0 for r in Referral.Result.values}, "waiting": 0}
           for k, label in Referral.Kind.choices}
    for r in rows:
        o = out[r["kind"]]
        o["total"] += r["n"]
        o[r["result"] or "waiting"] += r["n"]
    return list(out.values())
