"""Writing evaluation results: JSON (amounts in fen) or an Excel workbook (amounts in yuan, Chinese headers)."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import xlsxwriter

from fangpin.lib.money import fen_to_yuan

from .engine import Evaluation
from .tables import Unreadable

HEADERS = [
    ("document_number", "文号"), ("clause", "条款"), ("benefit_name", "待遇"), ("entity", "兑现对象"),
    ("household_number", "户编号"), ("id_number", "身份证号"), ("credit_code", "经营主体信用代码"), ("year", "年度"), ("amount", "金额（元）"), ("bound", "金额性质"),
    ("funding", "资金来源"), ("explanation", "计算说明"),
]
BOUND_LABELS = {None: "应享额", "at_most": "上限（按核定额，不超过）", "at_least": "下限（不低于）"}
ENTITY_LABELS = {"person": "个人", "household": "户", "enterprise": "经营主体"}


def write_json(path: Path, *, policy: str, as_of, ev: Evaluation, unreadable: list[Unreadable]) -> None:
    doc = {
        "policy": policy, "as_of": as_of.isoformat(), "messages": ev.messages,
        "unevaluable": [u.__dict__ for u in unreadable + ev.unreadable()],
        "totals": _totals(ev.results),
        "results": ev.results.to_dicts(),
    }
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def _totals(results: pl.DataFrame) -> list[dict]:
    if results.is_empty():
        return []
    return results.group_by(["benefit_id", "benefit_name"], maintain_order=True).agg(
        pl.len().alias("count"), pl.col("amount").sum().alias("amount")).to_dicts()


def write_xlsx(path: Path, *, policy: str, as_of, ev: Evaluation, unreadable: list[Unreadable]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 16)
    ws.write_row(0, 0, ["待遇", "人（户）次", "金额（元）"], bold)
    for i, t in enumerate(_totals(ev.results), start=1):
        ws.write_string(i, 0, t["benefit_name"])
        ws.write_number(i, 1, t["count"])
        ws.write_number(i, 2, float(fen_to_yuan(t["amount"])), money)
    row = len(_totals(ev.results)) + 2
    for m in ev.messages:
        ws.write_string(row, 0, m)
        row += 1
    ws.write_string(row, 0, f"政策 {policy}，计算日期 {as_of}")
    ws = wb.add_worksheet("待遇明细")
    ws.write_row(0, 0, [h for _, h in HEADERS], bold)
    ws.set_column(0, len(HEADERS) - 2, 14)
    ws.set_column(len(HEADERS) - 1, len(HEADERS) - 1, 90)  # 计算说明
    for i, r in enumerate(ev.results.iter_rows(named=True), start=1):
        for j, (key, _) in enumerate(HEADERS):
            value = r[key]
            if key == "amount":
                ws.write_number(i, j, float(fen_to_yuan(value)), money)
            elif key == "bound":
                ws.write_string(i, j, BOUND_LABELS[value])
            elif key == "entity":
                ws.write_string(i, j, ENTITY_LABELS.get(value, value))
            elif value is not None:
                ws.write(i, j, value)
    ws = wb.add_worksheet("无法评估")
    ws.write_row(0, 0, ["工作表", "行", "户编号或身份证号", "原因"], bold)
    ws.set_column(3, 3, 80)
    for i, u in enumerate(unreadable + ev.unreadable(), start=1):
        ws.write_row(i, 0, [u.sheet, u.row or "", u.key, u.reason])
    wb.close()
