"""The engine and the screening on Apache Spark (local mode) beside the same work on Polars, at N persons.

    python benchmarks/spark_local.py [--persons 10000000] [--claims 10000000] [--cores 2] [--partitions 16]

Inputs are generated once per size by the other benchmarks' generators (not timed) and written as Parquet:
- engine: benchmarks/engine_seed001.py's population (every benefit of 双发〔2022〕67号 as of 2025-06-30);
- screening: benchmarks/screening.py's registry persons and eight department feeds.
Each measurement runs in its own process (its own peak RSS; Spark's JVM is its own process and is reported by the
driver's view only). Polars: read Parquet, compute, write Parquet. Spark: `spark.read.parquet`, the same computation
through `fangpin.policies.spark.evaluate` / `fangpin.monitoring.spark_screening.screen` (the very Polars code, run
inside each partition by mapInArrow), write Parquet. The totals are compared: the script stops if they differ.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine_seed001  # noqa: E402
import screening as screening_bench  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spark_session(cores: int, partitions: int):
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master(f"local[{cores}]").appName("fangpin-bench").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", str(partitions)).config("spark.driver.memory", "8g")
         .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    return s


def engine_spark(d: Path, cores: int, partitions: int) -> dict:
    engine_seed001.django_setup()
    from decimal import Decimal

    from fangpin.policies import catalog, simulate, spark as on_spark, tables

    doc = simulate.with_values(catalog.load_catalog()["sn2022-67"], {
        "monitoring_line": Decimal(7500), "grain_central_per_mu": Decimal("15.6"), "grain_province_per_mu": Decimal("5.9")},
        engine_seed001.AS_OF)
    spark = spark_session(cores, partitions)
    t = time.perf_counter()
    sheets = {name: spark.read.parquet(str(d / f"{name}.parquet")) for name in tables.INPUT_SCHEMAS
              if (d / f"{name}.parquet").exists()}
    result = on_spark.evaluate(spark, doc, sheets, as_of=engine_seed001.AS_OF, partitions=partitions)
    result.write.mode("overwrite").parquet(str(d / "spark-results"))
    seconds = time.perf_counter() - t
    from pyspark.sql import functions as F

    rows, amount = spark.read.parquet(str(d / "spark-results")).agg(F.count("*"), F.sum("amount")).first()
    spark.stop()
    return {"seconds": seconds, "rows": rows, "amount": int(amount or 0), "peak_mib": peak_mib()}


def screening_spark(d: Path, cores: int, partitions: int) -> dict:
    screening_bench.django_setup()
    from fangpin.monitoring import spark_screening

    spark = spark_session(cores, partitions)
    t = time.perf_counter()
    rows = spark.read.parquet(str(d / "rows.parquet"))
    persons = spark.read.parquet(str(d / "persons.parquet"))
    warnings, _ = spark_screening.screen(spark, rows, persons, today=screening_bench.TODAY, partitions=partitions)
    warnings.write.mode("overwrite").parquet(str(d / "spark-warnings"))
    seconds = time.perf_counter() - t
    n = spark.read.parquet(str(d / "spark-warnings")).count()
    spark.stop()
    return {"seconds": seconds, "warnings": n, "peak_mib": peak_mib()}


STEPS = {
    "engine_generate": lambda a: engine_seed001.generate(a.persons, a.dir),
    "engine_polars": lambda a: engine_seed001.run(a.dir),
    "engine_spark": lambda a: engine_spark(a.dir, a.cores, a.partitions),
    "screening_generate": lambda a: screening_bench.generate(a.persons, a.claims, a.dir),
    "screening_polars": lambda a: screening_bench.measure_ours(a.dir, False),
    "screening_spark": lambda a: screening_spark(a.dir, a.cores, a.partitions),
}


def child(step: str, a, d: Path) -> dict:
    args = [sys.executable, __file__, "--step", step, "--dir", str(d), "--persons", str(a.persons), "--claims",
            str(a.claims), "--cores", str(a.cores), "--partitions", str(a.partitions)]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=10_000_000)
    ap.add_argument("--claims", type=int, default=10_000_000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--only", choices=["engine", "screening"])
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step:
        print(json.dumps(STEPS[a.step](a), default=str))
        return
    print(f"{a.persons:,} 人；Spark local[{a.cores}]，{a.partitions} 个分区")
    print(f"{'计算':<10}{'实现':<10}{'秒':>9}{'人/秒':>13}{'峰值MiB（驱动进程）':>22}  结果")
    for kind in ("engine", "screening"):
        if a.only and a.only != kind:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            child(f"{kind}_generate", a, d)
            polars = child(f"{kind}_polars", a, d)
            spark = child(f"{kind}_spark", a, d)
            if kind == "engine":
                polars_seconds, same = polars["total"], (polars["rows"], polars["amount"]) == (spark["rows"], spark["amount"])
                outcome = lambda r: f"{r['rows']:,} 行，{r['amount'] / 100:,.2f} 元"  # noqa: E731
            else:
                polars_seconds, same = polars["seconds"], polars["warnings"] == spark["warnings"]
                outcome = lambda r: f"{r['warnings']:,} 条预警"  # noqa: E731
            for name, r, s in (("Polars", polars, polars_seconds), ("Spark", spark, spark["seconds"])):
                print(f"{'政策计算' if kind == 'engine' else '部门比对':<10}{name:<10}{s:>9.1f}{a.persons / s:>13,.0f}"
                      f"{r['peak_mib']:>22,.0f}  {outcome(r)}")
            if not same:
                sys.exit(f"{kind}: Spark and Polars disagree: {polars} / {spark}")


if __name__ == "__main__":
    main()
