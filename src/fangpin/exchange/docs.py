"""The column tables of docs/exchange-format.md, generated from the spec (between the markers below)."""
from __future__ import annotations

import re
from pathlib import Path

from .spec import SHEETS
from .workbooks import type_label

BEGIN, END = "<!-- columns:begin (fangpin exchange_files) -->", "<!-- columns:end -->"


def columns_markdown() -> str:
    out = []
    for s in SHEETS:
        out += [f"### {s.key} — 工作表“{s.title}”", "", f"{s.description}。行的键：{'、'.join(s.keys)}。", "",
                "| JSON 键 | Excel 列 | 必填 | 类型与取值 | 说明 |", "|---|---|---|---|---|"]
        for f in s.fields:
            if f.type == "enum":
                t = "代码：" + "、".join(f"`{v}` {label}" for v, label in f.choices.choices)
            elif f.type == "money":
                t = "JSON：整数（分）；Excel：元，最多两位小数；不能为负数"
            else:
                t = type_label(f)
            out.append(f"| `{f.key}` | {f.excel_header} | {'是' if f.required else ''} | {t} | {f.description} |")
        out.append("")
    return "\n".join(out)


def update(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n\n{columns_markdown()}\n{END}"
    text, n = re.subn(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if n != 1:
        raise ValueError(f"{path} 中缺少列表标记 {BEGIN} … {END}")
    path.write_text(text, encoding="utf-8")
