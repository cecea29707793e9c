"""考核指标 pages: a unit's dashboard of every indicator from its snapshot, one indicator with its trend and the units
below ranked, the rows behind a figure, and the snapshots (with an on-demand one). Thin: snapshots are read, never
computed here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts import access
from fangpin.indicators import present, rows, selectors, snapshots
from fangpin.indicators.catalog import load_catalog
from fangpin.indicators.models import Snapshot
from fangpin.indicators.status import LABELS
from fangpin.lib import listing
from fangpin.lib.listing import Column
from fangpin.lib.pagination import CappedPaginator

from .views import area_and_trail, list_xlsx

LEVEL_WORDS = {"province": "市", "city": "县（市、区）", "county": "乡镇", "township": "村", "village": ""}


def _context(request):
    access.require(request.user, "indicators.read")
    unit, trail = area_and_trail(request)
    snapshot = selectors.snapshot_for(unit, request.GET.get("snapshot"))
    if request.GET.get("snapshot") and snapshot is None:
        raise Http404("该快照不存在或不含此区划")
    return unit, trail, snapshot


def _query(unit, snapshot, **extra) -> str:
    parts = [f"unit={unit.code}"] + ([f"snapshot={snapshot.pk}"] if snapshot else [])
    parts += [f"{k}={v}" for k, v in extra.items()]
    return "?" + "&".join(parts)


def indicator_home(request):
    """考核指标: every indicator of the unit on the snapshot's day, grouped, with counts by status; the units below on
    the chosen indicator (a ranked chart, a table)."""
    unit, trail, snapshot = _context(request)
    context = {"unit": unit, "trail": trail, "snapshot": snapshot, "below": LEVEL_WORDS[unit.level],
               "snapshots": selectors.snapshots_for(unit), "may_snapshot": access.can(request.user, "indicators.snapshot")}
    if snapshot is None:
        return render(request, "indicators/home.html", context)
    table = present.unit_rows(selectors.unit_values(snapshot, unit))
    if request.GET.get("export") == "xlsx":
        cols = [Column("group", "类别", lambda r: r["indicator"].group), Column("title", "指标", lambda r: r["title"], width=30),
                Column("value", "数值", lambda r: _number(r["indicator"], r["value"]), num=True),
                Column("unit", "单位", lambda r: r["indicator"].unit, width=8),
                Column("base", "上年同期", lambda r: r["base_text"]),
                Column("target", "目标", lambda r: r["target_text"], width=30),
                Column("status", "状态", lambda r: r["status_label"]), Column("gap", "差距", lambda r: r["gap_text"]),
                Column("clause", "依据", lambda r: r["indicator"].clause, width=24)]
        return list_xlsx(request, "考核指标", [f"{unit.name}", f"统计日 {snapshot.on:%Y-%m-%d}"], cols, table)
    groups: dict[str, list] = {}
    for r in table:
        r["link"] = reverse("indicator_detail", args=[r["key"]]) + _query(unit, snapshot)
        groups.setdefault(r["indicator"].group, []).append(r)
    counts = [(LABELS[s], sum(1 for r in table if r["status"] == s), s)
              for s in ("met", "on_track", "at_risk", "missed", "no_data", "no_target")]
    # the chart's indicator: asked for, else the first judged for the unit or the units below
    judged = selectors.judged_indicators(snapshot, unit)
    chosen = request.GET.get("indicator") or next((r["key"] for r in table if r["key"] in judged),
                                                  table[0]["key"] if table else "")
    catalog = load_catalog()
    if chosen not in catalog:
        raise Http404("没有这个指标")
    no_targets = bool(table) and all(r["status"] == "no_target" for r in table)
    below = selectors.children_statuses(request.user, snapshot, unit)
    last_judged = selectors.latest_judged(unit, context["snapshots"])  # read on every day: the same queries
    context |= {"groups": groups, "counts": counts, "chosen": catalog[chosen], "no_targets": no_targets,
                "children": [c | {"link": f"{reverse('indicator_home')}?unit={c['code']}&snapshot={snapshot.pk}"}
                             for c in below],
                "judged_elsewhere": last_judged if no_targets and not below else None,
                "chart": _children_chart(request.user, snapshot, unit, catalog[chosen])}
    return render(request, "indicators/home.html", context)


def _number(indicator, value):
    """A figure as a number for Excel (a share in percent, rounded as shown), so a column sorts and adds up."""
    if value is None:
        return None
    return round(value * 100, 2) if indicator.unit == "%" else round(value, 2)


def _chart_scale(indicator, values) -> tuple[float, str]:
    """The factor and unit a chart plots in: a share in percent; 亿元 in 万元 when no figure reaches 1亿 (a county's
    loans would otherwise be bars of 0.0012)."""
    if indicator.unit == "%":
        return 100, "%"
    if indicator.unit == "亿元" and all(x is None or abs(x) < 1 for x in values):
        return 10000, "万元"
    return 1, indicator.unit


def _children_chart(user, snapshot, unit, indicator) -> dict:
    ranked = present.ranked(indicator, selectors.children_values(user, snapshot, unit, indicator.key))
    rows_ = []
    for rank, v in ranked:
        r = present.row(indicator, v)
        r |= {"rank": rank, "name": v.unit.name, "code": v.unit_id,
              "link": reverse("indicator_detail", args=[indicator.key]) + _query(v.unit, snapshot)}
        rows_.append(r)
    factor, chart_unit = _chart_scale(indicator, [r["value"] for r in rows_])
    return {"rows": rows_, "data": {
        "names": [r["name"] for r in rows_], "links": [r["link"] for r in rows_],
        "values": [None if r["value"] is None else round(r["value"] * factor, 4) for r in rows_],
        "statuses": [r["status"] for r in rows_], "unit": chart_unit, "title": indicator.title}}


def indicator_detail(request, key: str):
    """One indicator for a unit: its definition, clause and targets, its trend over the snapshots, the units below
    ranked (each a link one level down), and the rows behind the figure."""
    access.require(request.user, "indicators.read")  # before telling a key exists
    catalog = load_catalog()
    if key not in catalog:
        raise Http404("没有这个指标")
    indicator = catalog[key]
    unit, trail, snapshot = _context(request)
    context = {"unit": unit, "trail": trail, "snapshot": snapshot, "indicator": indicator,
               "below": LEVEL_WORDS[unit.level], "snapshots": selectors.snapshots_for(unit),
               "targets": [(indicator.target_text(t), t) for t in indicator.targets]}
    if snapshot is None:
        return render(request, "indicators/detail.html", context)
    values = selectors.unit_values(snapshot, unit)
    chart = _children_chart(request.user, snapshot, unit, indicator)
    if request.GET.get("export") == "xlsx":
        cols = [Column("rank", "排名", lambda r: r["rank"], num=True, width=8), Column("name", "单位", lambda r: r["name"]),
                Column("value", f"数值（{indicator.unit}）", lambda r: _number(indicator, r["value"]), num=True),
                Column("base", "上年同期", lambda r: r["base_text"]),
                Column("status", "状态", lambda r: r["status_label"]), Column("gap", "差距", lambda r: r["gap_text"])]
        return list_xlsx(request, indicator.title[:28], [unit.name, f"统计日 {snapshot.on:%Y-%m-%d}"], cols,
                         chart["rows"])
    points = selectors.trend(unit, key)
    bounds = [p.expected if p.expected is not None else p.bound for p in points]
    factor, chart_unit = _chart_scale(indicator, [p.value for p in points] + bounds)

    def scaled(x):
        return None if x is None else round(x * factor, 4)

    trend = {"days": [f"{p.snapshot.on:%Y-%m-%d}" for p in points], "values": [scaled(p.value) for p in points],
             "bounds": [scaled(b) for b in bounds], "unit": chart_unit, "title": indicator.title}
    measures = [(i, m, indicator.words(m)) for i, m in enumerate(indicator.measures)]
    context |= {"row": present.row(indicator, values.get(key)), "chart": chart, "trend": trend,
                "measures": [(i, words, reverse("indicator_rows", args=[key]) + _query(unit, snapshot, measure=i))
                             for i, m, words in measures]}
    return render(request, "indicators/detail.html", context)


def _cell(value):
    """A cell as the page shows it: an amount in yuan with separators and two decimals (6,000.00, not 6000.0)."""
    return f"{value:,.2f}" if isinstance(value, Decimal) else value


def indicator_rows(request, key: str):
    """The rows one measure of the indicator counted for the unit on the snapshot's day, page by page; Excel."""
    access.require(request.user, "indicators.read")  # before telling a key exists
    catalog = load_catalog()
    if key not in catalog:
        raise Http404("没有这个指标")
    indicator = catalog[key]
    unit, trail, snapshot = _context(request)
    try:
        index = int(request.GET.get("measure", "0"))
        if index < 0:  # not "the last measure"
            raise IndexError
        measure = indicator.measures[index]
    except (ValueError, IndexError):
        raise Http404("没有这个度量") from None
    on = snapshot.on if snapshot else timezone.localdate()
    qs = rows.queryset(request.user, measure, unit.code, unit.level, on)
    cols = rows.columns(request.user, measure, on)
    title = f"{indicator.title}明细"
    if measure.per:
        return _entity_rows(request, indicator, measure, index, unit, trail, snapshot, on, qs, cols)
    if request.GET.get("export") == "xlsx":
        # counted first (up to the cap): a province's rows would be written up to the cap before being refused
        if qs.values("pk").order_by()[: listing.EXPORT_MAX + 1].count() > listing.EXPORT_MAX:
            messages.error(request, str(listing.TooMany(listing.EXPORT_MAX)))
            query = request.GET.copy()
            query.pop("export")
            return redirect(f"{request.path}?{query.urlencode()}")
        return list_xlsx(request, title[:30], [unit.name, f"统计日 {on:%Y-%m-%d}", indicator.words(measure)], cols,
                         rows.values(qs, cols).iterator(chunk_size=2000))
    page = CappedPaginator(rows.values(qs, cols), 50).get_page(request.GET.get("page"))
    table = [[(c.header, _cell(c.value(r)), c.num) for c in cols] for r in page.object_list]
    return render(request, "indicators/rows.html", {
        "unit": unit, "trail": trail, "snapshot": snapshot, "indicator": indicator, "on": on, "page": page,
        "headers": [(c.header, c.num) for c in cols], "table": table, "words": indicator.words(measure), "index": index,
        "query": _query(unit, snapshot, measure=index)[1:]})


