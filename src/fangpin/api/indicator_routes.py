"""Indicators API (考核指标): the catalog, and every indicator value of a unit (and of the units one level down) from a
snapshot — the day asked for, or the newest on or before it. Scoped as the pages are; values only, no persons."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Query, Router, Schema

from fangpin.accounts import access
from fangpin.indicators import present, selectors
from fangpin.indicators.catalog import load_catalog
from fangpin.registry import selectors as registry_selectors

from . import schemas as s

indicators = Router(tags=["考核指标"])


class TargetOut(Schema):
    text: str
    comparison: str  # at_least, at_most, not_below_last_year
    levels: list[str]
    regions: list[str]
    period: str


class IndicatorOut(Schema):
    key: str
    title: str
    unit: str
    group: str
    definition: str
    clause: str
    quote: str
    reading: str
    targets: list[TargetOut]


@indicators.get("/indicators", response={200: list[IndicatorOut], 403: s.ErrorOut}, summary="指标目录")
def indicator_list(request):
    access.require(request.user, "indicators.read")
    return [{"key": i.key, "title": i.title, "unit": i.unit, "group": i.group, "definition": i.definition,
             "clause": i.clause, "quote": i.quote, "reading": i.reading,
             "targets": [{"text": i.target_text(t), "comparison": t.comparison, "levels": list(t.levels),
                          "regions": list(t.regions), "period": t.period_text} for t in i.targets]}
            for i in selectors.indicators()]


class ValueOut(Schema):
    indicator: str
    division_code: str
    name: str
    value: float | None  # in the indicator's unit; a share as a fraction
    value_text: str
    numerator: int | None  # counts, or amounts in fen
    denominator: int | None
    last_year: float | None
    status: str  # met, on_track, at_risk, missed, no_data, no_target
    status_label: str
    target: str
    gap: str


class ValuesOut(Schema):
    snapshot_id: int
    on: dt.date
    unit: list[ValueOut]
    children: list[ValueOut]


def _out(indicator, v, name: str) -> dict:
    r = present.row(indicator, v)
    return {"indicator": indicator.key, "division_code": v.unit_id, "name": name, "value": v.value,
            "value_text": r["value_text"], "numerator": v.numerator, "denominator": v.denominator,
            "last_year": v.base, "status": v.status, "status_label": r["status_label"], "target": r["target_text"],
            "gap": r["gap_text"]}


@indicators.get("/indicators/values", response={200: ValuesOut, 403: s.ErrorOut, 404: s.ErrorOut},
                summary="某区划某日的指标值（及下一级单位）")
def indicator_values(request, area: str = "", on: dt.date | None = None, indicator: str = "",
                     children: bool = Query(True)):
    access.require(request.user, "indicators.read")
    unit = registry_selectors.area_unit(user=request.user, code=area)
    if unit is None:
        raise Http404("该区划不存在或不在您的管辖范围内")
    catalog = load_catalog()
    if indicator and indicator not in catalog:
        raise Http404("没有这个指标")
    snapshot = selectors.snapshot_for(unit, on=on)
    if snapshot is None:
        raise Http404(f"{unit.name}在该日及以前没有指标快照")
    own = selectors.unit_values(snapshot, unit)
    keys = [indicator] if indicator else [i.key for i in selectors.indicators()]
    below = selectors.children_values(request.user, snapshot, unit, indicator or None) if children else []
    return {"snapshot_id": snapshot.pk, "on": snapshot.on,
            "unit": [_out(catalog[k], own[k], unit.name) for k in keys if k in own],
            "children": [_out(catalog[v.indicator], v, v.unit.name) for v in below if v.indicator in catalog]}
