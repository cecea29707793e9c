"""台账 pages: the ledgers' index, each ledger's checks and sheets, a sheet's list, one entry with its history, and the
ledger's import, template and export. Every ledger is served by the same views, from its declaration."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin.accounts import access
from fangpin.exchange import jobs
from fangpin.ledgers import catalog, checks, exporter, selectors
from fangpin.lib import files, listing
from fangpin.lib.pagination import CappedPaginator
from fangpin.orgunits import names

from . import ledger_lists, lists
from .forms import ImportForm
from .views import list_export


def _shown(value):
    """A cell as the page shows it: yuan with separators and two decimals (the Excel file keeps the number)."""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return value


def ledger_index(request):
    """台账: every ledger the user may read, with its sheets' row counts in the user's area."""
    access.require(request.user, "ledgers.read")
    ledgers = [{"ledger": ledger, "counts": selectors.counts(request.user, ledger),
                "keeps": access.can_keep(request.user, ledger.key)} for ledger in catalog.LEDGERS.values()]
    return render(request, "ledgers/index.html", {"ledgers": ledgers})


def _year_and_date(request) -> tuple[int, dt.date]:
    today = timezone.localdate()
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
        if not 2000 <= on.year <= 2100:  # the years a ledger holds (a year before 1 fails the year-before checks)
            raise ValueError
    except ValueError:
        on = today
    try:
        year = int(request.GET.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = on.year
    return year, on


def ledger_home(request, key: str):
    """One ledger: the seeds' checks for the area, year and date asked, and its sheets, import and export."""
    access.require(request.user, "ledgers.read")
    ledger = catalog.get(key)
    year, on = _year_and_date(request)
    area = selectors.area_unit(request.user, request.GET.get("area"))
    fallback = None
    if not request.GET.get("year"):  # the latest year a check asks of the area, if none asks of this one
        fallback = selectors.default_year(ledger, area, year)
        year, fallback = (fallback, year) if fallback != year else (year, None)
    found = selectors.findings(request.user, ledger, area=area, year=year, on=on)
    figures = selectors.summary(request.user, ledger, area=area, year=on.year if fallback else year, on=on)
    summary = {s: sum(1 for f in found if f.status == s) for s in checks.STATUS_LABELS}
    shown, more = _first_of_each(found, FIRST)
    return render(request, "ledgers/home.html", {
        "ledger": ledger, "findings": shown, "more": more, "first": FIRST,
        "summary": [(checks.STATUS_LABELS[s], n, s) for s, n in summary.items()],
        "year": year, "on": on, "area": area, "fallback": fallback, "figures": figures, "counts": selectors.counts(request.user, ledger),
        "keeps": access.can_keep(request.user, ledger.key),
        "checks": [(c, names.region_names(c.regions)) for c in checks.checks_of(ledger.key)],
        "jobs": jobs.jobs_recent(user=request.user, ledger=ledger.key), "form": ImportForm()})


FIRST = 20  # findings of one check shown on the ledger's page; the rest on the check's own paged list
ORDER = {checks.MISSED: 0, checks.PENDING: 1, checks.NO_DATA: 2, checks.MET: 3}  # what needs doing first


def _first_of_each(found, n: int):
    """The first `n` findings of each check, those not met first, and the checks cut short with their counts."""
    by_check: dict[str, list] = {}
    for f in found:
        by_check.setdefault(f.check.id, []).append(f)
    shown, more = [], []
    for items in by_check.values():
        items.sort(key=lambda f: ORDER[f.status])
        shown += items[:n]
        if len(items) > n:
            more.append((items[0].check, len(items)))
    return shown, more


def ledger_findings(request, key: str, check: str):
    """Every finding of one check for the area, year and date asked, those not met first, 50 to a page."""
    access.require(request.user, "ledgers.read")
    ledger = catalog.get(key)
    chosen = next((c for c in checks.checks_of(ledger.key) if c.id == check), None)
    if chosen is None:
        raise Http404("没有该检查项")
    year, on = _year_and_date(request)
    area = selectors.area_unit(request.user, request.GET.get("area"))
    found = [f for f in selectors.findings(request.user, ledger, area=area, year=year, on=on) if f.check.id == check]
    status = request.GET.get("status", "")
    if status in checks.STATUS_LABELS:
        found = [f for f in found if f.status == status]
    found.sort(key=lambda f: ORDER[f.status])
    page = Paginator(found, 50).get_page(request.GET.get("page"))  # a list computed for the request, not a query
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/findings.html", {
        "ledger": ledger, "check": chosen, "page": page, "area": area, "year": year, "on": on, "status": status,
        "statuses": list(checks.STATUS_LABELS.items()), "query": query.urlencode()})


