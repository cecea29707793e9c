"""Excel files of the exchange format: export, the blank template, and the error report."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from fangpin.accounts import access
from fangpin.orgunits.villages import village_names

from . import exporter, values
from .importer import ImportResult
from .readers import NOTES_SHEET, VILLAGES_SHEET, ExchangeFile
from .spec import FORMAT_VERSION, REGISTRY, SHEETS, Catalog, Sheet

# Fixed document properties keep two exports of the same data byte-comparable in content.
PROPERTIES = {"title": f"防贫系统交换格式 {FORMAT_VERSION}", "author": "fangpin", "created": dt.datetime(2000, 1, 1)}


class _Formats:
    def __init__(self, wb):
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        self.text = wb.add_format({"num_format": "@"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.money = wb.add_format({"num_format": "0.00"})
        self.error = wb.add_format({"font_color": "#C00000", "text_wrap": True})


TEXT_TYPES = ("string", "id_number", "division_code", "village", "place", "credit_code", "account_number")


def _column_format(fm: _Formats, f):
    if f.type in ("date",):
        return fm.date
    if f.type in ("money", "decimal"):
        return fm.money
    if f.type in TEXT_TYPES:
        return fm.text
    return None


def _write_header(ws, sheet: Sheet, fm: _Formats, extra: list[str] = ()) -> None:
    for j, f in enumerate(sheet.fields):
        ws.write_string(0, j, f.excel_header, fm.required if f.required else fm.header)
        ws.set_column(j, j, max(10, len(f.excel_header) * 2 + 2), _column_format(fm, f))
        if f.type == "enum":
            ws.data_validation(1, j, 1_048_575, j, {"validate": "list", "source": list(f.choices.labels)})
        elif f.type == "boolean":
            ws.data_validation(1, j, 1_048_575, j, {"validate": "list", "source": ["是", "否"]})
    for k, h in enumerate(extra):
        ws.write_string(0, len(sheet.fields) + k, h, fm.header)
        ws.set_column(len(sheet.fields) + k, len(sheet.fields) + k, 60)
    ws.freeze_panes(1, 0)


def _write_cell(ws, i, j, value, fm: _Formats, f=None):
    if value is None or value == "":
        return
    if isinstance(value, dt.date):
        ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), fm.date)
    elif isinstance(value, Decimal):
        ws.write_number(i, j, float(value), fm.money)
    elif isinstance(value, bool):
        ws.write_string(i, j, "是" if value else "否")
    elif isinstance(value, (int, float)) and (f is None or f.type not in TEXT_TYPES):
        ws.write_number(i, j, value)
    else:
        ws.write_string(i, j, str(value))


def _notes(wb, fm: _Formats, lines: list[str], catalog: Catalog = REGISTRY) -> None:
    ws = wb.add_worksheet(NOTES_SHEET)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, "防贫系统交换格式" if catalog is REGISTRY else f"防贫系统交换格式：{catalog.title}", fm.header)
    doc = "docs/exchange-format.md" if catalog is REGISTRY else "docs/ledgers.md"
    ws.write_string(0, 1, f"版本 {FORMAT_VERSION}；橙色列为必填；说明见 {doc}", fm.header)
    row = 1
    for line in lines:
        ws.write_string(row, 1, line)
        row += 1
    for sheet in catalog.workbook_order:
        ws.write_string(row, 0, sheet.title, fm.header)
        ws.write_string(row, 1, sheet.description, fm.header)
        row += 1
        for f in sheet.fields:
            desc = [("必填" if f.required else "选填"), type_label(f)]
            if f.description:
                desc.append(f.description)
            ws.write_string(row, 0, f.excel_header)
            ws.write_string(row, 1, "；".join(desc))
            row += 1


def type_label(f) -> str:
    if f.type == "enum":
        return "取值：" + "、".join(f.choices.labels)
    return {
        "string": "文本", "integer": "整数", "decimal": "数字（最多两位小数）", "money": "金额（元，最多两位小数，不能为负数）",
        "date": "日期（如 2023-05-01）", "boolean": "是/否", "id_number": "18位身份证号（文本格式）",
        "division_code": "12位统计用区划代码（文本格式）", "credit_code": "18位统一社会信用代码",
        "village": "村名或12位村级区划代码（文本格式）",
        "place": "村、乡镇或县的名称，或12位区划代码（文本格式）", "account_number": "账号，8至30位数字（文本格式）",
    }[f.type] + (f"，{f.minimum}至{f.maximum}" if f.type == "integer" and f.maximum is not None else "")


def write_export(user, path: Path) -> None:
    notes = [exporter.MASKED_NOTE] if exporter.is_masked(user) else []
    write_document(path, {sheet.key: exporter.rows(user, sheet) for sheet in SHEETS}, notes)


def write_document(path: Path, rows_by_sheet: dict, notes: list[str] = (), catalog: Catalog = REGISTRY) -> None:
    """A workbook from rows in the JSON representation (sheet key -> iterable of dicts), streamed."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    wb.set_properties(PROPERTIES)
    fm = _Formats(wb)
    for sheet in catalog.workbook_order:
        ws = wb.add_worksheet(sheet.title)
        _write_header(ws, sheet, fm)
        for i, row in enumerate(rows_by_sheet.get(sheet.key, ()), start=1):
            for j, f in enumerate(sheet.fields):
                _write_cell(ws, i, j, values.to_excel(f, _from_json(f, row.get(f.key))), fm, f)
    _notes(wb, fm, list(notes), catalog)
    wb.close()


