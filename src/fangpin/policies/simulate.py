"""What-if: the same population evaluated with changed parameters, compared with the catalog as it is.

A change holds for the whole year evaluated: it is dated 1 January of the evaluation year (replacing the values dated
from then to the evaluation date), so that a standard applied by each row's date (a work spell's start) is changed for
every row of the year. Every value and date outside that stretch stays as it is.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import polars as pl

from . import funding as funding_rules
from .catalog import Document, parse_value
from .engine import evaluate


class SimulationError(ValueError):
    pass


def parse_settings(doc: Document, settings: list[str]) -> dict[str, Decimal]:
    """["transport_cross_province=2000", ...] -> {name: value}, each checked against the catalog."""
    out = {}
    for item in settings:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep:
            raise SimulationError(f"“{item}”应写成 参数名=数值")
        if name not in doc.parameters:
            raise SimulationError(f"{doc.number} 没有参数“{name}”；可用：{'、'.join(sorted(doc.parameters))}")
        value, problem = parse_value(doc.parameters[name].unit, raw)
        if problem:
            raise SimulationError(f"参数“{name}”{problem}")
        out[name] = value
    return out


def with_values(doc: Document, changes: dict[str, Decimal], as_of: dt.date) -> Document:
    params = dict(doc.parameters)
    since = dt.date(as_of.year, 1, 1)
    for name, value in changes.items():
        p = params[name]
        kept = tuple((d, v) for d, v in p.values if not since <= d <= as_of)
        params[name] = dataclasses.replace(p, values=tuple(sorted(kept + ((since, value),))))
    return dataclasses.replace(doc, parameters=params)


def _levels(results: pl.DataFrame) -> pl.DataFrame:
    """Amounts by funding level: shares (5:3:2) and rate splits divide each benefit's total; otherwise its source."""
    rows = []
    if results.is_empty():
        return pl.DataFrame(schema={"level": pl.String, "amount": pl.Int64})
    totals = results.group_by("benefit_id", "funding").agg(pl.col("amount").sum())
    for _benefit, funding, amount in totals.iter_rows():
        rows += funding_rules.split(funding, amount)
    return pl.DataFrame(rows, schema={"level": pl.String, "amount": pl.Int64}, orient="row").group_by("level").agg(
        pl.col("amount").sum())


def compare(doc: Document, tables, *, as_of: dt.date, changes: dict[str, Decimal]) -> dict[str, pl.DataFrame]:
    """Baseline against scenario: totals by benefit, by funding level and by village, with the change."""
    base = evaluate(doc, tables, as_of=as_of, explain=False).results  # totals only
    scen = evaluate(with_values(doc, changes, as_of), tables, as_of=as_of, explain=False).results

    def side_by_side(key: str, a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
        joined = a.rename({"amount": "baseline"}).join(b.rename({"amount": "scenario"}), on=key, how="full",
                                                        coalesce=True)
        return joined.with_columns(pl.col("baseline").fill_null(0), pl.col("scenario").fill_null(0)).with_columns(
            (pl.col("scenario") - pl.col("baseline")).alias("change")).sort(key)

    def by(frame: pl.DataFrame, key: str) -> pl.DataFrame:
        if frame.is_empty():
            return pl.DataFrame(schema={key: pl.String, "amount": pl.Int64})
        return frame.group_by(pl.col(key).cast(pl.String)).agg(pl.col("amount").sum())

    return {
        "benefit": side_by_side("benefit_name", by(base, "benefit_name"), by(scen, "benefit_name")),
        "level": side_by_side("level", _levels(base), _levels(scen)),
        "village": side_by_side("village_code", by(base, "village_code"), by(scen, "village_code")),
    }


MAX_HOUSEHOLDS = 50_000  # simulated while the user waits (a county); a city is asked for a county or township


def registry_tables(*, user, area: str, as_of: dt.date, limit: int = MAX_HOUSEHOLDS):
    """The engine's tables built from the registry's households under `area` (the user's scope; households and
    persons, enterprises' own awards apart), and the number of households; None when there are more than `limit`."""
    from fangpin.exchange import exporter
    from fangpin.exchange.spec import BY_KEY

    from . import roster, tables

    ids = list(roster.area_households(user=user, area=area).values_list("pk", flat=True)[:limit + 1])
    if len(ids) > limit:
        return None
    rows = {key: list(exporter.rows(user, BY_KEY[key], household_ids=ids, unmasked=True))
            for key in tables.SHEETS if key != "enterprises"}
    built, _unreadable = tables.build(tables.from_document(rows), year=as_of.year, as_of=as_of)
    return built, len(ids)


def on_registry(*, user, doc: Document, area: str, as_of: dt.date, changes: dict[str, Decimal]) -> dict | None:
    """compare() on the registry's households under `area` instead of a file; None when the area is too large."""
    got = registry_tables(user=user, area=area, as_of=as_of)
    if got is None:
        return None
    built, n = got
    return compare(doc, built, as_of=as_of, changes=changes) | {"households": n}
