"""The same rules on Apache Spark, for national scale: Spark moves the rows, the engine computes.

Nothing is translated: each Spark partition runs the very build_frames() and evaluate() that run locally, on Arrow
batches (mapInArrow). What Spark must guarantee is that everything one evaluation needs arrives in one partition:
- stage 1, partitioned by household: the household, its members and their work spells and trainings (this year's and
  last year's), for the household, person, employment and training benefits;
- stage 1 also carries the year's incomes and the start-ups, for the household and start-up benefits;
- stage 2, partitioned by employer: the enterprise, the spells naming it and its workers' members and households
  (copies are dropped inside a partition), for the enterprise benefits;
- stage 3, partitioned by training institution: its courses of the year and its trainees' members and households, for
  benefits that read a class's counts (training.batch_*, e.g. the 80% employment rate of order training).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from .catalog import Document

RESULT_DDL = (
    "document_id string, document_number string, clause long, benefit_id string, benefit_name string, entity string, "
    "village_code string, household_number string, id_number string, credit_code string, year long, amount long, "
    "bound string, funding string, explanation string"
)
KEYS = {"households": "household_number", "members": "id_number", "employments": None, "trainings": None,
        "enterprises": "credit_code", "incomes": None, "startups": None}


def _partition_evaluator(doc: Document, as_of: dt.date):
    """A function for mapInArrow: the partition's tagged rows -> the engine's result rows, as Arrow batches."""

    def run(batches):
        import polars as pl

        from fangpin.policies import engine, tables

        frames = [pl.from_arrow(b) for b in batches]
        frames = [f for f in frames if f.height]
        if not frames:
            return
        rows = pl.concat(frames, how="vertical_relaxed")
        inputs = {}
        for sheet, schema in tables.INPUT_SCHEMAS.items():
            present = [c for c in schema if f"{sheet}__{c}" in rows.columns]
            if not present:
                continue  # this stage does not carry the sheet
            schema = {c: schema[c] for c in present}
            part = rows.filter(pl.col("sheet") == sheet).select(
                [pl.col(f"{sheet}__{c}").cast(t).alias(c) for c, t in schema.items()])
            key = KEYS[sheet]
            inputs[sheet] = part.unique(subset=[key], keep="first", maintain_order=True) if key else part.unique(
                maintain_order=True)
        built, _ = tables.build_frames(inputs, year=as_of.year, as_of=as_of)
        result = engine.evaluate(doc, built, as_of=as_of).results
        if result.height:
            out = result.with_columns(pl.col(pl.Categorical).cast(pl.String))
            yield from out.to_arrow().to_batches()

    return run


def _tagged(frame, sheet: str, key_col):
    """A sheet's rows with their partition key and their columns renamed sheet__column."""
    from pyspark.sql import functions as F

    return frame.select(key_col.alias("pkey"), F.lit(sheet).alias("sheet"),
                        *[F.col(c).alias(f"{sheet}__{c}") for c in frame.columns])


def _needs_batches(b) -> bool:
    """A benefit that reads per-institution counts (training.batch_*): all of an institution's trainees together."""
    from .engine import needed_columns

    return any(c.startswith("training.batch_") for c in needed_columns(b))


def evaluate(spark, doc: Document, sheets: dict, *, as_of: dt.date, partitions: int = 8):
    """Spark DataFrames of the exchange sheets (households, members, employments, trainings, enterprises, incomes,
    startups) in, a Spark DataFrame of result rows out, the same rows the local engine gives (order aside)."""
    from pyspark.sql import functions as F

    if not doc.in_force(as_of):
        return spark.createDataFrame([], RESULT_DDL)
    households, members = sheets["households"], sheets["members"]
    employments, trainings = sheets["employments"], sheets["trainings"]
    enterprises, incomes, startups = sheets.get("enterprises"), sheets.get("incomes"), sheets.get("startups")
    years = [as_of.year, as_of.year - 1]
    employments = employments.filter(F.col("year").isin(years))
    trainings = trainings.filter(F.col("year") == as_of.year)
    who = members.select("id_number", F.col("household_number").alias("hk"))
    frames = []

    def stage(benefits, long):
        part = dataclasses.replace(doc, benefits=tuple(benefits))
        frames.append(long.repartition(partitions, "pkey").mapInArrow(_partition_evaluator(part, as_of), RESULT_DDL))

    def by_household(frame, sheet):
        return _tagged(frame.join(who, "id_number", "left"), sheet, F.col("hk")).drop(f"{sheet}__hk")

    per_household = [b for b in doc.benefits if b.basis != "enterprise" and not _needs_batches(b)]
    if per_household:
        long = (
            _tagged(households, "households", F.col("household_number"))
            .unionByName(_tagged(members, "members", F.col("household_number")), allowMissingColumns=True)
            .unionByName(by_household(employments, "employments"), allowMissingColumns=True)
            .unionByName(by_household(trainings, "trainings"), allowMissingColumns=True)
        )
        if incomes is not None:
            long = long.unionByName(_tagged(incomes.filter(F.col("year") == as_of.year), "incomes",
                                            F.col("household_number")), allowMissingColumns=True)
        if startups is not None:
            long = long.unionByName(by_household(startups, "startups"), allowMissingColumns=True)
        stage(per_household, long)
    per_employer = [b for b in doc.benefits if b.basis == "enterprise"]
    if per_employer and enterprises is not None:
        spells = employments.filter(F.col("employer_credit_code").isNotNull())
        stage(per_employer, _by_payer(enterprises, spells, "employments", "employer_credit_code", members, households))
    per_institution = [b for b in doc.benefits if _needs_batches(b)]
    if per_institution:
        courses = trainings.filter(F.col("institution_credit_code").isNotNull())
        stage(per_institution, _by_payer(None, courses, "trainings", "institution_credit_code", members, households))
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _by_payer(enterprises, rows, sheet: str, code: str, members, households):
    """Stage rows partitioned by an enterprise's credit code: the enterprise (if any), the spells or courses naming
    it, and the members and households of the persons in them."""
    from pyspark.sql import functions as F

    people = rows.select(F.col(code).alias("payer"), "id_number").distinct()
    their_members = people.join(members, "id_number").withColumnRenamed("payer", "employer_credit_code")
    their_households = their_members.select("employer_credit_code", "household_number").distinct().join(
        households, "household_number")
    long = _tagged(rows, sheet, F.col(code))
    if enterprises is not None:
        long = _tagged(enterprises, "enterprises", F.col("credit_code")).unionByName(long, allowMissingColumns=True)
    return (long.unionByName(_member_rows(their_members), allowMissingColumns=True)
            .unionByName(_household_rows(their_households), allowMissingColumns=True))
def _member_rows(their_members):
    from pyspark.sql import functions as F

    cols = [c for c in their_members.columns if c != "employer_credit_code"]
    return their_members.select(F.col("employer_credit_code").alias("pkey"), F.lit("members").alias("sheet"),
                                *[F.col(c).alias(f"members__{c}") for c in cols])


def _household_rows(their_households):
    from pyspark.sql import functions as F

    cols = [c for c in their_households.columns if c != "employer_credit_code"]
    return their_households.select(F.col("employer_credit_code").alias("pkey"), F.lit("households").alias("sheet"),
                                   *[F.col(c).alias(f"households__{c}") for c in cols])