def _entity_rows(request, indicator, measure, index, unit, trail, snapshot, on, qs, cols):
    """The rows of a measure per entity: a page of entities (computed from the unit's facts), their rows and figures."""
    context = {"unit": unit, "trail": trail, "snapshot": snapshot, "indicator": indicator, "on": on, "index": index,
               "words": indicator.words(measure), "query": _query(unit, snapshot, measure=index)[1:],
               "entity_unit": rows.entity_unit(measure)}
    if unit.level not in rows.PER_LEVELS:
        return render(request, "indicators/rows.html", context | {"too_broad": True})
    found = rows.entities(measure, unit.code, unit.level, on)
    cols = cols + rows.figure_columns(measure, found)
    keys = list(found)
    title = f"{indicator.title}明细"
    if request.GET.get("export") == "xlsx":
        if len(keys) > listing.EXPORT_MAX:
            messages.error(request, str(listing.TooMany(listing.EXPORT_MAX)))
            query = request.GET.copy()
            query.pop("export")
            return redirect(f"{request.path}?{query.urlencode()}")
        chunks = (r for i in range(0, len(keys), 2000)
                  for r in rows.values(rows.of_entities(qs, measure, keys[i:i + 2000]), cols))
        return list_xlsx(request, title[:30], [unit.name, f"统计日 {on:%Y-%m-%d}", indicator.words(measure)], cols,
                         chunks)
    page = Paginator(keys, 50).get_page(request.GET.get("page"))
    shown = rows.values(rows.of_entities(qs, measure, page.object_list), cols)
    table = [[(c.header, _cell(c.value(r)), c.num) for c in cols] for r in shown]
    return render(request, "indicators/rows.html", context | {
        "page": page, "headers": [(c.header, c.num) for c in cols], "table": table, "entities": len(keys)})


