"""What the funds checks measure (checks.yaml), as of a date, over the projects of an area and year (a unit's code is
its area: the projects sited under it).

The industry share counts the allocations made by the date; spending progress is what was spent by the date over what
was allocated by then; a project's labour remuneration is its labour expenditures over its allocations of the
sources the clause names."""
from __future__ import annotations

import datetime as dt

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio, Subject

from .choices import FundKind, ProjectKind, ReliefMode, Source
from .models import Allocation, Expenditure, Project



def _sources(sources) -> str:
    if not sources or sorted(sources) == sorted(Source.values):
        return "各级"
    return "和".join(Source(s).label for s in sources)


def _kinds(kinds) -> str:
    return "、".join(FundKind(k).label for k in kinds)


def _area(prefix_code: str):
    from fangpin.lib import divisions

    return access.subtree("project__org_unit_id", divisions.prefix(prefix_code))


def _sum(qs) -> int:
    return qs.aggregate(s=Sum("amount"))["s"] or 0


def industry_share(code: str, year: int, on: dt.date, *, sources=(), fund_kinds=("linkage",), funds_label="") -> Ratio:
    base = Allocation.objects.filter(_area(code), project__year=year, fund_kind__in=fund_kinds, allocated_on__lte=on)
    if sources:
        base = base.filter(source__in=sources)
    label = f"{year}年{funds_label or _sources(sources) + _kinds(fund_kinds)}"
    return Ratio(_sum(base.filter(project__kind=ProjectKind.INDUSTRY)), _sum(base),
                 f"{label}用于产业发展", f"{label}合计")


def spending_progress(code: str, year: int, on: dt.date, *, fund_kinds=("linkage",)) -> Ratio:
    allocated = Allocation.objects.filter(_area(code), project__year=year, fund_kind__in=fund_kinds, allocated_on__lte=on)
    spent = Expenditure.objects.filter(_area(code), project__year=year, fund_kind__in=fund_kinds, paid_on__lte=on)
    label = f"{year}年{_kinds(fund_kinds)}"
    return Ratio(_sum(spent), _sum(allocated), f"{label}已支出", "已下达")


def relief_remuneration(code: str, year: int, on: dt.date, *, relief_mode: str, sources=()):
    """One (subject, ratio_on) for each work-for-relief project of the mode, due on its completion: its labour
    remuneration over its allocations of `sources`, both as of its completion (as of `on` while not completed). Three
    queries whatever the number of projects."""
    from fangpin.lib import divisions

    projects = list(Project.objects.filter(access.subtree("org_unit_id", divisions.prefix(code)), year=year,
                                           relief_mode=relief_mode).order_by("code"))
    ids = [p.pk for p in projects]
    # as of the completion, or of `on` before it
    cutoff = Least(Coalesce("project__completed_on", Value(on)), Value(on))
    funds = Allocation.objects.filter(project_id__in=ids, allocated_on__lte=cutoff)
    if sources:
        funds = funds.filter(source__in=sources)
    funds = dict(funds.values("project_id").annotate(s=Sum("amount")).values_list("project_id", "s"))
    labour = dict(Expenditure.objects.filter(project_id__in=ids, labour=True, paid_on__lte=cutoff)
                  .values("project_id").annotate(s=Sum("amount")).values_list("project_id", "s"))
    mode = ReliefMode(relief_mode).label
    for p in projects:
        subject = Subject(f"{p.name}（{p.code}，{mode}）", p.org_unit_id,
                          reverse("ledger_entry", args=["funds", "fund_projects", p.pk]), due=p.completed_on)
        ratio = Ratio(labour.get(p.pk, 0), funds.get(p.pk, 0), "劳务报酬", f"{_sources(sources)}财政资金")
        yield subject, (lambda day, r=ratio: r)
