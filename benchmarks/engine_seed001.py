"""Entitlement engine benchmark (a): every clause of seed 001 in the catalog, end to end.

From input files (Parquet, one per exchange sheet) to result rows with their Chinese explanations written (Parquet),
over synthetic populations. Each size runs in its own process: its peak RSS is its own. Generation is not timed.
    python benchmarks/engine_seed001.py [--persons 100000,1000000,10000000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine  # benchmarks/machine.py: the reference figure of the machine

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 6, 30)
VILLAGES = ["140603203200", "140603203203", "140603203204", "140603203206", "140603203207", "140603203208",
            "140603203210", "140603203212", "140603203216", "140603203218", "140603203219", "140603203220",
            "140603203221", "140603203222", "140603203225"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    os.environ.setdefault("FANGPIN_VAR_DIR", tempfile.gettempdir())
    import django

    django.setup()


def generate(n: int, out: Path, seed: int = 1) -> dict:
    """Synthetic households, members, work spells, trainings and workshops for 双碾乡, written as Parquet."""
    django_setup()
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, size=n // 2 + 10)
    owner = np.repeat(np.arange(sizes.size), sizes)[:n]
    n_households = int(owner[-1]) + 1
    cat = rng.choice(3, size=n_households, p=[0.6, 0.08, 0.32])
    mon = rng.choice(3, size=n_households)
    households = pl.DataFrame({
        "household_number": pl.int_range(0, n_households, eager=True).cast(pl.String),
        "village_code": np.array(VILLAGES)[rng.integers(0, len(VILLAGES), n_households)],
        "category": np.array(["lifted", "monitored", "ordinary"])[cat],
        "monitor_type": np.array(["unstable", "marginal", "sudden_hardship"])[mon],
        "dibao": rng.random(n_households) < 0.1,
        "contracted_land_mu": (rng.integers(0, 3000, n_households) / 100).astype(str),
        "grain_area_mu": (rng.integers(0, 2000, n_households) / 100).astype(str),
        "courtyard_economy": rng.random(n_households) < 0.15,
        "industry_project": rng.random(n_households) < 0.1,
    }).with_columns(
        pl.when(pl.col("category") == "monitored").then(pl.col("monitor_type")).otherwise(None).alias("monitor_type"))
    idx = pl.int_range(0, n, eager=True)
    base = pl.lit(dt.date(1960, 1, 1))
    first17 = pl.concat_str([
        pl.lit("140603"),
        (base + pl.duration(days=pl.col("i") // 998)).dt.strftime("%Y%m%d"),
        (pl.col("i") % 998 + 1).cast(pl.String).str.zfill(3),
    ])
    check = pl.sum_horizontal([first17.str.slice(k, 1).cast(pl.Int64) * w for k, w in enumerate(WEIGHTS)]) % 11
    members = pl.DataFrame({"i": idx}).with_columns(first17.alias("f17")).with_columns(
        pl.concat_str([pl.col("f17"), check.replace_strict(list(range(11)), list("10X98765432"))]).alias("id_number")
    ).select(
        pl.Series("household_number", owner).cast(pl.String), "id_number",
        pl.Series("relation", np.where(np.r_[True, owner[1:] != owner[:-1]], "head", "child")),
        pl.Series("labor_capacity", np.array(["laborer", "half", "weak", "none"])[rng.choice(4, n, p=[.6, .15, .1, .15])]),
        pl.Series("disability_grade", rng.integers(1, 5, n)).set(pl.Series(rng.random(n) >= 0.05), None),
        pl.Series("tekun", rng.random(n) < 0.03),
        pl.Series("school_stage", np.where(rng.random(n) < 0.02, "college", "none")),
        pl.Series("training_willing", rng.random(n) < 0.3),
        pl.Series("serious_illness", rng.random(n) < 0.02),
    )
    from fangpin.lib import creditcode

    n_enterprises = max(1, n // 2000)
    codes = [creditcode.make("140603", f"MA{i:07d}") for i in range(n_enterprises)]
    n_agencies = max(1, n // 20000)  # agencies and training institutions
    agencies = np.array([creditcode.make("140603", f"MB{i:07d}") for i in range(n_agencies)])
    enterprises = pl.DataFrame({
        "credit_code": codes, "kind": ["workshop"] * n_enterprises,
        "division_code": np.array(VILLAGES)[rng.integers(0, len(VILLAGES), n_enterprises)],
        "base_level": np.array(["none", "county", "city"])[rng.integers(0, 3, n_enterprises)],
        "base_certified_on": ["2025-03-01"] * n_enterprises, "total_employees": rng.integers(20, 400, n_enterprises),
        "labor_intensive": rng.random(n_enterprises) < 0.5,
    })
    workers = np.flatnonzero(rng.random(n) < 0.5)
    workers = np.concatenate([workers, workers[rng.random(workers.size) < 0.1]])
    m = workers.size
    places = rng.integers(0, 3, m)
    posts = rng.random(m) < 0.05
    employments = pl.DataFrame({
        "id_number": members["id_number"].gather(workers), "year": np.full(m, 2025),
        "kind": np.where(posts, "public_welfare_post", "wage_job"),
        "post_kind": np.where(posts, np.array(["employment_assistance", "village"])[rng.integers(0, 2, m)], ""),
        "post_created_year": np.where(posts, rng.integers(2021, 2024, m), 0),
        "start_date": (np.datetime64("2025-01-01") + rng.integers(0, 180, m)).astype(str),
        "place": np.array(["cross_province", "in_province_out_of_county", "in_county"])[places],
        "employer_credit_code": np.where(places == 2, np.array(codes)[rng.integers(0, n_enterprises, m)], ""),
        "months": rng.integers(1, 13, m), "monthly_wage": rng.integers(50, 600, m) * 1000,
        "contract_months": rng.choice([0, 6, 12], m), "first_stable": rng.random(m) < 0.2, "returnee": rng.random(m) < 0.1,
        "agency_credit_code": np.where(rng.random(m) < 0.2, agencies[rng.integers(0, n_agencies, m)], ""),
    })
    trainees = np.flatnonzero(rng.random(n) < 0.08)
    t = trainees.size
    trainings = pl.DataFrame({
        "id_number": members["id_number"].gather(trainees), "year": np.full(t, 2025),
        "kind": np.array(["skills", "order", "outbound", "general", "disabled_practical"])[rng.integers(0, 5, t)],
        "days": rng.integers(1, 40, t), "employed_after": rng.random(t) < 0.85,
        "start_date": (np.datetime64("2025-02-01") + rng.integers(0, 150, t)).astype(str),
        "institution_credit_code": agencies[rng.integers(0, n_agencies, t)],
    })
    founders = np.flatnonzero(rng.random(n) < 0.03)
    f = founders.size
    startups = pl.DataFrame({
        "id_number": members["id_number"].gather(founders),
        "kind": np.array(["individual", "micro_enterprise"])[rng.integers(0, 2, f)],
        "started_on": (np.datetime64("2023-01-01") + rng.integers(0, 1000, f)).astype(str),
        "operating_months": rng.integers(0, 36, f), "yearly_rent": rng.integers(0, 800, f) * 1000,
        "returnee": rng.random(f) < 0.4, "stable_income": rng.random(f) < 0.6,
    })
    incomes = pl.DataFrame({
        "household_number": households["household_number"], "year": np.full(n_households, 2025),
        "wage": rng.integers(0, 60000, n_households) * 100, "business_income": rng.integers(0, 20000, n_households) * 100,
        "business_cost": rng.integers(0, 8000, n_households) * 100, "property_income": np.zeros(n_households, np.int64),
        "transfer_income": rng.integers(0, 5000, n_households) * 100,
    }).sample(fraction=0.95, seed=seed)  # some households have no income record yet: reported, not paid
    out.mkdir(parents=True, exist_ok=True)
    employments = employments.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in ("employer_credit_code", "agency_credit_code", "post_kind")).with_columns(
        pl.when(pl.col("post_created_year") == 0).then(None).otherwise(pl.col("post_created_year"))
        .alias("post_created_year"))
    for name, frame in (("households", households), ("members", members), ("employments", employments),
                        ("trainings", trainings), ("enterprises", enterprises), ("startups", startups),
                        ("incomes", incomes)):
        frame.write_parquet(out / f"{name}.parquet")
    return {"persons": n, "households": n_households, "employments": m, "trainings": t, "enterprises": n_enterprises,
            "startups": f}


def run(workdir: Path) -> dict:
    django_setup()
    import polars as pl

    from decimal import Decimal

    from fangpin.policies import catalog, engine, simulate, tables

    # the catalog carries no monitoring line and no 2025 grain standard (the county sets them each year); the benchmark
    # sets them so that clauses 30 and 7 run
    doc = simulate.with_values(catalog.load_catalog()["sn2022-67"], {
        "monitoring_line": Decimal(7500), "grain_central_per_mu": Decimal("15.6"), "grain_province_per_mu": Decimal("5.9")},
        AS_OF)
    t0 = time.perf_counter()
    # scanned, not read: the builder reads what it needs as it keys the rows
    frames = {name: pl.scan_parquet(workdir / f"{name}.parquet") for name in tables.INPUT_SCHEMAS
              if (workdir / f"{name}.parquet").exists()}
    t1 = time.perf_counter()
    built, problems = tables.build_frames(frames, year=AS_OF.year, as_of=AS_OF)
    t2 = time.perf_counter()
    ev = engine.evaluate(doc, built, as_of=AS_OF)
    t3 = time.perf_counter()
    ev.results.write_parquet(workdir / "results.parquet")
    t4 = time.perf_counter()
    return {"read": t1 - t0, "build": t2 - t1, "evaluate": t3 - t2, "write": t4 - t3, "total": t4 - t0,
            "rows": ev.results.height, "amount": int(ev.results["amount"].sum()), "problems": len(problems),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(step: str, workdir: Path, persons: int) -> dict:
    args = [sys.executable, __file__, "--step", step, "--workdir", str(workdir), "--persons", str(persons)]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", default="100000,1000000,10000000")
    ap.add_argument("--step")
    ap.add_argument("--workdir", type=Path)
    a = ap.parse_args()
    if a.step == "generate":
        print(json.dumps(generate(int(a.persons), a.workdir)))
        return
    if a.step == "run":
        print(json.dumps(run(a.workdir)))
        return
    print(machine.line())
    print("（读入为扫描文件；实际读取计入建表）")
    print(f"{'人数':>12}{'户数':>11}{'读入':>7}{'建表':>7}{'计算':>7}{'写出':>7}{'合计秒':>8}{'人/秒':>12}{'结果行':>11}{'峰值MiB':>9}")
    for n in (int(x) for x in a.persons.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            made = child("generate", Path(tmp), n)
            r = child("run", Path(tmp), n)
        print(f"{n:>12,}{made['households']:>11,}{r['read']:>7.2f}{r['build']:>7.2f}{r['evaluate']:>7.2f}{r['write']:>7.2f}"
              f"{r['total']:>8.2f}{n / r['total']:>12,.0f}{r['rows']:>11,}{r['peak_mib']:>9,.0f}")


if __name__ == "__main__":
    main()
