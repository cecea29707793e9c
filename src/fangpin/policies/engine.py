"""The entitlement engine: a catalog document, evaluated over whole basis tables with Polars expressions.

No Python loop runs per person: each benefit becomes one filter, one amount expression and one explanation
expression over its basis table. Amounts are integer fen; areas are hundredths of a mu; products are rounded
half up to the fen.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from . import columns
from .catalog import Amount, Benefit, Condition, Document, Ref, parameters_of, value_text

RESULT_SCHEMA = {
    "document_id": pl.Categorical, "document_number": pl.Categorical, "clause": pl.Int64, "benefit_id": pl.Categorical,
    "benefit_name": pl.Categorical, "entity": pl.Categorical, "village_code": pl.Categorical, "household_number": pl.String, "id_number": pl.String,
    "credit_code": pl.String, "year": pl.Int64, "amount": pl.Int64, "bound": pl.Categorical, "funding": pl.Categorical, "explanation": pl.String,
}


UNEVALUABLE_SCHEMA = {"benefit_id": pl.String, "benefit_name": pl.String, "household_number": pl.String,
                      "id_number": pl.String, "credit_code": pl.String, "reason": pl.String}


@dataclass
class Evaluation:
    results: pl.DataFrame
    messages: list[str]
    # rows a benefit could not evaluate (a required fact is missing): reported with the reason, never paid
    unevaluable: pl.DataFrame = None

    def __post_init__(self):
        if self.unevaluable is None:
            self.unevaluable = pl.DataFrame(schema=UNEVALUABLE_SCHEMA)

    def unreadable(self) -> list:
        """The rows no rule could evaluate, in the shape of the input's unreadable rows (for reports and pages)."""
        from .tables import Unreadable

        return [Unreadable(r["benefit_name"], None, r["id_number"] or r["household_number"] or r["credit_code"] or "",
                           r["reason"]) for r in self.unevaluable.iter_rows(named=True)]


class _Context:
    """Parameter values in force on the evaluation date, in the units the columns use."""

    def __init__(self, doc: Document, as_of: dt.date, dated_by: str | None = None):
        self.doc = doc
        self.as_of = as_of
        self.values = {k: p.value_on(as_of) for k, p in doc.parameters.items()}
        self.dated_by = dated_by

    def money(self, name: str) -> pl.Expr:
        """A yuan parameter in fen: its value on the evaluation date or, for a benefit `dated_by` a column, the value in
        force on each row's day in the evaluated year — its date, or 1 January for a row that began in an earlier year
        (a spell that began before a raise is paid the standard of its start; the next year, that year's standard);
        null before the parameter's first value, so that such a row is owed nothing."""
        if self.dated_by is None:
            return pl.lit(self.fen(name), dtype=pl.Int64)
        p = self.doc.parameters[name]
        day = pl.max_horizontal(pl.col(self.dated_by), pl.lit(dt.date(self.as_of.year, 1, 1)))
        expr = pl.lit(None, dtype=pl.Int64)
        for since, value in p.values:  # ascending: the latest value on or before the day wins
            if since <= self.as_of and not (p.per_year and since.year != self.as_of.year):
                expr = pl.when(day >= since).then(pl.lit(int(value * 100), dtype=pl.Int64)).otherwise(expr)
        return expr

    def param(self, name: str) -> Decimal:
        value = self.values[name]
        if value is None:
            raise ValueError(f"参数“{name}”在 {self.as_of} 没有生效的取值")
        return value

    def fen(self, name: str) -> int:
        return int(self.param(name) * 100)

    def for_column(self, ref: Ref, col: str):
        """A parameter or literal as a value comparable with column `col`."""
        kind = columns.COLUMNS[col].kind
        if ref.param:
            value = self.param(ref.param)
            unit = self.doc.parameters[ref.param].unit
            if kind == "money":
                return int(value * 100) if unit == "yuan" else int(value)
            if kind == "area":
                return int(value * 100)
            return int(value) if value == value.to_integral_value() else float(value)
        if ref.col:
            return pl.col(ref.col)
        lit = ref.literal
        if kind in ("money", "area") and isinstance(lit, (int, float)):
            return int(Decimal(str(lit)) * 100)
        return lit


