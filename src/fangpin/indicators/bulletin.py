"""The monthly 调度通报 (progress bulletin) an area sends up: every indicator of a snapshot for one unit with its status,
then the units one level down ranked, as plain data (`content`), a workbook (`write_xlsx`) and a PDF (`pdf`).

It reads a finished snapshot only (never computes). Pages and the API check who may see the unit; this module does not.
"Best first" follows the indicator's target: a ceiling (at_most) ranks the lowest value first, anything else the highest.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import IO

import xlsxwriter

from fangpin.orgunits.models import OrgUnit

from . import present, status
from .catalog import Indicator, format_value, load_catalog
from .models import IndicatorValue, Snapshot

SUBJECT = "巩固拓展脱贫攻坚成果指标调度通报"
SUMMARY_ORDER = (status.MET, status.ON_TRACK, status.AT_RISK, status.MISSED)
LEVEL_WORDS = {"province": "省", "city": "市", "county": "县（区）", "township": "乡镇", "village": "村"}

RULES = (
    "状态判定规则：未规定时点的目标，按统计日数值判定“达标”或“未达标”。规定时点（或分阶段时点）的目标，已过的每个时点按该时点的数值判定，"
    "任一时点未达到即为“未达标”；下一个时点之前，统计日数值已达到该时点要求的为“达标”，否则按序时进度判定：从上一时点的目标值"
    "（1月1日为零）到下一时点的目标值按天数直线推算统计日应达到的数值，达到的为“正常推进”，未达到的为“有风险”。"
    "“不低于上年同期”的目标与上年同一天的数值比较，未到时点而低于上年同期的为“有风险”。上限目标（不超过）数值越低越好。"
    "没有统计数据（或比重的分母为零）的为“无数据”，该级别或地区无适用目标的为“无目标”。差距以指标单位计：为正表示尚差多少，"
    "为负表示超出多少。")


# --- plain data -----------------------------------------------------------------------------------------------------

def period_text(on: dt.date) -> str:
    """2025年10月 for a month's last day (the monthly snapshot), else 截至2025年10月15日."""
    if on.day == calendar.monthrange(on.year, on.month)[1]:
        return f"{on.year}年{on.month}月"
    return f"截至{on.year}年{on.month}月{on.day}日"


def day_text(on: dt.date | None) -> str:
    return "" if on is None else f"{on.year}年{on.month}月{on.day}日"


def title(unit: OrgUnit, on: dt.date) -> str:
    return f"{unit.name}{SUBJECT}（{period_text(on)}）"


def change_text(ind: Indicator, v: IndicatorValue) -> str:
    """The pages' wording (增加/减少), with the relative change for counts and amounts."""
    text = present.change_text(ind, v) or "—"
    if ind.unit != "%" and v.value is not None and v.base and v.value != v.base:
        text += f"（{(v.value - v.base) / abs(v.base) * 100:+.1f}%）"
    return text


def gap_text(ind: Indicator, v: IndicatorValue, on: dt.date) -> str:
    return present.gap_text(ind, v, on) or "—"


def _row(ind: Indicator, v: IndicatorValue, on: dt.date) -> dict:
    row = {k: x for k, x in present.row(ind, v).items() if k != "indicator"}  # the pages' figures, as plain data
    return row | {
        "group": ind.group, "base": v.base, "gap": v.gap,
        "change_text": change_text(ind, v), "target_text": row["target_text"] or "—", "gap_text": gap_text(ind, v, on),
        "seed": ind.seed, "clause": ind.clause, "quote": ind.quote, "reading": ind.reading,
    }


def ranking(ind: Indicator, values: list[IndicatorValue], names: dict[str, str]) -> list[dict]:
    """The units best first (present.ranked: ties share a rank, no figure last and unranked)."""
    return [{"rank": rank, "code": v.unit_id, "name": names.get(v.unit_id, v.unit_id), "value": v.value,
             "value_text": format_value(ind, v.value), "status": v.status, "status_label": status.LABELS[v.status]}
            for rank, v in present.ranked(ind, values)]


