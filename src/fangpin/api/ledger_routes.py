"""Ledgers API (台账): every ledger's sheets as rows of the exchange format, its checks with their clauses, and its
import (all or nothing, as the page's). Scoped and masked as the pages are."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from fangpin.accounts import access
from fangpin.employment import report as employment_report
from fangpin.ledgers import catalog, exporter, selectors
from fangpin.ledgers import importer as ledger_importer
from fangpin.lib import files

from . import schemas as s

ledgers = Router(tags=["台账"])


class SheetOut(Schema):
    key: str
    title: str
    description: str


class LedgerOut(Schema):
    key: str
    title: str
    description: str
    sheets: list[SheetOut]
    keeps: bool  # whether the user may import it


@ledgers.get("/ledgers", response={200: list[LedgerOut], 403: s.ErrorOut}, summary="台账及其工作表")
def ledger_list(request):
    access.require(request.user, "ledgers.read")
    return [{"key": ledger.key, "title": ledger.title, "description": ledger.description,
             "keeps": access.can_keep(request.user, ledger.key),
             "sheets": [{"key": b.sheet.key, "title": b.sheet.title, "description": b.sheet.description}
                        for b in ledger.bindings]} for ledger in catalog.LEDGERS.values()]


class FindingOut(Schema):
    check: str
    label: str
    clause: str
    quote: str
    subject: str
    division_code: str
    status: str  # met, missed, pending, no_data
    status_label: str
    numerator: int | None
    denominator: int | None
    target: str  # the share judged against, as a fraction ("11/20")
    judged_on: dt.date | None
    explanation: str


@ledgers.get("/ledgers/{key}/checks", response={200: list[FindingOut], 403: s.ErrorOut, 404: s.ErrorOut},
             summary="台账的政策检查（按区划、年度、截至日期；check 只看一项；分页：offset、limit≤500）")
def ledger_checks(request, key: str, area: str = "", year: int | None = Query(None, ge=2000, le=2100),
                  on: dt.date | None = Query(None, ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31)),
                  check: str = "", offset: int = Query(0, ge=0, le=10_000_000), limit: int = Query(500, ge=1, le=500)):
    ledger = catalog.get(key)
    on = on or dt.date.today()
    unit = selectors.area_unit(request.user, area or None)
    if area and unit.code != area:
        raise PermissionDenied("该区划不在您的管辖范围内")
    found = selectors.findings(request.user, ledger, area=unit, year=year or on.year, on=on)
    if check:
        found = [f for f in found if f.check.id == check]
    found = found[offset:offset + limit]
    return [{"check": f.check.id, "label": f.check.label, "clause": f.check.clause, "quote": f.check.quote,
             "subject": f.subject.label, "division_code": f.subject.code, "status": f.status,
             "status_label": f.status_label, "numerator": f.ratio.numerator if f.ratio else None,
             "denominator": f.ratio.denominator if f.ratio else None, "target": str(f.target),
             "judged_on": f.judged_on, "explanation": f.explanation} for f in found]


@ledgers.post("/ledgers/{key}/imports", response={200: s.ImportOut, 403: s.ErrorOut, 404: s.ErrorOut, 413: s.ErrorOut},
              summary="导入台账（交换格式 Excel 或 JSON；全部成功或全部不写入）")
def ledger_import(request, key: str, file: File[UploadedFile]):
    ledger = catalog.get(key)
    access.require_keep(request.user, ledger.key)
    with files.saved(file.chunks()) as path:
        result = ledger_importer.import_file(user=request.user, ledger=ledger, path=path, filename=file.name)
    return {"ok": result.ok, "filename": result.filename, "counts": result.counts,
            "problems": [p.__dict__ for p in result.problems]}


class UnitFiguresOut(Schema):
    division_code: str
    name: str
    this_year: dict[str, int]  # measure -> persons
    last_year: dict[str, int]


class EmploymentByPlaceOut(Schema):
    division_code: str
    year: int
    measures: dict[str, str]  # measure -> its label (省外, 劳务协作稳定一批 ...)
    not_derived: dict[str, str]  # what the registry cannot tell -> why
    units: list[UnitFiguresOut]  # the units one level down (a village: itself)
    total: UnitFiguresOut


def _figures(row: dict, year: int) -> dict:
    keys = [m.key for m in (*employment_report.PLACES, *employment_report.BATCHES)]
    return {"this_year": {k: row.get(f"{k}:{year}", 0) for k in keys},
            "last_year": {k: row.get(f"{k}:{year - 1}", 0) for k in keys}}


@ledgers.get("/ledgers/employment/by-place", response={200: EmploymentByPlaceOut, 403: s.ErrorOut},
             summary="就业台账：脱贫户、监测户成员按务工地域和“五个一批”的人数（按下一级单位，本年与上年）")
def employment_by_place(request, area: str = "", year: int | None = Query(None, ge=2000, le=2100)):
    access.require(request.user, "ledgers.read")
    unit = selectors.area_unit(request.user, area or None)
    if area and unit.code != area:
        raise PermissionDenied("该区划不在您的管辖范围内")
    year = year or dt.date.today().year - 1
    rows = employment_report.by_place(request.user, unit, year)
    return {"division_code": unit.code, "year": year,
            "measures": {m.key: m.label for m in (*employment_report.PLACES, *employment_report.BATCHES)},
            "not_derived": dict(employment_report.NOT_DERIVED),
            "units": [{"division_code": r["code"], "name": r["name"], **_figures(r, year)} for r in rows],
            "total": {"division_code": unit.code, "name": unit.name,
                      **_figures(employment_report.totals(rows), year)}}


# after the fixed paths above: a sheet's key is any other segment
@ledgers.get("/ledgers/{key}/{sheet}", response={200: list[dict], 403: s.ErrorOut, 404: s.ErrorOut},
             summary="台账工作表的行（交换格式：代码、分、ISO 日期；分页：offset、limit≤500）")
def ledger_rows(request, key: str, sheet: str, area: str = "", year: int | None = Query(None, ge=2000, le=2100),
                offset: int = Query(0, ge=0, le=10_000_000),
                limit: int = 100):
    access.require(request.user, "ledgers.read")
    ledger = catalog.get(key)
    try:
        binding = ledger.binding(sheet)
    except StopIteration:
        from django.http import Http404

        raise Http404("没有该工作表") from None
    limit = max(1, min(limit, 500))
    qs = selectors.sheet_rows(request.user, binding, area=area, year=year).order_by(*binding.order)
    return list(exporter.rows(request.user, binding, qs[max(0, offset):max(0, offset) + limit], with_id=True))