def ledger_list(request, key: str, sheet: str):
    """A ledger sheet's rows: filtered by the division tree (and year), sorted, paged, exported as shown."""
    spec = ledger_lists.SPECS.get(f"ledger:{key}:{sheet}")
    if spec is None:
        raise Http404("没有该台账")
    sel = lists.select(spec, request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = [{**r, "cells": [_shown(c.value(r)) for c in spec.columns]} for r in spec.rows(request.user, page.object_list)]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/list.html", {
        "ledger": catalog.get(key), "title": spec.title, "form": sel.form, "page": page, "rows": rows,
        "query": query.urlencode(), "headers": listing.headers(spec.columns, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict())})


def ledger_entry(request, key: str, sheet: str, pk: int):
    """One row of a ledger: its columns, the rows that belong to it, the checks on it, and its history."""
    access.require(request.user, "ledgers.read")
    ledger = catalog.get(key)
    try:
        binding = ledger.binding(sheet)
    except StopIteration:
        raise Http404("没有该台账") from None
    obj = selectors.entry(request.user, binding, pk)
    spec = ledger_lists.SPECS[f"ledger:{key}:{sheet}"]
    row = {"obj": obj, "user": request.user}
    fields = [(c.header, _shown(c.value(row))) for c in spec.columns]
    kids = []
    for child, objs in selectors.children(request.user, ledger, binding, obj):
        child_spec = ledger_lists.SPECS[f"ledger:{key}:{child.sheet.key}"]
        cols = [c for c in child_spec.columns if c.key != child.parent]
        kids.append({"title": child.sheet.title, "headers": [c.header for c in cols],
                     "rows": [[_shown(c.value({"obj": o, "user": request.user})) for c in cols] for o in objs]})
    year, on = _year_and_date(request)
    year = getattr(obj, "year", year)
    url = request.path
    area = selectors.area_unit(request.user, access.object_code(obj))
    found = [f for f in selectors.findings(request.user, ledger, area=area, year=year, on=on) if f.subject.url == url]
    return render(request, "ledgers/entry.html", {
        "ledger": ledger, "sheet": binding.sheet, "obj": obj, "fields": fields, "children": kids, "findings": found,
        "link": binding.link(obj) if binding.link else None,
        "history": selectors.history(obj), "on": on})


def ledger_import(request, key: str):
    ledger = catalog.get(key)
    access.require_keep(request.user, ledger.key)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.import_submit(user=request.user, chunks=upload.chunks(), filename=upload.name, ledger=ledger.key)
        return redirect("import_job", pk=job.pk)
    return render(request, "ledgers/import.html", {"ledger": ledger, "form": form,
                                                   "jobs": jobs.jobs_recent(user=request.user, ledger=ledger.key)})


def ledger_template(request, key: str):
    ledger = catalog.get(key)
    access.require(request.user, "ledgers.read")
    built = files.built_file(lambda path: exporter.write_template(request.user, ledger, path), ".xlsx")
    return FileResponse(built, as_attachment=True, filename=f"{ledger.title}导入模板.xlsx")


def ledger_export(request, key: str):
    """The whole ledger of the user's area in the exchange format (Excel, or JSON with ?format=json): what the
    import reads back."""
    ledger = catalog.get(key)
    access.require(request.user, "ledgers.read")
    name = f"{ledger.title}-{request.user.org_unit.name}-{dt.date.today():%Y%m%d}"
    if request.GET.get("format") == "json":
        out = io.StringIO()
        exporter.write_json(request.user, ledger, out)
        response = HttpResponse(out.getvalue(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.json"
        return response
    built = files.built_file(lambda path: exporter.write_xlsx(request.user, ledger, path), ".xlsx")
    return FileResponse(built, as_attachment=True, filename=f"{name}.xlsx")