def summary(counts: Counter) -> str:
    total = sum(counts.values())
    parts = [f"{status.LABELS[s]}{counts.get(s, 0)}项" for s in SUMMARY_ORDER]
    parts += [f"{status.LABELS[s]}{counts[s]}项" for s in (status.NO_DATA, status.NO_TARGET) if counts.get(s)]
    return f"共{total}项指标：" + "，".join(parts) + "。"


def content(snapshot: Snapshot, unit: OrgUnit, *, catalog: dict[str, Indicator] | None = None) -> dict:
    """The bulletin of `unit` from `snapshot` (whose area must hold the unit) as plain data: see the module's docstring
    and the keys below. `catalog` defaults to the indicators' catalog (the snapshot's rows of indicators no longer in
    it are left out)."""
    if snapshot.state != Snapshot.State.DONE:
        raise ValueError("快照尚未完成，不能生成调度通报")
    if not unit.code.startswith(snapshot.area.prefix):
        raise ValueError(f"{unit.name}不在快照范围{snapshot.area.name}内")
    catalog = load_catalog() if catalog is None else catalog
    on = snapshot.on
    own = {v.indicator: v for v in IndicatorValue.objects.filter(snapshot=snapshot, unit=unit)}
    children: dict[str, list[IndicatorValue]] = {}
    for v in IndicatorValue.objects.filter(snapshot=snapshot, parent=unit).order_by("unit_id"):
        children.setdefault(v.indicator, []).append(v)
    names = dict(OrgUnit.objects.filter(parent=unit).values_list("code", "name"))
    child_level = next(iter(OrgUnit.objects.filter(parent=unit).values_list("level", flat=True)[:1]), None)

    indicators = sorted((ind for key, ind in catalog.items() if key in own), key=lambda i: i.order)
    groups: list[dict] = []
    rankings: list[dict] = []
    counts: Counter = Counter()
    for ind in indicators:
        v = own[ind.key]
        row = _row(ind, v, on)
        counts[v.status] += 1
        group = next((g for g in groups if g["name"] == ind.group), None)
        if group is None:  # groups in the order of their first indicator; a group stays together
            group = {"name": ind.group, "rows": []}
            groups.append(group)
        group["rows"].append(row)
        kids = children.get(ind.key)
        # ranked where a target is judged (here or below): a bulletin ranks on targets, and a township's ran to 39
        # pages of figures nobody is judged on
        if kids and any(x.status != status.NO_TARGET for x in [v, *kids]):
            higher = present.better_first(ind, v.target if v.target is not None else kids[0].target)
            rankings.append({"key": ind.key, "title": ind.title, "unit": ind.unit, "group": ind.group,
                             "lower_is_better": not higher, "order_text": "数值越高越靠前" if higher else "数值越低越靠前",
                             "value_text": row["value_text"], "rows": ranking(ind, kids, names)})
    attention = {s: [r["title"] for g in groups for r in g["rows"] if r["status"] == s]
                 for s in (status.MISSED, status.AT_RISK)}
    return {
        "title": title(unit, on),
        "subject": SUBJECT,
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "area": {"code": snapshot.area_id, "name": snapshot.area.name},
        "snapshot": {"id": snapshot.pk, "kind": snapshot.kind, "kind_label": snapshot.get_kind_display(),
                     "finished_at": snapshot.finished_at},
        "on": on,
        "on_text": day_text(on),
        "last_year_text": day_text(status.same_day_last_year(on)),
        "period": period_text(on),
        "summary": summary(counts),
        "counts": {s: counts.get(s, 0) for s in status.LABELS},
        "attention": {status.LABELS[s]: titles for s, titles in attention.items() if titles},
        "groups": groups,
        "child_level": LEVEL_WORDS.get(child_level, "下级单位") if child_level else "",
        "rankings": rankings,
        "clauses": [{"title": r["title"], "seed": r["seed"], "clause": r["clause"], "quote": r["quote"],
                     "reading": r["reading"]} for g in groups for r in g["rows"]],
        "rules": RULES,
    }


# --- the workbook ---------------------------------------------------------------------------------------------------

