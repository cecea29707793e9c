"""Indicator values for every unit of an area on some days, from the fact frames, in Polars.

One pass per fact table: its rows are grouped once by their place (`code`), and every measure that reads the table,
on every day asked, is one filtered aggregate of that group-by. The small result (one row per place) is then rolled
up level by level by integer division of the 12-digit code (a township is the village code without its last three
digits), so a province of 10 million persons costs one group-by per fact, not one query per village.

A measure that counts persons or households counts distinct ones per place; a person or a household belongs to one
place, so the rolled-up sums are distinct counts too. A share rolls up its numerator and its denominator apart.

A measure per entity (`per:`) is a few group-bys of its own: the entities (its rows grouped by the entity and place),
each figure (a group-by of its fact by the column naming the entity, joined), the `having` filter, then a count or
sum per place like any other measure."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import polars as pl

from fangpin.lib.divisions import LEVELS, PREFIX_LENGTH

from .catalog import AnyCompare, AnyOf, Compare, Condition, Indicator, Measure, Term
from .facts import FACTS


def _resolve(value, on: dt.date):
    if value == "date":
        return on
    if value == "year":
        return on.year
    if value == "last_year":
        return on.year - 1
    if value == "year_start":
        return dt.date(on.year, 1, 1)
    return value


def condition_expr(c: Condition, on: dt.date) -> pl.Expr:
    col = pl.col(c.column)
    if c.op == "is null":
        return col.is_null()
    if c.op == "is not null":
        return col.is_not_null()
    value = _resolve(c.value, on)
    if c.op in ("in", "not in"):
        e = col.is_in(pl.lit(list(value)))
        e = ~e if c.op == "not in" else e
    else:
        lit = pl.lit(value)
        e = {"=": col == lit, "!=": col != lit, "<": col < lit, "<=": col <= lit, ">": col > lit,
             ">=": col >= lit}[c.op]
    e = e.fill_null(False)
    return (e | col.is_null()) if c.or_null else e


def measure_filter(m: Measure, on: dt.date) -> pl.Expr:
    expr = pl.lit(True)
    for c in m.where:
        if isinstance(c, AnyOf):
            expr = expr & pl.any_horizontal([condition_expr(x, on) for x in c.conditions])
        else:
            expr = expr & condition_expr(c, on)
    return expr


def _aggregate(m: Measure, on: dt.date, name: str) -> pl.Expr:
    keep = measure_filter(m, on)
    fact = m.fact
    if m.agg == "sum":
        added = pl.sum_horizontal([pl.col(c).fill_null(0) for c in m.columns]) if len(m.columns) > 1 else pl.col(m.what)
        return added.filter(keep).sum().cast(pl.Int64).alias(name)
    if m.what == "rows":  # the rows kept (a bare literal summed in a group would count one per place)
        return pl.col("row").filter(keep).len().cast(pl.Int64).alias(name)
    column = {"persons": fact.person, "households": fact.household}.get(m.what, m.what)
    return pl.col(column).filter(keep).drop_nulls().n_unique().cast(pl.Int64).alias(name)


def _figure_expr(m: Measure) -> pl.Expr:
    """A count or sum over rows already filtered (an entity's figure)."""
    if m.agg == "sum":
        return pl.sum_horizontal([pl.col(c).fill_null(0) for c in m.columns]).sum()
    if m.what == "rows":
        return pl.len()
    column = {"persons": m.fact.person, "households": m.fact.household}.get(m.what, m.what)
    return pl.col(column).drop_nulls().n_unique()


def _side(terms: tuple[Term, ...], scale: int) -> pl.Expr:
    """The terms times `scale`, which makes every coefficient whole: 60% of 35 members is exactly 21."""
    return pl.sum_horizontal([pl.col(t.name).cast(pl.Int64) * int(t.coefficient * scale) if t.name
                              else pl.lit(int(t.coefficient * scale), pl.Int64) for t in terms])


def compare_expr(c: Compare | AnyCompare) -> pl.Expr:
    if isinstance(c, AnyCompare):
        return pl.any_horizontal([compare_expr(x) for x in c.comparisons])
    scale = math.lcm(*(t.coefficient.denominator for t in c.left + c.right))
    left, right = _side(c.left, scale), _side(c.right, scale)
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[c.op]


def _fact(frames: dict, key: str) -> pl.LazyFrame:
    """A fact's frame; a fact not given is empty (a test, or an area without such rows, gives only some)."""
    frame = frames.get(key)
    if frame is None:
        return pl.LazyFrame(schema=FACTS[key].schema())
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def entities(frames: dict, m: Measure, on: dt.date) -> pl.LazyFrame:
    """The entities `m` counts on `on`: (entity, code, its figures ...), those meeting `having`. An entity is its
    rows' `per` value at one place (a household's posts in two villages are two entities, as the plain count is)."""
    key = m.per
    base = _fact(frames, m.of).filter(measure_filter(m, on) & pl.col(key).is_not_null())
    carried = [f.match for f in m.figures if f.match != key]
    ents = base.group_by(key, "code").agg(*(pl.col(c).first() for c in dict.fromkeys(carried)))
    for f in m.figures:
        rows = _fact(frames, f.measure.of).filter(measure_filter(f.measure, on))
        here = f.measure.of == m.of and f.match == key  # the entity's own rows: at its place only
        left, right = [f.match, "code"] if here else [f.match], [f.by, "code"] if here else [f.by]
        figure = rows.group_by(right).agg(_figure_expr(f.measure).cast(pl.Int64).alias(f.name))
        ents = ents.join(figure, left_on=left, right_on=right, how="left")
    names = [f.name for f in m.figures]
    having = pl.lit(True)
    for c in m.having:
        having = having & compare_expr(c)
    return ents.with_columns(pl.col(n).fill_null(0) for n in names).filter(having)


def _per_place(frames: dict, m: Measure, on: dt.date, name: str) -> pl.LazyFrame:
    value = pl.len() if m.what == "entities" else pl.col(m.what).sum()
    return entities(frames, m, on).group_by("code").agg(value.cast(pl.Int64).alias(name))


def _row_level_length() -> pl.Expr:
    """How many digits of a row's code are significant: a row placed at a township (a project of the township) has 9
    and counts for the township and above, never for one of its villages."""
    code = pl.col("code")
    return (pl.when(code % 1000 != 0).then(12).when(code % 1_000_000 != 0).then(9)
            .when(code % 100_000_000 != 0).then(6).when(code % 10_000_000_000 != 0).then(4).otherwise(2))


def roll_up(per_place: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """(code, columns...) per place -> (code, level, columns...) for every unit at every level above the places."""
    with_len = per_place.with_columns(_row_level_length().alias("_len"))
    parts = []
    for level in LEVELS:
        length = PREFIX_LENGTH[level]
        step = 10 ** (12 - length)
        part = (with_len.filter(pl.col("_len") >= length)
                .group_by((pl.col("code") // step * step).alias("code"))
                .agg(pl.col(c).sum() for c in columns)
                .with_columns(pl.lit(level).alias("level")))
        parts.append(part.select("code", "level", *columns))
    return pl.concat(parts)


def compute(frames: dict, indicators: list[Indicator], days: list[dt.date],
            units: pl.DataFrame | None = None) -> pl.DataFrame:
    """Long frame: indicator, on, code, level, numerator, denominator (denominator null but for shares; a difference
    is plus − minus in `numerator`). `units` (code, level): the units to report, zeros where nothing was counted;
    without it, the units that have rows."""
    # each distinct (measure, day) once, grouped by its fact
    names: dict[tuple[Measure, dt.date], str] = {}
    by_fact: dict[str, list[pl.Expr]] = defaultdict(list)
    per_fact = []
    for ind in indicators:
        for m in ind.measures:
            for on in days:
                if (m, on) not in names:
                    name = f"m{len(names)}"
                    names[(m, on)] = name
                    if m.per:
                        per_fact.append(_per_place(frames, m, on, name))
                    else:
                        by_fact[m.of].append(_aggregate(m, on, name))
    for key, aggs in by_fact.items():
        per_fact.append(_fact(frames, key).group_by("code").agg(aggs))
    columns = list(names.values())
    if per_fact:
        collected = pl.collect_all(per_fact)
        codes = pl.concat([f.select("code") for f in collected]).unique()
        per_place = codes
        for f in collected:
            per_place = per_place.join(f, on="code", how="left")
        per_place = per_place.with_columns(pl.col(c).fill_null(0) for c in columns)
    else:
        per_place = pl.DataFrame(schema={"code": pl.Int64})
    rolled = roll_up(per_place, columns)
    if units is not None:
        rolled = (units.select(pl.col("code").cast(pl.Int64), "level")
                  .join(rolled.drop("level"), on="code", how="left")
                  .with_columns(pl.col(c).fill_null(0) for c in columns))
    out = []
    for ind in indicators:
        for on in days:
            cols = [names[(m, on)] for m in ind.measures]
            if ind.form == "share":
                num, den = pl.col(cols[0]), pl.col(cols[1])
            elif ind.form == "difference":
                num, den = pl.col(cols[0]) - pl.sum_horizontal(pl.col(c) for c in cols[1:]), pl.lit(None, pl.Int64)
            else:
                num, den = pl.col(cols[0]), pl.lit(None, pl.Int64)
            out.append(rolled.select(pl.lit(ind.key).alias("indicator"), pl.lit(on).alias("on"), "code", "level",
                                     num.cast(pl.Int64).alias("numerator"), den.cast(pl.Int64).alias("denominator")))
    if not out:
        return pl.DataFrame(schema={"indicator": pl.String, "on": pl.Date, "code": pl.Int64, "level": pl.String,
                                    "numerator": pl.Int64, "denominator": pl.Int64})
    return pl.concat(out)


def value(indicator: Indicator, numerator: int | None, denominator: int | None) -> float | None:
    """The figure in the indicator's unit: a share as a fraction (None over a zero base), amounts from fen."""
    if indicator.form == "share":
        return None if not denominator else numerator / denominator
    return None if numerator is None else numerator / indicator.scale
