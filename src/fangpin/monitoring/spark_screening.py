"""The same screening on Apache Spark, for provinces and the nation: Spark moves the rows, screening.py computes.

Each stage runs the very Polars functions the local screening runs, inside mapInArrow partitions; Spark only puts
together what one call needs:
1. department rows and registry persons, partitioned by ID number: `signals` and `identities` of the rows, then
   `match` of the identities against the persons of the same ID numbers, and the matched signals;
2. matched signals, partitioned by household: `warnings` (household sums, thresholds, reasons).
"""
from __future__ import annotations

import datetime as dt

from .screening import (
    MATCHED_SCHEMA,
    PERSONS_SCHEMA,
    ROWS_SCHEMA,
    RULES,
    SIGNALS_SCHEMA,
    WARNINGS_SCHEMA,
    Rule,
)

def _ddl(schema: dict) -> str:
    import polars as pl

    def t(dtype) -> str:
        if dtype == pl.String:
            return "string"
        if dtype == pl.Int64:
            return "long"
        if dtype == pl.Date:
            return "date"
        if isinstance(dtype, pl.List):
            return f"array<{t(dtype.inner)}>"
        if isinstance(dtype, pl.Struct):
            return "struct<" + ", ".join(f"{f.name}: {t(f.dtype)}" for f in dtype.fields) + ">"
        raise TypeError(dtype)

    return ", ".join(f"{k} {t(v)}" for k, v in schema.items())


def _spark_arrow(frame):
    """Polars writes Arrow large lists and strings; Spark's Arrow reader takes only the plain ones."""
    import pyarrow as pa

    def plain(t):
        if pa.types.is_large_list(t) or pa.types.is_list(t):
            return pa.list_(plain(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, plain(f.type)) for f in t])
        return pa.string() if pa.types.is_large_string(t) or pa.types.is_string_view(t) else t

    table = frame.to_arrow()
    return table.cast(pa.schema([pa.field(f.name, plain(f.type)) for f in table.schema]))


def _stage1_schema():
    """Stage 1's output carries both the matched signals and the classified identities, told apart by "part"."""
    import polars as pl

    sig = {f"s__{k}": v for k, v in {**SIGNALS_SCHEMA, "person_id": pl.Int64, "household_id": pl.Int64,
                                     "village_code": pl.String}.items()}
    return {"part": pl.String, **sig, **{f"m__{k}": v for k, v in MATCHED_SCHEMA.items()}}


def _match_partition(rules: tuple[Rule, ...], today: dt.date):
    schema = _stage1_schema()

    def run(batches):
        import polars as pl

        from . import screening

        frames = [pl.from_arrow(b) for b in batches]
        frames = [f for f in frames if f.height]
        if not frames:
            return
        both = pl.concat(frames, how="vertical_relaxed")
        rows = both.filter(pl.col("kind") == "row").select(
            [pl.col(f"r__{c}").cast(t).alias(c) for c, t in ROWS_SCHEMA.items()])
        persons = both.filter(pl.col("kind") == "person").select(
            [pl.col(f"p__{c}").cast(t).alias(c) for c, t in PERSONS_SCHEMA.items()])
        matched = screening.match(screening.identities(rows), persons, today=today)
        sigs = screening.matched_signals(screening.signals(rows, rules), matched)
        out = pl.concat([
            sigs.select([pl.col(c).alias(f"s__{c}") for c in sigs.columns]).with_columns(part=pl.lit("signal")),
            matched.select([pl.col(c).alias(f"m__{c}") for c in matched.columns]).with_columns(part=pl.lit("match")),
        ], how="diagonal_relaxed")
        out = out.select([pl.col(c).cast(t) if c in out.columns else pl.lit(None, t).alias(c)
                          for c, t in schema.items()])
        if out.height:
            yield from _spark_arrow(out).to_batches()

    return run


def _warn_partition(rules: tuple[Rule, ...]):
    def run(batches):
        import polars as pl

        from . import screening

        frames = [pl.from_arrow(b) for b in batches]
        frames = [f for f in frames if f.height]
        if not frames:
            return
        sigs = pl.concat(frames, how="vertical_relaxed")
        out = screening.warnings(sigs, rules)
        if out.height:
            yield from _spark_arrow(out).to_batches()

    return run


def screen(spark, rows, persons, *, today: dt.date, rules: tuple[Rule, ...] = RULES.rules, partitions: int = 8):
    """Spark DataFrames of department rows (ROWS_SCHEMA) and registry persons (PERSONS_SCHEMA) in; (warnings,
    identities) Spark DataFrames out — the rows the local screening gives, order aside."""
    from pyspark.sql import functions as F

    tagged = (rows.select(F.col("id_number").alias("pkey"), F.lit("row").alias("kind"),
                          *[F.col(c).alias(f"r__{c}") for c in ROWS_SCHEMA])
              .unionByName(persons.select(F.col("id_number").alias("pkey"), F.lit("person").alias("kind"),
                                          *[F.col(c).alias(f"p__{c}") for c in PERSONS_SCHEMA]),
                           allowMissingColumns=True))
    stage1 = tagged.repartition(partitions, "pkey").mapInArrow(_match_partition(rules, today),
                                                              _ddl(_stage1_schema())).cache()
    identities = stage1.filter(F.col("part") == "match").select(
        *[F.col(f"m__{c}").alias(c) for c in MATCHED_SCHEMA])
    signals = stage1.filter(F.col("part") == "signal").select(
        *[F.col(f"s__{c}").alias(c) for c in (*SIGNALS_SCHEMA, "person_id", "household_id", "village_code")])
    warnings = signals.repartition(partitions, "household_id").mapInArrow(_warn_partition(rules),
                                                                          _ddl(WARNINGS_SCHEMA))
    return warnings, identities
