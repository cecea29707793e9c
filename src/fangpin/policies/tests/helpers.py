"""Small exchange-format documents for rule tests: one household at a time, boundaries spelled out."""
from __future__ import annotations

import datetime as dt
import itertools

from fangpin.lib import idnumber
from fangpin.policies import catalog, engine, tables

SHUANGNIAN = "140603203200"
_seq = itertools.count(1)


def person_id(birth=dt.date(1985, 4, 1)) -> str:
    n = next(_seq)
    return idnumber.make("140603", birth + dt.timedelta(days=n // 400), 1 + 2 * (n % 400))


def household(number="H1", category="lifted", monitor_type=None, village=SHUANGNIAN, **kw):
    return {"household_number": number, "village_code": village, "category": category, "monitor_type": monitor_type, **kw}


def member(number="H1", relation="head", **kw):
    return {"household_number": number, "id_number": kw.pop("id_number", None) or person_id(), "name": "测试",
            "relation": relation, "labor_capacity": "laborer", **kw}


def spell(m, place="cross_province", months=7, wage_yuan=2500, year=2025, **kw):
    return {"id_number": m["id_number"], "year": year, "kind": "wage_job", "place": place, "start_date": f"{year}-01-01",
            "months": months, "monthly_wage": int(round(wage_yuan * 100)), **kw}


def run(doc: dict, *, as_of=dt.date(2025, 6, 30), document="sn2022-67", benefit=None, changes=None, evaluation=False,
        paid=None):
    """Evaluate a small document. `changes`: parameter values set for the year of `as_of` (as `simulate --set` does);
    `paid`: earlier payments (engine.evaluate(granted=))."""
    from decimal import Decimal

    from fangpin.policies import simulate

    cat = catalog.load_catalog()[document]
    if changes:
        cat = simulate.with_values(cat, {k: Decimal(str(v)) for k, v in changes.items()}, as_of)
    built, problems = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    ev = engine.evaluate(cat, built, as_of=as_of, granted=paid)
    rows = ev.results if benefit is None else ev.results.filter(ev.results["benefit_id"] == benefit)
    if evaluation:
        return rows.to_dicts(), ev, problems
    return rows.to_dicts(), ev.messages, problems


def payments_file(tmp_path, rows: list[dict]):
    """A payments file (exchange-format JSON, amounts in fen) for `audit`."""
    import json

    path = tmp_path / "payments.json"
    path.write_text(json.dumps({"format": "fangpin-exchange", "version": "1.0", "payments": rows}), encoding="utf-8")
    return path