def _from_json(f, value):
    if value is None:
        return None
    if f.type == "date":
        return dt.date.fromisoformat(value)
    if f.type == "decimal":
        return Decimal(value)
    return value


def write_template(path: Path, user=None, catalog: Catalog = REGISTRY) -> None:
    """The blank workbook. For a user, every village column offers the villages of the user's area in a drop-down
    list, read from a hidden sheet (an inline list holds at most 255 characters); a code may still be typed."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    wb.set_properties(PROPERTIES)
    fm = _Formats(wb)
    sheets = {}
    for sheet in catalog.workbook_order:
        sheets[sheet.key] = wb.add_worksheet(sheet.title)
        _write_header(sheets[sheet.key], sheet, fm)
    _notes(wb, fm, [], catalog)
    with_villages = [s for s in catalog.workbook_order if any(f.type == "village" for f in s.fields)]
    if user is not None and with_villages:
        _village_list(wb, fm, [(sheets[s.key], s) for s in with_villages],
                      village_names(access.user_prefix(user)).villages)
    wb.close()


def _village_list(wb, fm: _Formats, columns, villages) -> None:
    """The hidden sheet 村名单 (village, code) and a list validation on the households' village column that reads it.
    Other values only draw a note: a code, or a name the list spells differently, is still typed in."""
    if not villages:
        return
    names = wb.add_worksheet(VILLAGES_SHEET)
    names.write_string(0, 0, "村", fm.header)
    names.write_string(0, 1, "村区划代码", fm.header)
    names.set_column(0, 0, 30)
    names.set_column(1, 1, 16, fm.text)
    for i, v in enumerate(villages, start=1):
        names.write_string(i, 0, v.label)
        names.write_string(i, 1, v.code)
    names.hide()
    for ws, sheet in columns:
        for j, f in enumerate(sheet.fields):
            if f.type == "village":
                _village_validation(ws, j, len(villages))


def _village_validation(ws, j: int, n: int) -> None:
    ws.data_validation(1, j, 1_048_575, j, {
        "validate": "list", "source": f"='{VILLAGES_SHEET}'!$A$2:$A${n + 1}",
        "input_title": "村", "input_message": "从列表中选择村，或填写12位村级区划代码",
        "error_type": "information", "error_title": "村",
        "error_message": "不在本单位的村名单中：请确认村名（同名村写明乡镇），或填写12位村级区划代码。",
    })


def write_error_report(f: ExchangeFile, result: ImportResult, path: Path) -> None:
    """The uploaded workbook's rows again, with a column 错误信息 on every row that has a problem."""
    by_place: dict[tuple[str | None, int | None], list[str]] = defaultdict(list)
    for p in result.problems:
        by_place[(p.sheet, p.row)].append((f"{p.letter}列" if p.letter else "") + p.message)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    fm = _Formats(wb)
    general = [f"{p.where()}：{p.message}" if p.where() else p.message for p in result.problems if not p.row]
    ws = wb.add_worksheet("错误汇总")
    ws.set_column(0, 0, 120)
    ws.write_string(0, 0, f"共 {len(result.problems)} 处错误，未写入任何数据。各工作表中出错的行在最后一列“错误信息”中说明。", fm.error)
    for i, line in enumerate(general, start=1):
        ws.write_string(i, 0, line, fm.error)
    if f.kind == "excel":
        sheets, _ = f.sheets()
        for sheet in sheets:
            out = wb.add_worksheet(sheet.title)
            columns = f.column_index(sheet)
            width = max(columns.values(), default=-1) + 1
            headers = {i: sheet.field(k).excel_header for k, i in columns.items()}
            top = f.header_row_number(sheet) - 1  # rows keep their numbers, so messages and cells line up
            for j in range(width):
                out.write_string(top, j, headers.get(j, ""), fm.header)
            out.write_string(top, width, "错误信息", fm.error)
            out.set_column(width, width, 80)
            for raw in f.rows(sheet):
                for key, j in columns.items():
                    _write_cell(out, raw.number - 1, j, raw.values.get(key), fm, sheet.field(key))
                msgs = by_place.get((sheet.title, raw.number))
                if msgs:
                    out.write_string(raw.number - 1, width, "；".join(msgs), fm.error)
    wb.close()