STATUS_COLOURS = {status.MET: "#D9EAD3", status.ON_TRACK: "#DDEBF7", status.AT_RISK: "#FFF2CC",
                  status.MISSED: "#F4CCCC", status.NO_DATA: "#EEEEEE", status.NO_TARGET: "#FFFFFF"}
MAIN_COLUMNS = (("指标组", 12), ("指标", 30), ("单位", 6), ("本期值", 14), ("上年同期", 14), ("同比变化", 20),
                ("目标", 36), ("状态", 10), ("差距", 36), ("依据条款", 18))
RANK_COLUMNS = (("指标", 30), ("排序", 14), ("名次", 6), ("区划代码", 14), ("单位名称", 24), ("数值", 14), ("状态", 10))


def write_xlsx(c: dict, path_or_buffer: str | Path | IO[bytes]) -> None:
    """The bulletin as a workbook: 通报 (every indicator), 排名 (the units one level down, per indicator), 说明 (the
    clauses quoted and the status rules). `path_or_buffer`: a path, or a binary file object (a view's BytesIO)."""
    target = str(path_or_buffer) if isinstance(path_or_buffer, (str, Path)) else path_or_buffer
    wb = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "in_memory": not isinstance(target, str)})
    wb.set_properties({"title": c["title"], "subject": SUBJECT, "author": "fangpin"})
    f_title = wb.add_format({"bold": True, "font_size": 14})
    f_head = wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    f_cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    f_num = wb.add_format({"border": 1, "valign": "top", "align": "right"})
    f_wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    f_status = {s: wb.add_format({"border": 1, "bg_color": colour, "valign": "top", "align": "center"})
                for s, colour in STATUS_COLOURS.items()}

    ws = wb.add_worksheet("通报")
    ws.write_string(0, 0, c["title"], f_title)
    ws.write_string(1, 0, f"统计日：{c['on_text']}；上年同期：{c['last_year_text']}；{c['snapshot']['kind_label']}")
    ws.write_string(2, 0, c["summary"] + "".join(f"{label}：{'、'.join(t)}。" for label, t in c["attention"].items()))
    header = 3
    for j, (name, width) in enumerate(MAIN_COLUMNS):
        ws.set_column(j, j, width)
        ws.write_string(header, j, name, f_head)
    i = header
    for g in c["groups"]:
        for r in g["rows"]:
            i += 1
            for j, text in enumerate((g["name"], r["title"], r["unit"])):
                ws.write_string(i, j, text, f_cell)
            for j, text in enumerate((r["value_text"], r["base_text"], r["change_text"]), start=3):
                ws.write_string(i, j, text, f_num)
            ws.write_string(i, 6, r["target_text"], f_cell)
            ws.write_string(i, 7, r["status_label"], f_status[r["status"]])
            ws.write_string(i, 8, r["gap_text"], f_cell)
            ws.write_string(i, 9, r["clause"], f_cell)
    ws.freeze_panes(header + 1, 2)
    ws.autofilter(header, 0, max(i, header), len(MAIN_COLUMNS) - 1)
    ws.repeat_rows(header)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)

    ws = wb.add_worksheet("排名")
    ws.write_string(0, 0, f"{c['unit']['name']}所辖{c['child_level'] or '下级单位'}排名（{c['period']}）", f_title)
    ws.write_string(1, 0, "同一指标数值相同的名次并列；无数据的单位列在最后，不排名次。上限目标（不超过）数值越低越靠前。")
    header = 2
    for j, (name, width) in enumerate(RANK_COLUMNS):
        ws.set_column(j, j, width)
        ws.write_string(header, j, name, f_head)
    i = header
    for block in c["rankings"]:
        for r in block["rows"]:
            i += 1
            ws.write_string(i, 0, block["title"], f_cell)
            ws.write_string(i, 1, block["order_text"], f_cell)
            if r["rank"] is None:
                ws.write_string(i, 2, "—", f_num)
            else:
                ws.write_number(i, 2, r["rank"], f_num)
            ws.write_string(i, 3, r["code"], f_cell)
            ws.write_string(i, 4, r["name"], f_cell)
            ws.write_string(i, 5, r["value_text"], f_num)
            ws.write_string(i, 6, r["status_label"], f_status[r["status"]])
    if i == header:
        ws.write_string(header + 1, 0, "本单位没有下级单位的指标值")
    ws.freeze_panes(header + 1, 1)
    ws.autofilter(header, 0, max(i, header), len(RANK_COLUMNS) - 1)
    ws.repeat_rows(header)
    ws.set_paper(9)

    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 70)
    ws.set_column(3, 3, 50)
    ws.write_string(0, 0, "指标依据", f_title)
    for j, name in enumerate(("指标", "依据条款", "原文", "口径")):
        ws.write_string(1, j, name, f_head)
    i = 1
    for cl in c["clauses"]:
        i += 1
        ws.write_string(i, 0, cl["title"], f_cell)
        ws.write_string(i, 1, cl["clause"], f_cell)
        ws.write_string(i, 2, f"“{cl['quote']}”", f_cell)
        ws.write_string(i, 3, cl["reading"], f_cell)
    i += 2
    ws.write_string(i, 0, "状态判定", f_title)
    ws.merge_range(i + 1, 0, i + 1, 3, c["rules"], f_wrap)
    ws.set_row(i + 1, 150)
    ws.freeze_panes(2, 0)
    wb.close()


