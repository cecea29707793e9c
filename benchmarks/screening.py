"""Screening benchmark: registry persons against eight department feeds, the medical feed with ~10 claims a person.

Generation (synthetic.generate with planted risks, written as Parquet) is not timed. Each measured step runs in its
own process, so that its peak RSS is its own:
- ours: read the feeds and the registry from Parquet, match, apply all the rules, write the warnings (Parquet); the
  warnings are checked against the planted risks;
- peer (pandas 2, the usual tool of a county's data office): the medical feed alone — match by ID merge, name check,
  yearly household sums, threshold — and ours on the medical feed alone, for a like-for-like line.
    python benchmarks/screening.py [--persons 1000000] [--claims 10000000] [--no-peer]
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

TODAY = dt.date(2026, 11, 23)
EIGHT = ("education", "civil_affairs", "human_resources", "housing", "water", "health", "medical_insurance",
         "emergency")


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    os.environ.setdefault("FANGPIN_VAR_DIR", tempfile.gettempdir())
    import django

    django.setup()


def generate(n: int, claims: int, out: Path) -> dict:
    django_setup()
    import polars as pl

    from fangpin.lib.idnumber import CHECK_CHARS, WEIGHTS
    from fangpin.monitoring import synthetic

    i = pl.int_range(0, n, dtype=pl.Int64, eager=True).alias("i")
    birth = (pl.lit(dt.date(1940, 1, 1)) + pl.duration(days=pl.col("i") % 25000)).dt.strftime("%Y%m%d")
    seq = ((pl.col("i") // 25000) % 1000).cast(pl.String).str.zfill(3)
    first17 = pl.concat_str([pl.lit("140603"), birth, seq])
    persons = pl.DataFrame(i).with_columns(first17.alias("f")).with_columns(
        id_number=pl.col("f") + pl.sum_horizontal([pl.col("f").str.slice(k, 1).cast(pl.Int64) * w
                                                   for k, w in enumerate(WEIGHTS)]).mod(11).replace_strict(
            dict(enumerate(CHECK_CHARS)), return_dtype=pl.String),
        name=pl.format("成员{}", pl.col("i")), person_id=pl.col("i") + 1,
        household_id=(pl.col("i") // 3) + 1,
        village_code=pl.lit("140603203200")).drop("i", "f")
    t = time.perf_counter()
    feed = synthetic.generate(persons, year=2025, seed=11, claims_per_person=claims / n, event_share=0.2,
                              plant_every=250, noise=300, feeds=EIGHT)
    persons.write_parquet(out / "persons.parquet")
    feed.rows.write_parquet(out / "rows.parquet", row_group_size=1_000_000)
    pl.DataFrame(sorted(feed.expected), schema=["household_id", "rule", "period", "subject"], orient="row").write_parquet(
        out / "expected.parquet")
    by_feed = dict(feed.rows.group_by("feed").len().iter_rows())
    return {"persons": n, "rows": feed.rows.height, "by_feed": by_feed, "expected": len(feed.expected),
            "generate_s": round(time.perf_counter() - t, 1)}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_ours(d: Path, medical_only: bool) -> dict:
    django_setup()
    import polars as pl

    from fangpin.monitoring import screening

    t = time.perf_counter()
    rows = pl.read_parquet(d / "rows.parquet")
    if medical_only:
        rows = rows.filter(pl.col("feed") == "medical_insurance")
    persons = pl.read_parquet(d / "persons.parquet")
    rules = tuple(r for r in screening.RULES.rules if not medical_only or r.feed == "medical_insurance")
    result = screening.screen(rows, persons, rules=rules, today=TODAY)
    result.warnings.write_parquet(d / "warnings.parquet")
    seconds = time.perf_counter() - t
    out = {"seconds": round(seconds, 2), "rows": rows.height, "warnings": result.warnings.height,
           "counts": result.counts(), "peak_mib": round(peak_mib())}
    if not medical_only:
        expected = pl.read_parquet(d / "expected.parquet")
        got = result.warnings.select("household_id", "rule", "period", "subject")
        out["planted_all_found"] = got.join(expected, on=got.columns, how="anti").height == 0 and \
            expected.join(got, on=got.columns, how="anti").height == 0
    return out


def measure_pandas(d: Path) -> dict:
    import pandas as pd
    import pyarrow.parquet as pq

    t = time.perf_counter()
    rows = pq.read_table(d / "rows.parquet", filters=[("feed", "==", "medical_insurance")],
                         columns=["id_number", "name", "date", "amount"]).to_pandas()
    persons = pd.read_parquet(d / "persons.parquet", columns=["id_number", "name", "household_id"])
    valid = rows["id_number"].str.fullmatch(r"\d{17}[\dX]")  # shape only: pandas has no check-digit one-liner
    m = rows[valid].merge(persons, on="id_number", how="inner", suffixes=("", "_registry"))
    m = m[m["name"].str.replace(r"\s", "", regex=True) == m["name_registry"]]
    m["year"] = pd.to_datetime(m["date"]).dt.year
    sums = m.groupby(["household_id", "year"], sort=False)["amount"].sum()
    warned = sums[sums >= 1_000_000]
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "rows": len(rows), "warnings": int(len(warned)), "peak_mib": round(peak_mib())}


CHILDREN = {"ours": lambda d: measure_ours(d, False), "medical": lambda d: measure_ours(d, True),
            "pandas": measure_pandas}


def child(kind: str, d: Path) -> dict:
    """One measurement in a fresh process (its own peak RSS)."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--dir", str(d)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--claims", type=int, default=10_000_000)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args.dir)))
        return
    print(machine.line())
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        info = generate(args.persons, args.claims, d)
        print(f"generated: {info['persons']:,} persons, {info['rows']:,} department rows "
              f"(medical {info['by_feed'].get('medical_insurance', 0):,}), {info['expected']} planted risks, "
              f"{info['generate_s']} s (not timed)")
        ours = child("ours", d)
        rate = ours["rows"] / ours["seconds"]
        print(f"ours  all 8 feeds, 9 rules : {ours['seconds']:>7.2f} s  {rate:>12,.0f} rows/s  peak {ours['peak_mib']:>6,} MiB"
              f"  warnings {ours['warnings']:,}  planted all found, none extra: {ours['planted_all_found']}"
              f"  statuses {ours['counts']}")
        if not args.no_peer:
            med = child("medical", d)
            peer = child("pandas", d)
            for label, r in (("ours  medical feed only     ", med), ("pandas medical feed only    ", peer)):
                print(f"{label}: {r['seconds']:>7.2f} s  {r['rows'] / r['seconds']:>12,.0f} rows/s  "
                      f"peak {r['peak_mib']:>6,} MiB  warnings {r['warnings']:,}")


if __name__ == "__main__":
    main()
