"""What the ledger pages read, in the user's area (views never query models themselves)."""
from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit

from . import checks
from .base import Binding, Ledger


def sheet_rows(user, binding: Binding, *, area: str = "", year: int | None = None):
    """A sheet's rows in the user's area, narrowed to a unit of it (its code) and a year (the row's, or its parent's)."""
    qs = access.scope(user, binding.model.objects.all(), "ledgers.read")
    if area:
        if not divisions.is_code(area):
            from django.core.exceptions import ValidationError

            raise ValidationError({"area": "区划代码应为12位数字"})
        qs = qs.filter(access.subtree(access.SCOPE_PATHS[binding.model._meta.label_lower], divisions.prefix(area)))
    if year and year_path(binding):
        qs = qs.filter(**{year_path(binding): year})
    related = [ref.field + ("__parent" if ref.is_place else "") for ref in binding.refs.values()]
    qs = qs.select_related(*related)
    if binding.annotate is not None:
        from django.utils import timezone

        qs = binding.annotate(qs, timezone.localdate())
    return qs


def year_path(binding: Binding) -> str | None:
    """What a sheet's year filter reads: the row's year, its parent's (a project's allocations), or none (posts)."""
    if "year" in binding.sheet.field_keys:
        return "year"
    parent = binding.refs[binding.parent] if binding.parent else None
    if parent is not None and any(f.name == "year" for f in parent.model._meta.get_fields()):
        return f"{parent.field}__year"
    return None


def entry(user, binding: Binding, pk: int):
    """One row of a ledger sheet, if it lies in the user's area (otherwise 404: nothing tells that it exists)."""
    qs = access.scope(user, binding.model.objects.all(), "ledgers.read")
    return get_object_or_404(qs, pk=pk)


def children(user, ledger: Ledger, binding: Binding, obj) -> list[tuple[Binding, list]]:
    """The rows of the ledger's other sheets that belong to `obj` (a project's allocations and expenditures)."""
    out = []
    for child in ledger.bindings:
        ref = child.refs.get(child.parent) if child.parent else None
        if ref is None or ref.model is not binding.model:
            continue
        qs = access.scope(user, child.model.objects.filter(**{ref.field: obj}), "ledgers.read")
        related = [r.field + ("__parent" if r.is_place else "") for r in child.refs.values()]
        out.append((child, list(qs.select_related(*related).order_by(*child.order[1:] or ("pk",)))))
    return out


def history(obj, limit: int = 50) -> list:
    return list(obj.history.select_related("history_user").order_by("-history_date")[:limit])


def counts(user, ledger: Ledger) -> list[tuple[Binding, int]]:
    return [(b, access.scope(user, b.model.objects.all(), "ledgers.read").count()) for b in ledger.bindings]


def area_unit(user, code: str | None) -> OrgUnit:
    """The unit a ledger page is about: the one asked for if it lies in the user's area, else the user's own."""
    if divisions.is_code(code) and access.covers(user, code):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is not None:
            return unit
    return user.org_unit


def default_year(ledger: Ledger, area: OrgUnit, year: int) -> int:
    """`year`, or, when no check of the ledger asks anything of the area that year, the latest earlier year one does."""
    years = checks.years_in_force(ledger.key, area)
    if None in years or year in years:
        return year
    earlier = [y for y in years if y < year]
    return max(earlier) if earlier else year


def summary(user, ledger: Ledger, *, area: OrgUnit, year: int, on: dt.date):
    """The ledger's own figures for the area beside its checks (the microcredit's lending and balance), if it has any."""
    access.require(user, "ledgers.read")
    return ledger.summary(area, year, on) if ledger.summary is not None else None


def findings(user, ledger: Ledger, *, area: OrgUnit, year: int, on: dt.date) -> list[checks.Finding]:
    access.require(user, "ledgers.read")
    return checks.for_area(ledger.key, area, year=year, on=on)
