"""Reading an exchange file (Excel workbook or JSON) as a stream of raw rows per sheet.

Workbooks are read with python-calamine, which holds the cells in Rust and yields one row of Python
values at a time; the importer reads a file twice (check, then write) instead of keeping rows.
Every file is first measured by the bounded reader (fangpin.exchange.bounded): one over a limit is refused with
UnsafeFile, a FileProblem, before calamine or json sees it.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from fangpin.lib.uploads import FileProblem, UnsafeFile, parser_failed

from . import bounded
from .spec import FORMAT_NAME, REGISTRY, Catalog, Field, Sheet

__all__ = ["ExchangeFile", "FileProblem", "UnsafeFile", "ColumnProblem", "RawRow", "column_letter"]

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
NOTES_SHEET = "说明"
VILLAGES_SHEET = "村名单"  # the template's hidden list behind the village column's drop-down
AUX_SHEETS = (NOTES_SHEET, VILLAGES_SHEET)  # sheets a workbook of the format may carry besides its tables: not read
HEADER_SEARCH_ROWS = 10


@dataclass
class ColumnProblem:
    sheet: Sheet
    column: int  # 0-based
    header: str
    message: str


@dataclass
class RawRow:
    number: int  # Excel row number (1-based, header is row 1) or JSON item number (1-based)
    values: dict[str, object]  # field key -> raw value


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class ExchangeFile:
    """A file in the exchange format; `kind` is "excel" or "json"."""

    def __init__(self, path: Path, filename: str | None = None, catalog: Catalog = REGISTRY):
        self.path = Path(path)
        self.catalog = catalog
        self.filename = filename or self.path.name
        self._header_cache: dict[str, tuple[int, list[str], int]] = {}  # sheet -> (header index, headers, first row)
        self._open: tuple[str, object, object] | None = None  # the one sheet parsed and held: (key, workbook, sheet)
        self._ahead: dict[str, tuple[threading.Thread, dict]] = {}  # a sheet being parsed in the background
        kind = bounded.check(self.path, self.filename, kinds=("xlsx", "json"))  # UnsafeFile over a limit
        if kind == "xlsx":
            self.kind = "excel"
            try:
                wb = CalamineWorkbook.from_path(str(self.path))
                self.sheet_names = list(wb.sheet_names)
                wb.close()
            except BaseException as e:  # calamine's errors, and its panics
                if not parser_failed(e):
                    raise
                raise self._damaged() from None
        elif kind == "json":
            self.kind = "json"
            try:
                self._json = bounded.load_json(self.path, self.filename)
            except UnsafeFile:
                raise
            except json.JSONDecodeError as e:
                raise FileProblem(f"文件“{self.filename}”不是有效的 JSON：第{e.lineno}行第{e.colno}列附近格式有误") from None
            except UnicodeDecodeError:
                raise FileProblem(f"文件“{self.filename}”不是有效的 JSON：应为 UTF-8 编码的文本") from None
            except ValueError:  # a number of thousands of digits, which Python refuses to convert
                raise FileProblem(f"文件“{self.filename}”不是有效的 JSON：其中有位数过多的数字") from None
            if not isinstance(self._json, dict) or self._json.get("format") != FORMAT_NAME:
                raise FileProblem(f"文件“{self.filename}”不是防贫系统交换格式（format 应为“{FORMAT_NAME}”）")
            self.sheet_names = [k for k in self._json if k in catalog.by_key]
        else:
            raise FileProblem(
                f"文件“{self.filename}”不是电子表格：请上传 Excel 工作簿（.xlsx）或交换格式 JSON 文件"
            )

    def sheets(self) -> tuple[list[Sheet], list[str]]:
        """The known sheets in the file, in the format's order, and the names of unknown ones."""
        by_key, by_title = self.catalog.by_key, self.catalog.by_title
        if self.kind == "excel":
            known = [by_title[n] for n in self.sheet_names if n in by_title]
            unknown = [n for n in self.sheet_names if n not in by_title and n not in AUX_SHEETS]
        else:
            known = [by_key[n] for n in self.sheet_names]
            unknown = [
                k for k in self._json if k not in by_key and k not in ("format", "version", "exported_at", "notes")
            ]
        order = {s.key: i for i, s in enumerate(self.catalog.sheets)}
        return sorted(known, key=lambda s: order[s.key]), unknown

    def sheet_label(self, sheet: Sheet) -> str:
        return sheet.title if self.kind == "excel" else sheet.key

    def column_label(self, f: Field) -> str:
        return f.excel_header if self.kind == "excel" else f.key

    def header_problems(self, sheet: Sheet) -> list[ColumnProblem]:
        if self.kind == "json":
            items = self._json.get(sheet.key)
            if not isinstance(items, list):
                return [ColumnProblem(sheet, 0, sheet.key, f"“{sheet.key}”应为数组")]
            return []
        headers = self._excel_headers(sheet)
        problems = []
        known = sheet.by_header
        seen = set()  # fields, by their current header
        for i, h in enumerate(headers):
            if h == "" or h == "错误信息":
                continue
            if h not in known:
                problems.append(ColumnProblem(sheet, i, h, f"未知的列“{h}”"))
            elif known[h].excel_header in seen:
                problems.append(ColumnProblem(sheet, i, h, f"列“{h}”重复"))
            else:
                seen.add(known[h].excel_header)
        for f in sheet.fields:
            if f.required and f.excel_header not in seen:
                problems.append(ColumnProblem(sheet, len(headers), f.excel_header, f"缺少必填列“{f.excel_header}”"))
        return problems

    def _damaged(self) -> FileProblem:
        return FileProblem(f"文件“{self.filename}”无法作为 Excel 工作簿读取，可能已损坏")

    def _excel_sheet(self, sheet: Sheet):
        """The sheet, parsed. calamine parses a whole sheet at a time, so the last one parsed is held until another is
        asked for (header check, then rows: one parse per sheet); `close()` lets it go."""
        if self._open is not None and self._open[0] == sheet.key:
            return self._open[2]
        self.close()
        ahead = self._ahead.pop(sheet.key, None)
        if ahead is not None:
            ahead[0].join()
            if "error" in ahead[1]:
                raise ahead[1]["error"]
            wb, ws = ahead[1]["sheet"]
        else:
            wb, ws = self._parse(sheet)
        self._open = (sheet.key, wb, ws)
        return ws

    def _parse(self, sheet: Sheet):
        try:
            wb = CalamineWorkbook.from_path(str(self.path))
            return wb, wb.get_sheet_by_name(sheet.title)
        except BaseException as e:  # calamine's errors, and its panics
            if not parser_failed(e):
                raise
            raise self._damaged() from None

    def prefetch(self, sheet: Sheet) -> None:
        """Start parsing `sheet` in a background thread while the caller works through the current one: calamine
        parses without holding Python's lock, so on two cores the parse is hidden (at most two sheets are held)."""
        if self.kind != "excel" or sheet.key in self._ahead or (self._open is not None and self._open[0] == sheet.key):
            return
        out: dict = {}

        def work():
            try:
                out["sheet"] = self._parse(sheet)
            except BaseException as e:  # handed to the reader of the sheet
                out["error"] = e

        thread = threading.Thread(target=work, name=f"parse-{sheet.key}", daemon=True)
        thread.start()
        self._ahead[sheet.key] = (thread, out)

    def close(self) -> None:
        """Let the held sheet go."""
        if self._open is not None:
            self._open[1].close()
            self._open = None

    def close_all(self) -> None:
        """Let every sheet go, those parsed ahead and never read too (a check that stopped early)."""
        self.close()
        for thread, out in self._ahead.values():
            thread.join()
            if "sheet" in out:
                out["sheet"][0].close()
        self._ahead.clear()

    def _excel_headers(self, sheet: Sheet) -> list[str]:
        return self._excel_header_row(sheet)[1]

    def _excel_header_row(self, sheet: Sheet) -> tuple[int, list[str], int]:
        """(0-based index in the sheet's rows, headers). County workbooks often carry a title row or two above the
        headers; the header row is the first of the first ten that names at least two of the sheet's columns."""
        if sheet.key in self._header_cache:
            return self._header_cache[sheet.key]
        known = sheet.by_header.keys()
        ws = self._excel_sheet(sheet)
        start_row, offset = ws.start or (0, 0)
        found = None
        for i, cells in enumerate(ws.iter_rows()):
            if i >= HEADER_SEARCH_ROWS:
                break
            headers = [""] * offset + [str(v).strip() if v is not None else "" for v in cells]
            if found is None:
                found = (i, headers)  # without a recognisable row, the first row is the header
            if len(known & set(headers)) >= min(2, len(sheet.fields)):
                found = (i, headers)
                break
        self._header_cache[sheet.key] = (*(found or (0, [])), start_row)
        return self._header_cache[sheet.key]

    def header_row_number(self, sheet: Sheet) -> int:
        """The Excel row number (1-based) of the sheet's header row."""
        if self.kind != "excel":
            return 0
        index, _, start_row = self._excel_header_row(sheet)
        return start_row + index + 1

    def column_index(self, sheet: Sheet) -> dict[str, int]:
        """Field key -> 0-based column in the Excel sheet."""
        headers = self._excel_headers(sheet)
        by_header = sheet.by_header
        return {by_header[h].key: i for i, h in enumerate(headers) if h in by_header}

    def rows(self, sheet: Sheet) -> Iterator[RawRow]:
        if self.kind == "json":
            for i, item in enumerate(self._json.get(sheet.key) or [], start=1):
                yield RawRow(i, item if isinstance(item, dict) else {"__not_object__": item})
            return
        columns = self.column_index(sheet)
        header_index = self.header_row_number(sheet) - 1
        ws = self._excel_sheet(sheet)
        try:
            start_row, start_col = ws.start or (0, 0)
            it = ws.iter_rows()
            for _ in range(header_index - start_row + 1):
                next(it, None)  # title rows and the header
            at = [(key, col - start_col) for key, col in columns.items() if col >= start_col]
            outside = [key for key, col in columns.items() if col < start_col]
            for i, cells in enumerate(it, start=header_index + 2):
                n = len(cells)
                values = {key: cells[j] if j < n else None for key, j in at}
                if not any(v is not None and v != "" for v in values.values()):
                    continue  # blank line
                for key in outside:
                    values[key] = None
                yield RawRow(i, values)
        finally:
            self.close()
