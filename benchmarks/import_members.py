"""Import benchmark: a 100,000-member workbook, imported whole (check + write) into a fresh SQLite
database, beside the peers a county would otherwise use to read the same file.

Each measurement runs in its own process so that peak RSS belongs to it alone.
    python benchmarks/import_members.py [--members 100000]
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

import machine  # benchmarks/machine.py: the reference figure of the machine

ROOT = Path(__file__).resolve().parents[1]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(var_dir: Path, database: str | None = None) -> None:
    os.environ["FANGPIN_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangpin.settings"
    if database:
        os.environ["DATABASE_URL"] = database
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def fresh_postgres(url: str) -> str:
    """A new empty database beside the one `url` names (dropped first if a run left it), migrated, with the divisions."""
    import psycopg

    name = "fangpin_bench_import"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    fresh = url.rsplit("/", 1)[0] + "/" + name
    env = dict(os.environ, DATABASE_URL=fresh)
    code = ("import django; django.setup(); from django.core.management import call_command; "
            "call_command('migrate', verbosity=0); from fangpin.orgunits import loading; loading.load(loading.read_slice())")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(env, DJANGO_SETTINGS_MODULE="fangpin.settings"))
    return fresh


def make_workbook(workdir: Path, members: int) -> dict:
    setup_django(workdir)
    from django.core.management import call_command

    from fangpin.demo.generate import generate
    from fangpin.exchange.workbooks import write_document
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    loading.load(loading.read_slice())
    villages = list(OrgUnit.objects.filter(parent_id="140603203000").values_list("code", flat=True))
    households = int(members / 3.0)  # more than enough; cut to exactly `members` below
    doc = generate(county_code="140603000000", villages=villages, households=households, seed=1)
    doc["members"] = doc["members"][:members]
    kept = {m["household_number"] for m in doc["members"]}
    doc["households"] = [h for h in doc["households"] if h["household_number"] in kept]
    ids = {m["id_number"] for m in doc["members"]}
    doc["incomes"] = [r for r in doc["incomes"] if r["household_number"] in kept]
    for key in ("employments", "trainings", "startups"):
        doc[key] = [r for r in doc[key] if r["id_number"] in ids]
    # a household's head comes first among its members, so the last household cut short keeps its head
    path = workdir / "members.xlsx"
    write_document(path, doc)
    return {k: len(v) for k, v in doc.items() if isinstance(v, list)} | {"path": str(path), "bytes": path.stat().st_size}


def run_import(workdir: Path, database: str | None = None) -> dict:
    setup_django(workdir, database)
    from fangpin.accounts.models import User
    from fangpin.exchange import importer

    user = User.objects.create(username="bench", role="county_bureau", org_unit_id="140603000000")
    t = time.perf_counter()
    result = importer.import_file(user=user, path=workdir / "members.xlsx", batch_size=2000)
    elapsed = time.perf_counter() - t
    assert result.ok, result.problems[:3]
    return {"seconds": elapsed, "rows": sum(result.counts.values()), "members": result.counts["家庭成员"], "peak_mib": peak_mib()}


def run_check_only(workdir: Path) -> dict:
    """Pass 1 alone, on a database that already holds the data (every key is found, nothing is written)."""
    setup_django(workdir)
    from fangpin.accounts.models import User
    from fangpin.exchange import importer
    from fangpin.exchange.readers import ExchangeFile

    user = User.objects.get(username="bench")
    f = ExchangeFile(workdir / "members.xlsx")
    result = importer.ImportResult(filename=f.filename)
    t = time.perf_counter()
    importer._Checker(user, f, result).run(f.sheets()[0])
    return {"seconds": time.perf_counter() - t, "problems": len(result.problems), "peak_mib": peak_mib()}


def run_peer_openpyxl(workdir: Path) -> dict:
    """The common way: openpyxl loads every cell as a Python object, then rows are walked."""
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(workdir / "members.xlsx")
    rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_mib": peak_mib()}


def run_peer_calamine_full(workdir: Path) -> dict:
    """calamine, but every sheet turned into Python lists at once (to_python)."""
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(workdir / "members.xlsx"))
    sheets = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]
    return {"seconds": time.perf_counter() - t, "rows": sum(len(s) for s in sheets), "peak_mib": peak_mib()}


STEPS = {"make": make_workbook, "import": run_import, "import_pg": lambda w: run_import(w, os.environ["BENCH_PG"]), "check": run_check_only, "openpyxl": run_peer_openpyxl,
         "calamine_full": run_peer_calamine_full}


def child(step: str, workdir: Path, members: int, env: dict | None = None) -> dict:
    args = [sys.executable, __file__, "--step", step, "--workdir", str(workdir), "--members", str(members)]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--step")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--postgres", help="also import into a fresh PostgreSQL database beside this URL")
    a = ap.parse_args()
    if a.step:
        fn = STEPS[a.step]
        res = fn(a.workdir, a.members) if a.step == "make" else fn(a.workdir)
        print(json.dumps(res))
        return
    print(machine.line())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        made = child("make", workdir, a.members)
        print(f"工作簿：{made['members']:,} 名成员，{made['households']:,} 户，{made['incomes']:,} 条收入，"
              f"{made['employments']:,} 条就业；{made['bytes'] / 2**20:.1f} MiB")
        imp = child("import", workdir, a.members)
        pg = child("import_pg", workdir, a.members, dict(os.environ, BENCH_PG=fresh_postgres(a.postgres))) if a.postgres else None
        chk = child("check", workdir, a.members)
        opx = child("openpyxl", workdir, a.members)
        cal = child("calamine_full", workdir, a.members)
        print(f"{'步骤':<40}{'秒':>9}{'行/秒':>12}{'峰值内存 MiB':>14}")
        rows = imp["rows"]
        for name, r in [("fangpin 导入（检查+写入，SQLite，含变更记录）", imp),
                        *([("fangpin 导入（检查+写入，PostgreSQL，含变更记录）", pg)] if pg else []),
                        ("fangpin 仅检查（第1遍）", chk),
                        ("对照：openpyxl 全量载入", opx), ("对照：calamine 全部转为 Python 列表", cal)]:
            print(f"{name:<40}{r['seconds']:>9.1f}{rows / r['seconds']:>12,.0f}{r['peak_mib']:>14.0f}")
        print(f"导入成员 {imp['members']:,} 名：{imp['members'] / imp['seconds']:,.0f} 名/秒；"
              f"目标：导入每秒不少于 20,000 行（SQLite {rows / imp['seconds']:,.0f}"
              + (f"，PostgreSQL {rows / pg['seconds']:,.0f}" if pg else "") + "）")


if __name__ == "__main__":
    main()