def condition_expr(c: Condition, ctx: _Context) -> pl.Expr:
    if c.kind == "any":
        return pl.any_horizontal([condition_expr(x, ctx) for x in c.children])
    if c.kind == "all":
        return pl.all_horizontal([condition_expr(x, ctx) for x in c.children])
    if c.kind == "not":
        return ~condition_expr(c.children[0], ctx)
    if c.kind == "ratio":  # a/b against n/d, exactly: a*d against b*n, and never true when b is 0
        share = Fraction(ctx.param(c.value.param))
        left = pl.col(c.col) * share.denominator
        right = pl.col(c.denominator) * share.numerator
        expr = {"gt": left.gt, "gte": left.ge, "lt": left.lt, "lte": left.le}[c.op](right)
        return (expr & (pl.col(c.denominator) > 0)).fill_null(False)
    col = pl.col(c.col)
    if c.op in ("in", "not_in"):
        options = [ctx.for_column(v, c.col) for v in c.value]
        expr = col.is_in(options)
        return (~expr if c.op == "not_in" else expr).fill_null(False)
    value = ctx.for_column(c.value, c.col)
    expr = {"eq": col.eq, "ne": col.ne, "gt": col.gt, "gte": col.ge, "lt": col.lt, "lte": col.le}[c.op](value)
    return expr.fill_null(False)  # a missing value never qualifies


def amount_expr(a: Amount, ctx: _Context) -> pl.Expr:
    expr = _uncapped(a, ctx)
    if a.cap is not None:
        expr = pl.min_horizontal(expr, ctx.money(a.cap.param))
    return expr


