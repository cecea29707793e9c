"""Spark in local mode gives the same warnings and the same match statuses as the local screening."""
import datetime as dt

import polars as pl
import pytest

from fangpin.monitoring import screening, synthetic

from .test_screening import person_table

pytest.importorskip("pyspark", reason="pyspark is a dev dependency (make test installs it)")
from fangpin.policies.tests.test_spark import session  # noqa: E402,F401 (the local Spark session fixture)

TODAY = dt.date(2026, 11, 23)


def to_spark(spark, frame: pl.DataFrame):
    return spark.createDataFrame(frame.to_arrow())


def test_spark_screening_equals_local(session):  # noqa: F811
    from fangpin.monitoring import spark_screening

    persons = person_table(900)
    feed = synthetic.generate(persons, year=2025, seed=4, plant_every=3, noise=60)
    local = screening.screen(feed.rows, persons, today=TODAY)
    warnings, identities = spark_screening.screen(session, to_spark(session, feed.rows), to_spark(session, persons),
                                                  today=TODAY, partitions=4)
    got = pl.from_arrow(warnings.toArrow()).cast(screening.WARNINGS_SCHEMA)
    order = ["household_id", "rule", "period", "subject"]
    assert got.height == local.warnings.height > len(screening.RULES.rules)
    assert got.sort(order).equals(local.warnings.sort(order))
    ids = pl.from_arrow(identities.toArrow()).cast(screening.MATCHED_SCHEMA)
    key = ["feed", "id_number", "name"]
    assert ids.sort(key).equals(local.identities.sort(key))
