"""The catalog's generated part of docs/indicators.md: one entry per indicator, grouped by theme, written from the
YAML so that the document cannot drift from what is computed (`fangpin exchange_files` rewrites it; a test checks)."""
from __future__ import annotations

import re
from pathlib import Path

from .catalog import Indicator, Target, load_catalog

BEGIN, END = "<!-- indicators:begin -->", "<!-- indicators:end -->"
LEVEL_WORDS = {"province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "村"}
# The seeds' regions by their code prefixes (the document is written without a database).
REGION_WORDS = {"43": "湖南省", "14": "山西省", "1409": "忻州市", "610327": "陇县", "140603203": "双碾乡"}
FORM_WORDS = {"measure": "计数或合计", "share": "比例（分子、分母各自逐级合计后相除）", "difference": "差额（两项各自逐级合计后相减）"}


def _target_line(ind: Indicator, t: Target) -> str:
    levels = "、".join(LEVEL_WORDS[lv] for lv in t.levels)
    regions = "、".join(f"{REGION_WORDS.get(r, r)}（{r}）" for r in t.regions)
    line = f"{ind.target_text(t)}；判定级别：{levels}；地区：{regions}；期限：{t.period_text}"
    return line + (f"；说明：{t.note}" if t.note else "")


def _entry(ind: Indicator) -> list[str]:
    out = [f"#### {ind.title}（`{ind.key}`）", "", f"- 单位：{ind.unit}；形式：{FORM_WORDS[ind.form]}",
           f"- 定义：{ind.definition}"]
    if len(ind.targets) == 1:
        out.append(f"- 目标：{_target_line(ind, ind.targets[0])}")
    elif ind.targets:
        out += ["- 目标（分别判定）："] + [f"  - {_target_line(ind, t)}" for t in ind.targets]
    else:
        out.append("- 目标：无（供调度和分析）")
    out.append(f"- 依据：{ind.clause}（种子文件 `{ind.seed}`）")
    if ind.reading:
        out.append(f"- 读法：{ind.reading}")
    out += ["", f"> {ind.quote}", ""]
    return out


def markdown(catalog: dict[str, Indicator] | None = None) -> str:
    """The indicators grouped by their theme, the themes in the catalog's order of first appearance."""
    catalog = load_catalog() if catalog is None else catalog
    groups: dict[str, list[Indicator]] = {}
    for ind in sorted(catalog.values(), key=lambda i: i.order):
        groups.setdefault(ind.group, []).append(ind)
    with_targets = sum(1 for i in catalog.values() if i.targets)
    out = [f"共 {len(catalog)} 项指标，其中 {with_targets} 项有目标。", ""]
    for group, items in groups.items():
        out += [f"### {group}", ""]
        for ind in items:
            out += _entry(ind)
    return "\n".join(out).rstrip("\n") + "\n"


def block() -> str:
    return f"{BEGIN}\n\n{markdown()}\n{END}"


def update(path: Path) -> None:
    """Rewrite the generated section of `path` between the markers (the hand-written rest is kept)."""
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block(), text, flags=re.S)
    if n != 1:
        raise ValueError(f"{path} 中缺少标记 {BEGIN} … {END}")
    path.write_text(text, encoding="utf-8")
