"""The overview's dashboard: the rollups of one unit's children (registry and monitoring tallies, both maintained), their
totals, and the chart data, each figure with the link to the list behind it. Plain data: the page draws it."""
from __future__ import annotations

from django.urls import reverse

from .choices import Category, MonitorType

MONITORING = ("at_risk", "eliminated", "warnings", "warnings_overdue", "cases", "cases_overdue", "no_cadre",
              "no_measures")
MONITORING_LABELS = {"at_risk": "监测户（风险未消除）", "eliminated": "监测户（风险已消除）", "warnings": "待核实预警",
                     "warnings_overdue": "预警逾期", "cases": "办理中案件", "cases_overdue": "案件逾期",
                     "no_cadre": "无帮扶联系人", "no_measures": "无帮扶措施"}
WAITING = ("village", "notice", "township", "county")  # a case's stages under way, village to county


def drill_link(row: dict) -> str:
    """Where a child unit's figure leads: a village to its households, any other unit to its own overview."""
    if row.get("level") == "village":
        return f"{reverse('household_list')}?village={row['code']}"
    return f"{reverse('home')}?unit={row['code']}"


def _merge(registry_rows: list[dict], monitoring_rows: list[dict]) -> list[dict]:
    """One row per child unit. The monitoring tallies' `monitored` (risk not eliminated) becomes `at_risk`: `monitored`
    is the registry's category count, eliminated households included."""
    by_code: dict[str, dict] = {}
    for r in registry_rows:
        by_code[r["code"]] = {**r}
    for r in monitoring_rows:
        row = by_code.setdefault(r["code"], {"code": r["code"], "name": r["name"], "level": r["level"], "total": 0})
        for key, value in r.items():
            if key not in ("code", "name", "level"):
                row[key.replace("monitored", "at_risk", 1) if key.startswith("monitored") else key] = value
    return sorted(by_code.values(), key=lambda r: r["code"])


def part_link(key: str, row: dict) -> str:
    """The list behind one figure of one village (a bar of the overview's charts)."""
    v = row["code"]
    households, cases = reverse("household_list"), reverse("case_list")
    measure, _, part = key.partition(":")
    if measure in Category.values and not part:
        return f"{households}?village={v}&category={measure}"
    if measure == "at_risk":
        return f"{households}?village={v}&category=monitored&stage=at_risk" + (f"&monitor_type={part}" if part else "")
    if measure == "eliminated":
        return f"{households}?village={v}&category=monitored&stage=eliminated"
    if measure == "cases":
        return f"{cases}?village={v}&state={part or 'under_way'}"
    if measure in ("warnings", "warnings_overdue"):
        return f"{reverse('warning_list')}?village={v}&status=open"
    if measure == "bands":
        year, _, band = part.partition(":")
        if band in ("below", "edge"):
            return f"{reverse('income_flag_list')}?village={v}&year={year}&flag={band}"
        return f"{reverse('income_accounting')}?unit={v}&year={year}"
    if measure in ("no_cadre", "no_measures"):
        return f"{households}?village={v}&stage={measure}"
    return f"{reverse('monitoring_home')}?unit={v}"


def band_year(rows: list[dict]) -> int | None:
    """The latest year an income accounting placed households in a band for in these units (a year accounted without
    a line, every household 无法判断, is not a year to show)."""
    years = {int(k.split(":")[1]) for r in rows for k, v in r.items()
             if k.startswith("bands:") and not k.endswith(":unknown") and v}
    return max(years) if years else None


def dashboard(registry_rows: list[dict], monitoring_rows: list[dict], *, unit, monitoring: bool = True) -> dict:
    """`monitoring`: whether the user reads monitoring (a department officer's overview has no such figures)."""
    from fangpin.monitoring.models import Band, Case

    rows = _merge(registry_rows, monitoring_rows)
    for r in rows:
        r["link"] = drill_link(r)
    year = band_year(rows)
    keys = [*Category.values, "total", *MONITORING, *(f"at_risk:{t}" for t in MonitorType.values),
            *(f"cases:{s}" for s in WAITING), *(f"bands:{year}:{b}" for b in Band.values)]
    totals = {k: sum(r.get(k, 0) or 0 for r in rows) for k in keys}
    households = reverse("household_list")
    cases = reverse("case_list")
    # the lists filtered to the unit shown (a township's or a village's; a county's or city's is the whole list)
    area = "" if unit is None or unit.level not in ("county", "township", "village") else f"&{unit.level}={unit.code}"
    labels = dict(Case.State.choices)

    def series(items):
        """Bars per row for each (key, label); a village's bar leads to the list of exactly what it counts, any other
        unit's to that unit's overview."""
        return [{"name": label, "data": [r.get(key, 0) or 0 for r in rows],
                 "links": [part_link(key, r) if r.get("level") == "village" else r["link"] for r in rows]}
                for key, label in items]

    charts = {
        "names": [r["name"] for r in rows],
        "links": [r["link"] for r in rows],
        "categories": series((value, label) for value, label in Category.choices),
        "monitoring": series((k, MONITORING_LABELS[k]) for k in ("warnings", "warnings_overdue", "cases", "no_cadre",
                                                                 "no_measures")),
        "monitored": series([*((f"at_risk:{t}", f"{label}（风险未消除）") for t, label in MonitorType.choices),
                             ("eliminated", "风险已消除")]),
        "waiting": series((f"cases:{s}", labels[s]) for s in WAITING),
        "bands": series((f"bands:{year}:{b}", label) for b, label in Band.choices) if year else [],
        "band_year": year,
        "share": [{"name": label, "value": totals[value], "link": f"{households}?category={value}{area}"}
                  for value, label in Category.choices],
    }
    cards = [
        {"label": "户数合计", "value": totals["total"], "link": f"{households}?{area[1:]}"},
        *({"label": label, "value": totals[value], "link": f"{households}?category={value}{area}"}
          for value, label in Category.choices),
    ]
    if monitoring:
        cards += [
            *({"label": f"{label}（风险未消除）", "value": totals[f"at_risk:{t}"],
               "link": f"{households}?category=monitored&monitor_type={t}&stage=at_risk{area}"}
              for t, label in MonitorType.choices),
            {"label": "风险已消除", "value": totals["eliminated"],
             "link": f"{households}?category=monitored&stage=eliminated{area}"},
            {"label": "待核实预警", "value": totals["warnings"], "overdue": totals["warnings_overdue"],
             "link": f"{reverse('warning_list')}?status=open{area}"},
            *({"label": labels[s], "value": totals[f"cases:{s}"], "link": f"{cases}?state={s}{area}"} for s in WAITING),
            {"label": "无帮扶联系人", "value": totals["no_cadre"], "link": f"{households}?stage=no_cadre{area}",
             "alert": True},
            {"label": "无帮扶措施", "value": totals["no_measures"], "link": f"{households}?stage=no_measures{area}",
             "alert": True},
        ]
        if year:
            cards.append({"label": f"{year}年收入低于监测标准", "value": totals[f"bands:{year}:below"],
                          "link": f"{reverse('income_accounting')}?year={year}", "alert": True})
    return {"rows": rows, "totals": totals | {"cards": cards}, "charts": charts}
