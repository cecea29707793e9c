"""Lists as people use them: sorted by a column (only those an index serves at a city's size), and exactly the rows the
filtered list shows written to Excel, with the filters written above them.

A list page declares its columns once; the page's header row, its sort and its Excel file come from that declaration,
so what is exported is what is shown, column for column."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import xlsxwriter
from django.db.models import F

EXPORT_MAX = 100_000  # rows in one Excel file made while the user waits; a larger list asks for a narrower filter
# A list of the registry of exportable lists (web.lists) with more rows than this is written by a background job
# (exchange.list_exports) instead. xlsxwriter writes about 14,000 rows of eight columns a second (100,000 rows in 7 s
# on the development machine): 20,000 rows hold a web worker about 2 s with the reads, and a village's or township's
# lists stay well below it and download at once.
BACKGROUND_ABOVE = 20_000
JOB_MAX = 2_000_000  # rows of a background export (a city's households, with room); more: a narrower filter, please
SHEET_ROWS = 1_000_000  # rows of one worksheet (Excel's limit is 1,048,576 lines); more go on to the next sheet
HEADER_LINES = 5  # title, filters, time, blank, column headers


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Any], Any]  # the cell as the page shows it (text, number or date)
    order_by: tuple[str, ...] = ()  # the ORDER BY that sorts by this column; empty: not sortable
    num: bool = False
    width: int = 14


class TooMany(Exception):
    def __init__(self, limit: int):
        super().__init__(f"符合条件的超过 {limit:,} 行，请按乡镇、村或其他条件缩小范围后再导出")


def sort(qs, columns: list[Column], requested: str, default: str):
    """The queryset ordered by ?sort= (a column key, "-" for descending) if that column is sortable, else by
    `default`; the key of the order applied. The primary key breaks ties, so pages never repeat or skip a row."""
    by_key = {c.key: c for c in columns if c.order_by}
    key = requested if requested.lstrip("-") in by_key else default
    column = by_key[key.lstrip("-")]
    desc = key.startswith("-")
    fields = [("-" if desc != f.startswith("-") else "") + f.lstrip("-") for f in column.order_by]
    # rising order puts empty values last on both databases (PostgreSQL's own default, so its indexes still serve;
    # SQLite would put a finished case's empty due date before the overdue ones)
    order = [F(f[1:]).desc() if f.startswith("-") else F(f).asc(nulls_last=True) for f in fields]
    return qs.order_by(*order, "-pk" if desc else "pk"), key


def headers(columns: list[Column], current: str, query: dict) -> list[dict]:
    """The header row: each sortable column links to its sort (the other direction when it is the current one)."""
    out = []
    for c in columns:
        h = {"header": c.header, "num": c.num, "link": "", "mark": ""}
        if c.order_by:
            now = current.lstrip("-") == c.key
            desc = current.startswith("-")
            target = c.key if not now or desc else f"-{c.key}"
            params = {k: v for k, v in query.items() if k not in ("sort", "page") and v}
            h["link"] = "?" + urlencode({**params, "sort": target})
            h["mark"] = ("▼" if desc else "▲") if now else ""
        out.append(h)
    return out


def batches(rows: Iterable, size: int):
    """Lists of up to `size` rows: a chunk at a time, for what is looked up once per chunk (heads' names, counts)."""
    chunk = []
    for r in rows:
        chunk.append(r)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_link(query: dict) -> str:
    params = {k: v for k, v in query.items() if k not in ("page", "format") and v}
    return "?" + urlencode({**params, "format": "xlsx"})


def write_xlsx(path: Path, *, title: str, filters: list[str], columns: list[Column], rows: Iterable,
               totals: dict[str, Any] | None = None, limit: int = EXPORT_MAX, sheet_rows: int | None = None,
               progress: Callable[[int], None] | None = None, every: int = 2000,
               after: Callable[[Any], None] | None = None) -> int:
    """The list as a workbook: a title line, the filters, the header, the rows (and a totals row); the number of rows
    written. More than `sheet_rows` rows go on to further sheets, each with the same title lines and header. More than
    `limit` rows: TooMany, and the file is not to be used. `progress(n)` is called every `every` rows; `after(workbook)`
    adds sheets once the rows are written (totals known only then). `totals` is read after the rows, too."""
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "default_date_format": "yyyy-mm-dd",
        "strings_to_formulas": False})  # a name or note typed as "=..." stays text, never a formula Excel runs
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = f"导出时间：{dt.datetime.now():%Y-%m-%d %H:%M}"
    sheet_rows = sheet_rows or SHEET_ROWS

    def new_sheet(number: int):
        ws = wb.add_worksheet(title[:31] if number == 1 else f"{title[:26]}（{number}）")
        ws.write(0, 0, title if number == 1 else f"{title}（续{number - 1}）", bold)
        ws.write(1, 0, "；".join(filters) if filters else "全部")
        ws.write(2, 0, stamp)
        for j, c in enumerate(columns):
            ws.set_column(j, j, c.width)
            ws.write(HEADER_LINES - 1, j, c.header, head)
        ws.freeze_panes(HEADER_LINES, 1)
        return ws

    sheets = 1
    ws = new_sheet(sheets)
    n = line = 0
    for row in rows:
        if n >= limit:
            wb.close()
            raise TooMany(limit)
        if line == sheet_rows:
            sheets += 1
            ws, line = new_sheet(sheets), 0
        at = HEADER_LINES + line
        for j, c in enumerate(columns):
            value = c.value(row)
            if isinstance(value, dt.date):
                ws.write_datetime(at, j, dt.datetime(value.year, value.month, value.day), date)
            elif value is None:
                ws.write_blank(at, j, None)
            else:
                ws.write(at, j, value)
        n += 1
        line += 1
        if progress is not None and n % every == 0:
            progress(n)
    if totals:
        ws.write(HEADER_LINES + line, 0, "合计", bold)
        for j, c in enumerate(columns):
            if c.key in totals:
                ws.write(HEADER_LINES + line, j, totals[c.key], bold)
    if after is not None:
        after(wb)
    wb.close()
    return n
