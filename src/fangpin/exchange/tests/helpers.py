"""Building exchange files for tests: workbooks with Chinese headers (via openpyxl) and JSON documents."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from fangpin.exchange.spec import BY_KEY, FORMAT_NAME, FORMAT_VERSION


def workbook(path: Path, sheets: dict[str, list[dict]]) -> Path:
    """sheets: sheet key -> rows of {field key: Excel value}. Columns are the rows' keys, in spec order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for key, rows in sheets.items():
        sheet = BY_KEY[key]
        ws = wb.create_sheet(sheet.title)
        keys = [f.key for f in sheet.fields if any(f.key in r for r in rows) or f.required]
        ws.append([sheet.field(k).excel_header for k in keys])
        for r in rows:
            ws.append([r.get(k) for k in keys])
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
    wb.save(path)
    return path


def json_doc(path: Path, sheets: dict[str, list[dict]]) -> Path:
    doc = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **sheets}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def household(number, village="140603203200", **kw):
    return {"household_number": number, "village_code": village, "category": "脱贫户", **kw}


def member(number, id_number, name="张三", relation="户主", **kw):
    return {"household_number": number, "id_number": id_number, "name": name, "relation": relation,
            "labor_capacity": "劳动力", **kw}


def block_calamine(monkeypatch) -> None:
    """calamine stands behind the bounded reader: if a reader called it, the test sees this error, not the limit
    (and a hostile file never reaches it in the test process)."""

    class Tripwire:
        @staticmethod
        def from_path(path):
            raise AssertionError(f"calamine reached {path}")

    from fangpin.exchange import readers
    from fangpin.monitoring import feeds

    monkeypatch.setattr(readers, "CalamineWorkbook", Tripwire)
    monkeypatch.setattr(feeds, "CalamineWorkbook", Tripwire)
