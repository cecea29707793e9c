"""Spark in local mode gives the same result rows as the local engine, for every benefit of both documents."""
import datetime as dt
import os
import sys
from decimal import Decimal

import polars as pl
import pytest

from fangpin.lib import creditcode
from fangpin.policies import catalog, engine, simulate, spark as on_spark, tables

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
    """Every kind of fact a rule reads, spread over households so that the Spark partitions must bring them together:
    classes of one institution span households, agencies place workers of many households."""
    code = creditcode.make(region, "MA0000100")
    agency, school = creditcode.make(region, "MA0000200"), creditcode.make(region, "MA0000300")
    older = creditcode.make(region, "MA0000400")  # a base certified the year before: only new workers count
    doc = {"households": [], "members": [], "employments": [], "trainings": [], "incomes": [], "startups": [],
           "enterprises": [{"credit_code": code, "kind": "community_factory", "division_code": village,
                            "base_level": "city", "base_certified_on": f"{year}-02-01", "total_employees": 20,
                            "labor_intensive": True, "declared_year": year, "drives_target": True, "breeding_pigs": 12,
                            "new_greenhouse_mu": "1.25", "renovated_greenhouse_mu": "0.50", "cool_vegetable_mu": "3.00",
                            "utilities_cost": 500000, "premises_kind": "self_rented", "premises_area_m2": "300",
                            "premises_rent": 2000000},
                           {"credit_code": older, "kind": "community_factory", "division_code": village,
                            "base_level": "province", "base_certified_on": f"{year - 1}-05-01", "total_employees": 20,
                            "labor_intensive": True, "declared_year": year, "premises_kind": "village_standard",
                            "premises_rent": 100000}]}
    kinds = [("lifted", None), ("monitored", "unstable"), ("monitored", "marginal"), ("ordinary", None)]
    places = ["cross_province", "in_province_out_of_county", "in_county"]
    for i in range(n):
        category, monitor_type = kinds[i % 4]
        number = f"S{i}"
        doc["households"].append(household(number, category, monitor_type, village=village,
                                           contracted_land_mu=f"{i % 7}.{i % 10}0", grain_area_mu=f"{i % 5}.05",
                                           courtyard_economy=i % 3 == 0, dibao=i % 7 == 0, industry_project=i % 3 == 1,
                                           # half the monitored households had their risk eliminated early in the year
                                           risk_eliminated_on=f"{year}-01-15" if category == "monitored" and i % 8 < 4
                                           else None))
        if i % 6:
            doc["incomes"].append({"household_number": number, "year": year, "wage": 300000 * (i % 5),
                                   "business_income": 100000 * (i % 4), "business_cost": 50000, "transfer_income": 20000})
        for j in range(1 + i % 3):
            m = member(number, "head" if j == 0 else "child", tekun=(i + j) % 9 == 0,
                       disability_grade=1 + i % 4 if (i + j) % 4 == 1 else None,
                       school_stage="college" if j == 2 and i % 5 == 2 else None)
            doc["members"].append(m)
            if (i + j) % 2 == 0:
                doc["employments"].append(spell(m, places[(i + j) % 3], months=4 + (i + j) % 10,
                                                wage_yuan=800 + 100 * (i % 9), year=year, contract_months=12,
                                                first_stable=j == 0, agency_credit_code=agency if i % 3 else None,
                                                employer_credit_code=code if places[(i + j) % 3] != "cross_province" else older))
            if (i + j) % 7 == 3:
                doc["employments"].append(spell(m, "in_county", months=1 + i % 12, year=year, kind="public_welfare_post",
                                                post_kind=["employment_assistance", "village"][i % 2],
                                                post_created_year=2022))
            if (i + j) % 5 == 0:
                kind = ["skills", "order", "outbound", "general", "disabled_practical"][(i // 5) % 5]
                doc["trainings"].append({"id_number": m["id_number"], "year": year, "kind": kind,
                                         "start_date": f"{year}-04-01", "days": 3 + i % 20,
                                         "employed_after": i != 5, "institution_credit_code": school})
            if (i + j) % 4 in (1, 2):
                doc["startups"].append({"id_number": m["id_number"], "kind": "individual", "returnee": i % 2 == 0,
                                        "started_on": f"{year - i % 2}-{1 + i % 12:02d}-01", "operating_months": i % 14,
                                        "yearly_rent": 100000 * (i % 5), "stable_income": i % 3 != 2})
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
    if "monitoring_line" in cat.parameters:  # this year's line and an absorption amount, so that every rule runs
        cat = simulate.with_values(cat, {"monitoring_line": Decimal(7000), "absorption_per_worker": Decimal(1000),
                                         "absorption_min_employees": Decimal(20), "grain_central_per_mu": Decimal("15.6"),
                                         "grain_province_per_mu": Decimal("5.9")}, as_of)
    built, _ = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    local = engine.evaluate(cat, built, as_of=as_of).results
    remote = pl.from_arrow(on_spark.evaluate(session, cat, spark_frames(session, doc), as_of=as_of).toArrow())
    assert set(local["benefit_id"].cast(pl.String)) == {b.id for b in cat.benefits}  # every rule has rows here
    assert sort(remote.select(local.columns)) == sort(local)


def test_the_spark_job_reads_sheets_from_storage_and_writes_the_results(session, world, tmp_path):
    """spark_job.py: a county's export to Parquet folders (as a province keeps them on shared storage), then evaluate
    on Spark: the rows `fangpin evaluate --input` gives on the same file (rows the importer's rules refuse, such as a
    person in no household, are left out by both)."""
    import argparse
    import json

    from fangpin.exchange.spec import FORMAT_NAME, FORMAT_VERSION

    from fangpin import spark_job

    as_of = dt.date(2022, 9, 30)
    doc = population("610327100001", "610327", as_of.year, n=24)
    exported = tmp_path / "longxian.json"
    exported.write_text(json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION, **doc}), encoding="utf-8")
    assert spark_job.main(["to-parquet", str(exported), "--output", str(tmp_path / "in")]) == 0
    assert (tmp_path / "in" / "members" / "longxian.parquet").exists()
    args = argparse.Namespace(policy="lx2022-10", as_of=as_of, input=str(tmp_path / "in"),
                              output=str(tmp_path / "out"), partitions=3)
    assert spark_job.evaluate(session, args) == 0
    written = pl.read_parquet(tmp_path / "out" / "*.parquet")
    cat = catalog.load_catalog()["lx2022-10"]
    built, _ = tables.build(tables.read(exported), year=as_of.year, as_of=as_of)  # as `fangpin evaluate --input`
    local = engine.evaluate(cat, built, as_of=as_of).results
    assert written.height == local.height > 0
    assert written["amount"].sum() == local["amount"].sum()