def snapshot_list(request):
    """The snapshots that hold the unit; a county bureau asks for one of its area on any day (a background job)."""
    access.require(request.user, "indicators.read")
    unit, trail = area_and_trail(request)
    if request.method == "POST":
        access.require(request.user, "indicators.snapshot")
        try:
            on = dt.date.fromisoformat(request.POST.get("on", ""))
            if not dt.date(2000, 1, 1) <= on <= timezone.localdate():
                raise ValueError
        except ValueError:
            messages.error(request, "统计日应为2000年1月1日至今天之间的日期")
            return redirect(reverse("snapshot_list") + f"?unit={unit.code}")
        from fangpin.indicators import tasks

        area = request.user.org_unit
        with transaction.atomic():
            # one job per area and day at a time: a second click (or a colleague) waits for the first, not a second
            # county-wide computation
            snapshots.lock_area(area)
            if selectors.running(area, on):
                messages.info(request, f"{area.name}{on:%Y-%m-%d}的指标快照正在计算中，完成后即可查看")
                return redirect(reverse("snapshot_list") + f"?unit={unit.code}")
            snap = snapshots.start(area, on, Snapshot.Kind.ON_DEMAND, request.user)
            transaction.on_commit(lambda: tasks.take_snapshot.enqueue(snap.pk))
        messages.success(request, f"已提交{area.name}{on:%Y-%m-%d}的指标快照，计算完成后即可查看")
        return redirect(reverse("snapshot_list") + f"?unit={unit.code}")
    may = access.can(request.user, "indicators.snapshot")
    from fangpin.indicators import bulletin as bulletins

    return render(request, "indicators/snapshots.html", {
        "unit": unit, "trail": trail, "snapshots": selectors.snapshots_for(unit), "archived": bulletins.archived(unit),
        "may_snapshot": may, "running": selectors.running(request.user.org_unit) if may else [],
        "failed": selectors.failed(request.user.org_unit) if may else [],
        "today": timezone.localdate()})