def xlsx_bytes(c: dict) -> bytes:
    import io

    buf = io.BytesIO()
    write_xlsx(c, buf)
    return buf.getvalue()


# --- the PDF --------------------------------------------------------------------------------------------------------

def html(c: dict) -> str:
    from django.template.loader import render_to_string

    return render_to_string("indicators/bulletin_pdf.html", {"c": c})


def pdf(c: dict) -> bytes:
    """The bulletin as an A4 PDF (WeasyPrint, Noto Sans CJK), page numbers below, table headers on every page."""
    from fangpin.web.pdf import from_html  # WeasyPrint loads only when a PDF is asked for

    return from_html(html(c), base_url="file:///")


def filename(c: dict, ext: str) -> str:
    return f"调度通报-{c['unit']['code']}-{c['on']:%Y%m%d}.{ext}"


# --- the monthly archive --------------------------------------------------------------------------------------------

ARCHIVE_LEVELS = ("province", "city", "county")  # the units that send a bulletin up


def archive_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "bulletins"


def archive(snapshot: Snapshot) -> int:
    """The scheduled bulletins: for each unit of the snapshot's area at county level and above, its bulletin as Excel
    and PDF under VAR_DIR/bulletins/<day>/<code>.xlsx|pdf, as it was on the day it was made. The number of units."""
    from fangpin.accounts import access

    day = archive_dir() / f"{snapshot.on:%Y-%m-%d}"
    day.mkdir(parents=True, exist_ok=True)
    units = OrgUnit.objects.filter(access.subtree("code", snapshot.area.prefix), level__in=ARCHIVE_LEVELS)
    n = 0
    for unit in units.order_by("code"):
        c = content(snapshot, unit)
        for ext, data in (("xlsx", xlsx_bytes(c)), ("pdf", pdf(c))):
            part = day / f"{unit.code}.{ext}.part"
            part.write_bytes(data)
            part.replace(day / f"{unit.code}.{ext}")  # whole or absent: a download never sees half a file
        n += 1
    return n


def archived(unit: OrgUnit) -> list[dict]:
    """The unit's scheduled bulletins, newest first: {"on": day, "formats": ["xlsx", "pdf"]}."""
    root = archive_dir()
    if not root.is_dir():
        return []
    out = []
    for day in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        try:
            on = dt.date.fromisoformat(day.name)
        except ValueError:
            continue
        formats = [ext for ext in ("xlsx", "pdf") if (day / f"{unit.code}.{ext}").is_file()]
        if formats:
            out.append({"on": on, "formats": formats})
    return out


def archived_file(unit: OrgUnit, on: dt.date, ext: str) -> Path | None:
    if ext not in ("xlsx", "pdf"):
        return None
    path = archive_dir() / f"{on:%Y-%m-%d}" / f"{unit.code}.{ext}"
    return path if path.is_file() else None
