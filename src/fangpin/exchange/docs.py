"""The generated parts of docs/exchange-format.md (between the markers below): the column tables, from the spec, and
the bounded reader's limits, from fangpin.lib.uploads.Limits (their defaults; settings.UPLOAD_LIMITS may change them)."""
from __future__ import annotations

import re
from pathlib import Path

from fangpin.lib.uploads import RATIO_FLOOR, Limits, size_text

from .spec import SHEETS
from .workbooks import type_label

BEGIN, END = "<!-- columns:begin (fangpin exchange_files) -->", "<!-- columns:end -->"
LIMITS_BEGIN, LIMITS_END = "<!-- limits:begin (fangpin exchange_files) -->", "<!-- limits:end -->"


def limits_markdown() -> str:
    d = Limits()
    rows = [
        ("文件大小", "file_bytes", size_text(d.file_bytes),
         "任何文件（页面、API 上传或命令行给出的文件）；上传时一超过就停止接收，不再写入磁盘"),
        ("行数", "rows", f"{d.rows:,} 行", "每个工作表、CSV 文件（按换行计）或 Parquet 文件"),
        ("列数", "columns", f"{d.columns:,} 列", "每个工作表、CSV 表头或 Parquet 文件"),
        ("单元格", "cells", f"{d.cells:,} 个",
         "工作表从 A1 到最远单元格的矩形（行数 × 列数），按单元格实际位置和声明的范围（dimension）分别计算；"
         "共享字符串表声明的字符串个数也不能超过"),
        ("全部工作表的单元格", "workbook_cells", f"{d.workbook_cells:,} 个", "一个工作簿中各工作表上述矩形的合计"),
        ("解压后大小", "decompressed_bytes", size_text(d.decompressed_bytes),
         "Excel 工作簿各部件实际解压出的字节合计（不信任文件自报的大小）；Parquet 文件各数据页解压后合计"),
        ("压缩比", "compression_ratio", f"{d.compression_ratio} 倍", f"工作簿中解压后超过 {size_text(RATIO_FLOOR)} 的部件"),
        ("部件数", "zip_members", f"{d.zip_members:,} 个", "工作簿（zip 包）中的部件"),
        ("JSON 大小", "json_bytes", size_text(d.json_bytes),
         "JSON 文件整个读入内存：100 MB 约为 16 万名成员及其户、收入、就业记录，读入时约占 500 MB；"
         "更大的数据请用 Excel 工作簿（逐行读取）或按乡镇分成几个文件"),
        ("JSON 嵌套", "json_depth", f"{d.json_depth} 层", "数组和对象的嵌套层数（交换格式只用到 3 层）"),
    ]
    out = ["| 上限 | 设置键 | 默认值 | 适用于 |", "|---|---|---|---|"]
    out += [f"| {label} | `{key}` | {value} | {what} |" for label, key, value, what in rows]
    return "\n".join(out) + "\n"


def columns_markdown(sheets=SHEETS) -> str:
    out = []
    for s in sheets:
        out += [f"### {s.key} — 工作表“{s.title}”", "", f"{s.description}。行的键：{('或' if s.either_key else '、').join(s.keys)}。", "",
                "| JSON 键 | Excel 列 | 必填 | 类型与取值 | 说明 |", "|---|---|---|---|---|"]
        for f in s.fields:
            if f.type == "enum":
                t = "代码：" + "、".join(f"`{v}` {label}" for v, label in f.choices.choices)
            elif f.type == "money":
                t = "JSON：整数（分）；Excel：元，最多两位小数；不能为负数"
            elif f.type == "village":
                t = "JSON：12位村级区划代码；Excel：村名或12位村级区划代码（文本格式）"
            elif f.type == "place":
                t = "JSON：12位区划代码；Excel：村、乡镇或县的名称，或12位区划代码（文本格式）"
            else:
                t = type_label(f)
            out.append(f"| `{f.key}` | {f.excel_header} | {'是' if f.required else ''} | {t} | {f.description} |")
        out.append("")
    return "\n".join(out)


LEDGERS_BEGIN, LEDGERS_END = "<!-- ledger-columns:begin (fangpin exchange_files) -->", "<!-- ledger-columns:end -->"


def ledger_columns_markdown() -> str:
    """The ledgers' sheets (docs/ledgers.md), ledger by ledger."""
    from fangpin.ledgers.catalog import LEDGERS

    out = []
    for ledger in LEDGERS.values():
        out += [f"## {ledger.title}（`{ledger.key}`）的工作表", "", f"{ledger.description}。", ""]
        out.append(columns_markdown(ledger.catalog.workbook_order))
    return "\n".join(out)


def update_ledgers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{LEDGERS_BEGIN}\n\n{ledger_columns_markdown()}\n{LEDGERS_END}"
    text, n = re.subn(re.escape(LEDGERS_BEGIN) + ".*?" + re.escape(LEDGERS_END), lambda _: block, text, flags=re.S)
    if n != 1:
        raise ValueError(f"{path} 中缺少标记 {LEDGERS_BEGIN} … {LEDGERS_END}")
    path.write_text(text, encoding="utf-8")


def update(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for begin, end, body in ((BEGIN, END, columns_markdown()), (LIMITS_BEGIN, LIMITS_END, limits_markdown())):
        block = f"{begin}\n\n{body}\n{end}"
        text, n = re.subn(re.escape(begin) + ".*?" + re.escape(end), lambda _, b=block: b, text, flags=re.S)
        if n != 1:
            raise ValueError(f"{path} 中缺少标记 {begin} … {end}")
    path.write_text(text, encoding="utf-8")