def bulletin(request, fmt: str):
    """调度通报 of the unit from the snapshot: Excel or PDF, made while the user waits (a snapshot's figures only)."""
    from django.http import HttpResponse

    from fangpin.indicators import bulletin as bulletins
    from fangpin.lib import files

    if fmt not in ("xlsx", "pdf"):
        raise Http404("只提供 Excel 和 PDF")
    unit, _trail, snapshot = _context(request)
    if snapshot is None:
        raise Http404(f"{unit.name}还没有指标快照")
    content = bulletins.content(snapshot, unit)
    name = f"{content['title']}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(bulletins.pdf(content), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    handle = files.built_file(lambda p: bulletins.write_xlsx(content, p), ".xlsx")
    return FileResponse(handle, as_attachment=True, filename=name)


def bulletin_file(request, day: str, fmt: str):
    """A scheduled bulletin of the unit as it was made (the monthly job's file)."""
    from fangpin.indicators import bulletin as bulletins

    access.require(request.user, "indicators.read")
    unit, _trail = area_and_trail(request)
    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("没有这一天的调度通报") from None
    path = bulletins.archived_file(unit, on, fmt)
    if path is None:
        raise Http404("没有这一天的调度通报")
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"{unit.name}调度通报-{on:%Y%m%d}.{fmt}")
