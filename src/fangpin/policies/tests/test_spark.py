"""Spark in local mode gives the same result rows as the local engine, for every benefit of both documents."""
import datetime as dt
import os
import sys

import polars as pl
import pytest

from fangpin.lib import creditcode
from fangpin.policies import catalog, engine, spark as on_spark, tables

from .helpers import household, member, spell

pyspark = pytest.importorskip("pyspark", reason="pyspark is a dev dependency (make test installs it)")


@pytest.fixture(scope="module")
def session():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master("local[2]").appName("fangpin-test").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "1g").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def population(village: str, region: str, year: int, n: int = 60) -> dict:
    code = creditcode.make(region, "MA0000100")
    doc = {"households": [], "members": [], "employments": [], "trainings": [],
           "enterprises": [{"credit_code": code, "kind": "community_factory", "division_code": village,
                            "base_level": "city", "base_certified_on": f"{year}-02-01", "total_employees": 40,
                            "labor_intensive": True}]}
    kinds = [("lifted", None), ("monitored", "unstable"), ("monitored", "marginal"), ("ordinary", None)]
    places = ["cross_province", "in_province_out_of_county", "in_county"]
    for i in range(n):
        category, monitor_type = kinds[i % 4]
        number = f"S{i}"
        doc["households"].append(household(number, category, monitor_type, village=village,
                                           contracted_land_mu=f"{i % 7}.{i % 10}0", grain_area_mu=f"{i % 5}.05"))
        for j in range(1 + i % 3):
            m = member(number, "head" if j == 0 else "child", tekun=(i + j) % 9 == 0)
            doc["members"].append(m)
            if (i + j) % 2 == 0:
                doc["employments"].append(spell(m, places[(i + j) % 3], months=3 + (i + j) % 10,
                                                wage_yuan=800 + 100 * (i % 9), year=year, contract_months=12,
                                                first_stable=j == 0,
                                                employer_credit_code=code if places[(i + j) % 3] == "in_county" else None))
            if (i + j) % 5 == 0:
                doc["trainings"].append({"id_number": m["id_number"], "year": year, "kind": "skills",
                                         "start_date": f"{year}-04-01", "days": 3 + i % 20})
    doc["employments"].append(spell(member("NOBODY"), year=year))  # a person not in the file: reported, not paid
    return doc


def spark_frames(session, doc: dict) -> dict:
    frames = tables.frames_from(tables.from_document(doc))
    return {k: session.createDataFrame(v.to_arrow()) for k, v in frames.items()}


def sort(frame: pl.DataFrame) -> list[dict]:
    cols = ["benefit_id", "household_number", "id_number", "credit_code"]
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String)).sort(cols, nulls_last=True).to_dicts()


@pytest.mark.parametrize("document,village,region,as_of", [
    ("sn2022-67", "140603203200", "140603", dt.date(2025, 6, 30)),
    ("lx2022-10", "610327100001", "610327", dt.date(2022, 9, 30)),
])
def test_spark_gives_the_local_results(session, document, village, region, as_of):
    doc = population(village, region, as_of.year)
    cat = catalog.load_catalog()[document]
    built, _ = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    local = engine.evaluate(cat, built, as_of=as_of).results
    remote = pl.from_arrow(on_spark.evaluate(session, cat, spark_frames(session, doc), as_of=as_of).toArrow())
    assert local.height > 20 and set(local["benefit_id"].cast(pl.String)) >= {"transport_subsidy"}
    assert sort(remote.select(local.columns)) == sort(local)
