"""就业台账 (湖南十条 三): the lifted and monitored laborers' employment by place and the "five batches", for the user's
area one level down, this year against last, computed from the registry's work spells (fangpin.employment.report)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts import access
from fangpin.employment import report
from fangpin.ledgers import selectors as ledger_selectors
from fangpin.lib import listing
from fangpin.registry import selectors

from .views import list_xlsx

TITLE = "就业台账"
LEVEL_NAMES = {"province": "市", "city": "县（市、区）", "county": "乡镇", "township": "村", "village": "村"}


def _year(request) -> int:
    """The year asked; by default last year, whose figures are whole (this year's grow until December)."""
    asked = request.GET.get("year", "")
    if asked.isascii() and asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    return timezone.localdate().year - 1


def _change(n: int) -> str:
    return f"{n:+,}" if n else "0"


def _columns(year: int) -> list[listing.Column]:
    """The Excel file's columns: the unit, then each measure this year, last year and the change."""
    out = [listing.Column("name", "单位", lambda r: r["name"], width=20)]
    for m in (*report.PLACES, *report.BATCHES):
        for key, header in ((f"{m.key}:{year}", f"{m.label}（{year}年）"), (f"{m.key}:{year - 1}", f"{m.label}（{year - 1}年）"),
                            (f"{m.key}:change", f"{m.label}增减")):
            out.append(listing.Column(key, header, lambda r, key=key: r[key], num=True))
    return out


def _cells(row: dict, measures, year: int) -> list:
    out = []
    for m in measures:
        out += [f"{row[f'{m.key}:{year}']:,}", f"{row[f'{m.key}:{year - 1}']:,}", _change(row[f"{m.key}:change"])]
    return out


def employment_by_place(request):
    """The report for the area (`?area=`, the user's own by default) and the year (`?year=`, last year by default)."""
    access.require(request.user, "ledgers.read")
    unit = ledger_selectors.area_unit(request.user, request.GET.get("area"))
    year = _year(request)
    rows = report.by_place(request.user, unit, year)
    totals = report.totals(rows)
    below = LEVEL_NAMES[unit.level]
    if request.GET.get("format") == "xlsx":
        title = f"{year}年就业台账（按务工地域）"
        unknown = "、".join(label for label, _ in report.NOT_DERIVED)
        filters = [f"范围：{unit.name}各{below}", f"脱贫户、监测户成员，与{year - 1}年比较",
                   f"户籍信息中无从统计：{unknown}"]
        return list_xlsx(request, title, filters, _columns(year), rows, totals=totals)
    for r in rows:
        r["link"] = "" if r["level"] == "village" else f"{reverse('ledger_employment')}?{urlencode({'area': r['code'], 'year': year})}"
        r["places"], r["batches"] = _cells(r, report.PLACES, year), _cells(r, report.BATCHES, year)
    return render(request, "ledgers/employment.html", {
        "title": TITLE, "unit": unit, "year": year, "below": below, "rows": rows,
        "trail": selectors.trail(user=request.user, unit=unit),
        "places": report.PLACES, "batches": report.BATCHES, "not_derived": report.NOT_DERIVED,
        "total_places": _cells(totals, report.PLACES, year) if rows else [],
        "total_batches": _cells(totals, report.BATCHES, year) if rows else [],
        "export": listing.export_link({"area": request.GET.get("area", ""), "year": year}),
    })
