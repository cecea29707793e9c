"""The overview's dashboard: the rollups of one unit's children (registry and monitoring tallies, both maintained), their
totals, and the chart data, each figure with the link to the list behind it. Plain data: the page draws it."""
from __future__ import annotations

from django.urls import reverse

from .choices import Category

MONITORING = ("monitored", "warnings", "warnings_overdue", "cases", "cases_overdue", "no_cadre", "no_measures")
MONITORING_LABELS = {"monitored": "监测户（风险未消除）", "warnings": "待核实预警", "warnings_overdue": "预警逾期",
                     "cases": "办理中案件", "cases_overdue": "案件逾期", "no_cadre": "无帮扶联系人",
                     "no_measures": "无帮扶措施"}


def drill_link(row: dict) -> str:
    """Where a child unit's figure leads: a village to its households, any other unit to its own overview."""
    if row.get("level") == "village":
        return f"{reverse('household_list')}?village={row['code']}"
    return f"{reverse('home')}?unit={row['code']}"


def dashboard(registry_rows: list[dict], monitoring_rows: list[dict], *, unit, monitoring: bool = True) -> dict:
    """`monitoring`: whether the user reads monitoring (a department officer's overview has no such figures)."""
    by_code: dict[str, dict] = {}
    for r in registry_rows:
        by_code[r["code"]] = {**r}
    for r in monitoring_rows:
        row = by_code.setdefault(r["code"], {"code": r["code"], "name": r["name"], "level": r["level"], "total": 0})
        for key in MONITORING:
            row[key] = r.get(key, 0)
    rows = sorted(by_code.values(), key=lambda r: r["code"])
    for r in rows:
        r["link"] = drill_link(r)
    keys = [*Category.values, "total", *MONITORING]
    totals = {k: sum(r.get(k, 0) or 0 for r in rows) for k in keys}
    households = reverse("household_list")
    workbench = reverse("monitoring_home") + ("" if unit is None else f"?unit={unit.code}")
    # the lists filtered to the unit shown (a township's or a village's; a county's or city's is the whole list)
    area = "" if unit is None or unit.level not in ("township", "village") else f"&{unit.level}={unit.code}"
    charts = {
        "names": [r["name"] for r in rows],
        "links": [r["link"] for r in rows],
        "categories": [{"name": label, "data": [r.get(value, 0) or 0 for r in rows]}
                       for value, label in Category.choices],
        "monitoring": [{"name": MONITORING_LABELS[k], "data": [r.get(k, 0) or 0 for r in rows]}
                       for k in ("warnings", "warnings_overdue", "cases", "no_cadre", "no_measures")],
        "share": [{"name": label, "value": totals[value], "link": f"{households}?category={value}"}
                  for value, label in Category.choices],
    }
    cards = [
        {"label": "户数合计", "value": totals["total"], "link": households},
        *({"label": label, "value": totals[value], "link": f"{households}?category={value}"}
          for value, label in Category.choices),
    ]
    cards += [] if not monitoring else [
        {"label": "待核实预警", "value": totals["warnings"], "overdue": totals["warnings_overdue"],
         "link": f"{reverse('warning_list')}?status=open{area}"},
        {"label": "办理中案件", "value": totals["cases"], "overdue": totals["cases_overdue"],
         "link": f"{reverse('case_list')}?state=under_way{area}"},
        {"label": "无帮扶联系人", "value": totals["no_cadre"], "link": workbench, "alert": True},
        {"label": "无帮扶措施", "value": totals["no_measures"], "link": workbench, "alert": True},
    ]
    return {"rows": rows, "totals": totals | {"cards": cards}, "charts": charts}