def _half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """numerator / denominator rounded half up, for non-negative integers."""
    return ((numerator * 2 + denominator) // (2 * denominator)).cast(pl.Int64)


def _money(ref: Ref, ctx: _Context) -> pl.Expr:
    return pl.col(ref.col).fill_null(0) if ref.col else pl.lit(ctx.fen(ref.param), dtype=pl.Int64)


def _count(ref: Ref, ctx: _Context) -> pl.Expr:
    if ref.col:
        return pl.col(ref.col).fill_null(0)
    value = ctx.param(ref.param) if ref.param else Decimal(str(ref.literal))
    return pl.lit(int(value), dtype=pl.Int64)


def _uncapped(a: Amount, ctx: _Context) -> pl.Expr:
    if a.kind in ("fixed", "up_to"):
        return ctx.money(a.value.param)
    if a.kind == "share_of":  # base × share × units, rounded half up to the fen
        share = Fraction(ctx.param(a.share.param)) if a.share else Fraction(1)
        base = _money(a.base, ctx)
        if a.base_at_most:  # e.g. rent counted at most 50 yuan a square metre
            rate, per = a.base_at_most
            units = pl.col(per.col).fill_null(0)
            limit = (units * ctx.fen(rate.param) + 50) // 100 if columns.COLUMNS[per.col].kind == "area" else (
                units * ctx.fen(rate.param))
            base = pl.min_horizontal(base, limit)
        product = base * (_count(a.units, ctx) if a.units else 1) * share.numerator
        return _half_up(product, share.denominator)
    if a.kind == "graduated":  # each band's rate for the units that fall in it
        units, done, total = _count(a.units, ctx), 0, pl.lit(0, dtype=pl.Int64)
        for step in a.steps:
            upto = int(ctx.param(step.upto.param)) if step.upto else None
            within = (pl.min_horizontal(units, upto) if upto is not None else units) - done
            total = total + pl.max_horizontal(within, 0) * ctx.fen(step.rate.param)
            done = upto if upto is not None else done
        return total.cast(pl.Int64)
    if a.kind == "gap":  # (line − per-capita income) × persons, exactly: line × persons − income, never below 0
        persons = _count(a.units, ctx)
        return pl.max_horizontal(persons * ctx.fen(a.line.param) - pl.col(a.base.col), 0).cast(pl.Int64)
    if a.kind == "per_unit":
        if ctx.dated_by is not None:  # rates by each row's date
            rate = pl.sum_horizontal([ctx.money(r.param) for r in a.rates])
            units = _count(a.units, ctx)
            if a.units.col and columns.COLUMNS[a.units.col].kind == "area":
                return ((units * rate + 50) // 100).cast(pl.Int64)
            return (units * rate).cast(pl.Int64)
        rate = sum(ctx.fen(r.param) for r in a.rates)
        if a.units.col:
            kind = columns.COLUMNS[a.units.col].kind
            units = pl.col(a.units.col).fill_null(0)
            if kind == "area":  # hundredths of a mu: round half up to the fen
                return ((units * rate + 50) // 100).cast(pl.Int64)
            return (units * rate).cast(pl.Int64)
        count = ctx.param(a.units.param) if a.units.param else Decimal(str(a.units.literal))
        return pl.lit(int((count * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)), dtype=pl.Int64)
    expr = None
    for tier in a.tiers:
        cond = condition_expr(tier.when, ctx)
        value = ctx.money(tier.value.param)
        expr = pl.when(cond).then(value) if expr is None else expr.when(cond).then(value)
    return expr.otherwise(pl.lit(0, dtype=pl.Int64))


def yuan_text(expr: pl.Expr) -> pl.Expr:
    """Fen as yuan text without trailing zeros: 150000 -> '1500', 1560 -> '15.6', 1205 -> '12.05', -150 -> '-1.5'."""
    size = expr.abs()
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = pl.concat_str([sign, (size // 100).cast(pl.String)])
    frac = size % 100
    return (
        pl.when(frac == 0).then(whole)
        .when(frac % 10 == 0).then(pl.concat_str([whole, pl.lit("."), (frac // 10).cast(pl.String)]))
        .otherwise(pl.concat_str([whole, pl.lit("."), frac.cast(pl.String).str.zfill(2)]))
    )


def _column_text(name: str) -> pl.Expr:
    spec = columns.COLUMNS[name]
    col = pl.col(name).cast(pl.String) if spec.kind in ("enum", "str", "code") else pl.col(name)  # codes may be categoricals
    if spec.kind == "enum":
        return col.replace_strict(dict(spec.choices.choices), default=col)
    if spec.kind == "bool":
        return pl.when(col).then(pl.lit("是")).otherwise(pl.lit("否"))
    if spec.kind in ("money", "area"):
        return yuan_text(col)
    if spec.kind == "date":
        return col.dt.strftime("%Y-%m-%d")
    return col.cast(pl.String)


# Fewer rows than this are one household's or enterprise's (their pages): per-query costs dominate, so the engine
# stops early when a benefit keeps no row and formats explanations row by row.
SMALL = 256

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def explanation_expr(b: Benefit, doc: Document, ctx: _Context, amount: pl.Expr, year: int) -> pl.Expr:
    parts: list[pl.Expr] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(b.explain):
        if m.start() > pos:
            parts.append(pl.lit(b.explain[pos:m.start()]))
        key = m.group(1)
        if key == "document":
            parts.append(pl.lit(doc.number))
        elif key == "clause":
            parts.append(pl.lit(str(b.clause)))
        elif key == "year":
            parts.append(pl.lit(str(year)))
        elif key == "amount":
            parts.append(yuan_text(amount))
        elif key == "reason":
            labelled = [c for c in _walk(b.when) if c.label]
            parts.append(pl.concat_list([pl.when(condition_expr(c, ctx)).then(pl.lit(c.label)) for c in labelled])
                         .list.drop_nulls().list.join("、"))
        elif key.startswith("$"):
            parts.append(pl.lit(value_text(ctx.param(key[1:]))))
        elif key in columns.COLUMNS:
            parts.append(_column_text(key))
        else:
            raise ValueError(f"说明模板中的“{{{key}}}”无法识别（待遇 {b.id}）")
        pos = m.end()
    if pos < len(b.explain):
        parts.append(pl.lit(b.explain[pos:]))
    return pl.concat_str(parts)


def _walk(conditions):
    for c in conditions:
        yield c
        yield from _walk(c.children)


def funding_text(b: Benefit, ctx: _Context) -> str:
    """The funding of the benefit as JSON: a source, shares (e.g. 5:3:2), or a split by the rates that make it up."""
    f = b.funding
    out = {}
    if "source" in f:
        out["source"] = f["source"]
    if "shares" in f:
        out["shares"] = dict(f["shares"])
    if "split_by_rate" in f:
        out["shares"] = {level: int(ctx.fen(str(ref).lstrip("$"))) for level, ref in f["split_by_rate"].items()}
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def _payee_key(b: Benefit) -> list[str]:
    """Who is paid, as integer keys while rows are evaluated: a person, a household, an enterprise, or an enterprise
    paid per person (an agency per worker placed)."""
    if b.basis == "enterprise":
        return ["credit_code"]
    if b.payee:
        return [b.payee, "pid"]
    return ["pid"] if b.entity == "person" else ["hid"]


def _granted_key(b: Benefit) -> list[str]:
    """The same payee in result rows (strings): a person by ID number wherever they live now."""
    if b.basis == "enterprise":
        return ["credit_code"]
    if b.payee:
        return ["credit_code", "id_number"]
    return ["id_number"] if b.entity == "person" else ["household_number"]


ORDER_OF = {"training": "training.start_date", "startup": "startup.started_on", "employment": "employment.start_date"}
_ONCE_NOTE = "（一次性待遇：本文件执行期内只享受一次，以前年度已发放的不再计算）"


def evaluate_benefit(b: Benefit, doc: Document, tables: dict[str, pl.DataFrame], *, as_of: dt.date, year: int,
                     explain: bool = True, granted: pl.DataFrame | None = None,
                     notes: list[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The result rows of one benefit, and the rows it could not evaluate for want of a required fact.

    `granted`: earlier payments (benefit_id, household_number, id_number, credit_code, year). A benefit paid once per
    period (once_per: period) is not owed to a payee it was paid to in an earlier year of the document's period;
    how many were left out for that is added to `notes`."""
    ctx = _Context(doc, as_of, b.dated_by)
    small = tables[b.basis].height < SMALL
    t = tables[b.basis].lazy()
    enterprise = b.basis == "enterprise"
    place = "enterprise.division_code" if enterprise else "household.village_code"
    # village codes are categoricals: the prefix is tested once per distinct code, not once per row
    code = pl.col(place).str if enterprise else pl.col(place).cat
    t = t.filter(pl.any_horizontal([code.starts_with(r) for r in doc.regions]))
    if b.target:
        t = t.filter(pl.col("household.category").is_in(list(b.target)))
    if b.payee:
        t = t.filter(pl.col(b.payee).is_not_null())  # no agency or institution named: nobody to pay
    if b.when:
        t = t.filter(pl.all_horizontal([condition_expr(c, ctx) for c in b.when]))
    unevaluable = pl.DataFrame(schema=UNEVALUABLE_SCHEMA)
    # rows carry integer keys (hid, pid) until the end; the household numbers and ID numbers of the rows kept are looked
    # up last, so that no string is copied for a row a condition drops
    keys = [] if enterprise else ["hid"] if b.basis == "household" else ["hid", "pid"]
    if b.requires:
        missing = pl.any_horizontal([pl.col(c).is_null() for c in b.requires])
        labels = "、".join(columns.COLUMNS[c].label for c in b.requires)
        unevaluable = _with_keys(t.filter(missing).select(
            *keys, pl.lit(b.id).alias("benefit_id"), pl.lit(b.name).alias("benefit_name"),
            pl.lit(None, dtype=pl.String).alias("household_number"), pl.lit(None, dtype=pl.String).alias("id_number"),
            (pl.col("credit_code") if enterprise else pl.lit(None, dtype=pl.String)).alias("credit_code"),
            pl.lit(f"缺少{labels}，无法计算{b.name}（{doc.number}第{b.clause}条）").alias("reason"),
        ).collect(), tables, person=b.basis not in ("household", "enterprise"))
        t = t.filter(~missing)
    amount = amount_expr(b.amount, ctx)
    person = b.entity == "person" or (b.payee is not None)  # a payee row names the person it is paid for
    t = t.with_columns(amount.alias("amount"))
    if b.amount.cap_per == "person_year":
        # 每人不超过: the cap bounds the sum of the person's rows in the year (two trainings, two start-ups), in the
        # order they happened (ties: the input's order); "_before" is what the person's earlier rows already count
        t = t.sort(["pid", ORDER_OF[b.basis]], nulls_last=True, maintain_order=True)
        before = pl.col("amount").cum_sum().over("pid") - pl.col("amount")
        t = t.with_columns(before.alias("_before")).with_columns(
            pl.min_horizontal("amount", pl.max_horizontal(ctx.money(b.amount.cap.param) - pl.col("_before"), 0))
            .alias("amount"))
    t = t.filter(pl.col("amount") > 0)
    if small:  # one household's rows (its page): most benefits keep none, and then nothing more is built
        kept = t.collect()
        if not kept.height:
            return _no_rows(b, tables), unevaluable
        t = kept.lazy()
    if b.once_per in ("person_year", "period"):
        # one per payee and year: the highest amount (ties: the first in the input); before explaining, so that
        # only the rows kept are explained. Most payees have one row: counting distinct keys is cheap, the window is not.
        key = _payee_key(b) if b.once_per == "period" else ["pid"]  # person_year: one per person, whoever is paid
        kept = t.collect()
        if kept.select(key).n_unique() < kept.height:  # a stable sort, then the first row of each payee
            kept = kept.sort([*key, "amount"], descending=[*([False] * len(key)), True], maintain_order=True)
            kept = kept.filter(pl.any_horizontal([(pl.col(k) != pl.col(k).shift(1)) for k in key]).fill_null(True))
        t = kept.lazy()
    if explain:
        t = _explained(t.collect(), b, doc, ctx, year).lazy()
        if b.amount.cap_per:
            cap = value_text(ctx.param(b.amount.cap.param))  # never dated: the catalog refuses cap_per with dated_by
            note = pl.concat_str([pl.lit(f"；每人每年不超过{cap}元，本人本年度此前各行已计"), yuan_text(pl.col("_before")),
                                  pl.lit("元，本行计"), yuan_text(pl.col("amount")), pl.lit("元")])
            t = t.with_columns(pl.when(pl.col("_before") > 0).then(pl.concat_str([pl.col("explanation"), note]))
                               .otherwise(pl.col("explanation")).alias("explanation"))
        if b.once_per == "period":
            t = t.with_columns(pl.concat_str([pl.col("explanation"), pl.lit(_ONCE_NOTE)]).alias("explanation"))
    else:  # totals (what-if) need no text: the explanation stays empty
        t = t.with_columns(pl.lit(None, dtype=pl.String).alias("explanation"))
    # Constant columns are categorical: ten million rows share one copy of each string.
    const = {"document_id": doc.id, "document_number": doc.number, "benefit_id": b.id, "benefit_name": b.name,
             "entity": b.entity, "funding": funding_text(b, ctx)}
    out = t.select(
        *keys,
        *[pl.lit(v).cast(pl.Categorical).alias(k) for k, v in const.items() if k in ("document_id", "document_number")],
        pl.lit(b.clause, dtype=pl.Int64).alias("clause"),
        *[pl.lit(v).cast(pl.Categorical).alias(k) for k, v in const.items() if k in ("benefit_id", "benefit_name", "entity")],
        pl.col(place).cast(pl.Categorical).alias("village_code"),
        pl.lit(None, dtype=pl.String).alias("household_number"), pl.lit(None, dtype=pl.String).alias("id_number"),
        (pl.col("credit_code") if enterprise else pl.col(b.payee) if b.payee else pl.lit(None, dtype=pl.String))
        .alias("credit_code"),
        pl.lit(year, dtype=pl.Int64).alias("year"), pl.col("amount"),
        pl.lit(b.amount.bound, dtype=pl.String).cast(pl.Categorical).alias("bound"),  # at_most / at_least / exact
        pl.lit(const["funding"]).cast(pl.Categorical).alias("funding"),
        pl.col("explanation"),
    )
    out = _with_keys(out.collect(), tables, person=person and not enterprise)
    if b.once_per == "period" and granted is not None and out.height:
        key = _granted_key(b)
        # 不重复享受 across years too: a payee granted a benefit of the same exclusive group earlier gets neither again
        group = next((g for g in doc.exclusive_groups() if b.id in g), {b.id})
        earlier = granted.filter(pl.col("benefit_id").is_in(sorted(group)) & (pl.col("year") < year)
                                 & (pl.col("year") >= doc.effective_from.year)).select(key).unique()
        if earlier.height:
            before = out.height
            out = out.join(earlier, on=key, how="anti", nulls_equal=False, maintain_order="left")
            if notes is not None and before > out.height:
                also = "或不重复享受的待遇" if len(group) > 1 else ""
                notes.append(f"{b.name}（第{b.clause}条）：{before - out.height}个对象已于以前年度享受（一次性待遇{also}），"
                             f"{year}年度不再计算")
    return out, unevaluable


def _explained(kept: pl.DataFrame, b: Benefit, doc: Document, ctx: _Context, year: int) -> pl.DataFrame:
    """The rows with their explanation. An explanation depends only on the facts it names (and the labelled conditions
    behind {reason}): it is written once per distinct combination of them and joined to the rows, which costs far less
    than formatting every row when, as usual, the facts repeat (a handful of places, amounts, months)."""
    facts = sorted({"amount"} | {k for k in _PLACEHOLDER.findall(b.explain) if k in columns.COLUMNS}
                   | ({c for cond in _walk(b.when) if cond.label for c in _columns_of(cond)} if "{reason}" in b.explain
                      else set()))
    expr = explanation_expr(b, doc, ctx, pl.col("amount"), year).alias("explanation")
    if kept.height < SMALL:  # a household's page: formatting each row costs less than finding the combinations
        return kept.with_columns(expr)
    # each row's combination as one hash; the first row of each hash stands for it, and every row is checked against
    # the row standing for it (equal facts, nulls equal), so a hash collision can only cost time, never a wrong text
    hashed = _fact_hash(kept, facts)
    first = hashed.arg_unique()
    if first.len() * 2 > kept.height:  # facts hardly repeat: format each row
        return kept.with_columns(expr)
    slot = hashed.replace_strict(hashed.gather(first), pl.int_range(0, first.len(), dtype=pl.UInt32, eager=True))
    rows, stand_in = kept.select(facts), kept.select(facts).gather(first.gather(slot))
    if all((rows[c].eq_missing(stand_in[c])).all() for c in facts):
        texts = kept[first].select(expr)["explanation"]
        return kept.with_columns(texts.gather(slot))
    combos = kept.select(facts).unique()
    return kept.join(combos.with_columns(expr), on=facts, how="left", nulls_equal=True, maintain_order="left")


def _fact_hash(frame: pl.DataFrame, facts: list[str]) -> pl.Series:
    return frame.select(pl.struct(facts).hash().alias("h")).to_series()


def _columns_of(c: Condition) -> set[str]:
    out = {c.col, c.denominator} - {None}
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    out |= {v.col for v in values if v is not None and v.col}
    for child in c.children:
        out |= _columns_of(child)
    return out


def _with_keys(frame: pl.DataFrame, tables: dict, *, person: bool) -> pl.DataFrame:
    """The household number (by hid) and, for person rows, the ID number (by pid) of each row; the integer keys go."""
    if "hid" not in frame.columns:
        return frame
    # keys come back in the caller's own type: text from exchange files, integers from an array-holding caller
    # (BasisTables.keyed), who keys its results as it keys its arrays
    filled = [tables["household_keys"]["household_number"].gather(frame["hid"]).alias("household_number")]
    if person:
        filled.append(tables["person_keys"]["id_number"].gather(frame["pid"]).alias("id_number"))
    return frame.with_columns(filled).drop("hid", "pid", strict=False)


def needed_columns(b: Benefit) -> set[str]:
    """The columns a benefit reads: keys, region and target, conditions, units and explanation."""
    if b.basis == "enterprise":
        cols = {"credit_code", "enterprise.division_code"}
    else:
        cols = {"hid", "household.village_code", "household.category"}
    if b.basis not in ("household", "enterprise"):
        cols.add("pid")
    for c in b.when + tuple(t.when for t in b.amount.tiers):
        cols |= _columns_of(c)
    a = b.amount
    cols.update(r.col for r in (a.units, a.base, a.share, a.line, *a.rates, *(a.base_at_most or ()))
                if r is not None and r.col)
    if b.payee:
        cols.add(b.payee)
    if b.dated_by:
        cols.add(b.dated_by)
    if b.amount.cap_per:
        cols.add(ORDER_OF[b.basis])
    cols.update(b.requires)
    cols.update(k for k in _PLACEHOLDER.findall(b.explain) if k in columns.COLUMNS)
    return cols


def _no_rows(b: Benefit, tables: dict) -> pl.DataFrame:
    """No result rows, with the key columns in the caller's own types (as _with_keys gives them)."""
    household = id_number = pl.String
    if b.basis != "enterprise":
        household = tables["household_keys"]["household_number"].dtype
        if b.entity == "person" or b.payee is not None:
            id_number = tables["person_keys"]["id_number"].dtype
    return _empty_results(household, id_number)


@functools.cache
def _empty_results(household: pl.DataType, id_number: pl.DataType) -> pl.DataFrame:
    return pl.DataFrame(schema=RESULT_SCHEMA | {"household_number": household, "id_number": id_number})


def _higher_of_exclusive(done: list[tuple[pl.DataFrame, pl.DataFrame]], *, explain: bool):
    """Benefits that are not combined (不重复享受): a payee owed more than one of them in the year keeps the highest
    (ties: the one listed first in the catalog); the explanation names what it is instead of."""
    rows = pl.concat([r for r, _ in done], how="vertical").with_row_index("order").with_columns(
        pl.coalesce("credit_code", "id_number", "household_number").alias("payee"))
    key = ["payee", "year"]
    rows = rows.with_columns(
        pl.col("benefit_name").cast(pl.String).unique(maintain_order=True).str.join("”与“").over(key).alias("others"),
        pl.len().over(key).alias("competing"))
    kept = rows.sort(["amount", "order"], descending=[True, False]).unique(subset=key, keep="first", maintain_order=True)
    if explain:
        note = pl.concat_str([pl.lit("；“"), pl.col("others"), pl.lit("”不重复享受，按较高者计")])
        kept = kept.with_columns(pl.when(pl.col("competing") > 1).then(pl.concat_str([pl.col("explanation"), note]))
                                 .otherwise(pl.col("explanation")).alias("explanation"))
    kept = kept.sort("order").drop("order", "payee", "others", "competing")
    return kept, pl.concat([u for _, u in done], how="vertical")


def out_of_force(doc: Document, as_of: dt.date) -> str | None:
    if doc.in_force(as_of):
        return None
    until = f"至 {doc.effective_to}" if doc.effective_to else "起"
    return f"{doc.number}（{doc.title}）在 {as_of} 不在有效期内（{doc.effective_from} {until}），不计算待遇"


def iter_evaluate(doc: Document, tables, *, as_of: dt.date, messages: list[str], explain: bool = True,
                  granted: pl.DataFrame | None = None):
    """Each benefit's (results, unevaluable) in turn, for writers that stream a province's rows to a file.

    The basis tables are collected once (all together, so shared joins run once), with only the columns the document's
    benefits read, and each is let go after the last benefit that reads it. Messages are appended to `messages`."""
    note = out_of_force(doc, as_of)
    if note:
        messages.append(note)
        return
    wanted: dict[str, set[str]] = {}
    for b in doc.benefits:
        wanted.setdefault(b.basis, set()).update(needed_columns(b))
    stable = doc.parameters.get("stable_min_months")  # 稳定就业, where the document defines it
    stable = stable.value_on(as_of) if stable is not None else None
    eager = tables.collect(wanted, stable_months=int(stable) if stable is not None else None)
    last = {b.basis: i for i, b in enumerate(doc.benefits)}
    groups = doc.exclusive_groups()  # 不重复享受: held back until every benefit of the group is computed
    group_of = {bid: g for g, ids in enumerate(groups) for bid in ids}
    held: dict[int, list] = {g: [] for g in range(len(groups))}
    left = {g: len(ids) for g, ids in enumerate(groups)}
    for i, b in enumerate(doc.benefits):
        unset = sorted(p for p in parameters_of(b) if doc.parameters[p].value_on(as_of) is None)
        done = None
        if unset:  # e.g. the province has not yet published this year's monitoring line
            labels = "、".join(f"“{doc.parameters[p].label}”" for p in unset)
            messages.append(f"{b.name}（第{b.clause}条）：参数{labels}在 {as_of} 没有生效的取值，本年度不计算")
        else:
            done = evaluate_benefit(b, doc, eager, as_of=as_of, year=as_of.year, explain=explain, granted=granted,
                                    notes=messages)
        g = group_of.get(b.id)
        if g is None:
            if done is not None:
                yield done
        else:
            if done is not None:
                held[g].append(done)
            left[g] -= 1
            if left[g] == 0 and held[g]:
                yield _higher_of_exclusive(held[g], explain=explain)
        if last[b.basis] == i:
            del eager[b.basis]  # the key tables stay: they are the registry's own columns, not copies


def evaluate(doc: Document, tables, *, as_of: dt.date, explain: bool = True,
             granted: pl.DataFrame | None = None) -> Evaluation:
    """Every benefit of the document for the year of `as_of`, with the values in force on that date. `granted`: the
    payments of earlier years, so that a one-time benefit is not owed again (see evaluate_benefit)."""
    messages: list[str] = []
    done = list(iter_evaluate(doc, tables, as_of=as_of, messages=messages, explain=explain, granted=granted))
    if not done:
        return Evaluation(pl.DataFrame(schema=RESULT_SCHEMA), messages)
    return Evaluation(pl.concat([r for r, _ in done], how="vertical"), messages,
                      pl.concat([u for _, u in done], how="vertical"))
