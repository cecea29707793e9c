"""Ledger benchmark: a county's funds ledger at a city's size of years — N projects with their allocations and
expenditures — imported whole from Excel (check + write, with history), exported back, its checks judged for the
county, and its pages served; beside the peer a county would otherwise use to read the same workbook (openpyxl).

Each measurement runs in its own process so that its peak RSS is its own.
    python benchmarks/ledgers.py [--projects 20000] [--database postgres://…]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine  # benchmarks/machine.py: the reference figure of the machine
from import_members import fresh_postgres, peak_mib, setup_django

COUNTY = "140603000000"  # 平鲁区


def make_workbook(workdir: Path, projects: int, database: str | None) -> dict:
    """The funds ledger of 平鲁区 as the demo makes it, at `projects` projects over its villages, as a workbook."""
    setup_django(workdir, database)
    from django.core.management import call_command

    from fangpin.exchange import workbooks
    from fangpin.funds import demo
    from fangpin.funds.ledger import LEDGER
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        loading.load(loading.read_slice())
    county = OrgUnit.objects.get(code=COUNTY)
    villages = list(OrgUnit.objects.filter(code__startswith=COUNTY[:6], level="village").order_by("code"))
    townships = list(OrgUnit.objects.filter(code__startswith=COUNTY[:6], level="township").order_by("code"))
    rng = random.Random(2026)
    doc = {"fund_projects": [], "fund_allocations": [], "fund_expenditures": []}
    batch = 0
    while len(doc["fund_projects"]) < projects:  # the demo's three years, again and again under fresh codes
        part = demo.build(county, villages, townships, rng, dt.date(2026, 11, 30))
        for p in part["fund_projects"]:
            p["code"] = f"B{batch}-{p['code']}"
        for key in ("fund_allocations", "fund_expenditures"):
            for r in part[key]:
                r["project_code"] = f"B{batch}-{r['project_code']}"
        for key, rows in part.items():
            doc[key] += [{k: (str(v) if isinstance(v, dt.date) else v) for k, v in r.items()} for r in rows]
        batch += 1
    path = workdir / "funds.xlsx"
    workbooks.write_document(path, doc, catalog=LEDGER.catalog)
    return {k: len(v) for k, v in doc.items()} | {"bytes": path.stat().st_size}


def run_import(workdir: Path, projects: int, database: str | None) -> dict:
    setup_django(workdir, database)
    from fangpin.accounts.models import User
    from fangpin.funds.ledger import LEDGER
    from fangpin.ledgers.importer import import_file

    user, _ = User.objects.get_or_create(username="bench", defaults={"role": "county_bureau", "org_unit_id": COUNTY})
    t = time.perf_counter()
    result = import_file(user=user, ledger=LEDGER, path=workdir / "funds.xlsx")
    elapsed = time.perf_counter() - t
    assert result.ok, result.problems[:3]
    return {"seconds": elapsed, "rows": sum(result.counts.values()), "peak_mib": peak_mib()}


def run_export(workdir: Path, projects: int, database: str | None) -> dict:
    setup_django(workdir, database)
    from fangpin.accounts.models import User
    from fangpin.funds.ledger import LEDGER
    from fangpin.ledgers import exporter

    user = User.objects.get(username="bench")
    t = time.perf_counter()
    exporter.write_xlsx(user, LEDGER, workdir / "export.xlsx")
    return {"seconds": time.perf_counter() - t, "peak_mib": peak_mib()}


def run_checks(workdir: Path, projects: int, database: str | None) -> dict:
    """Every funds check for the county, for each year of the ledger, as the ledger page asks them."""
    setup_django(workdir, database)
    from fangpin.ledgers import checks
    from fangpin.orgunits.models import OrgUnit

    county = OrgUnit.objects.get(code=COUNTY)
    t = time.perf_counter()
    found = [f for year in (2024, 2025) for f in checks.for_area("funds", county, year=year, on=dt.date(year, 12, 31))]
    return {"seconds": time.perf_counter() - t, "findings": len(found), "peak_mib": peak_mib()}


def run_pages(workdir: Path, projects: int, database: str | None) -> dict:
    """The ledger's page, a sheet's first page and an entry, 20 times each: the 95th percentile in ms."""
    setup_django(workdir, database)
    os.environ.setdefault("FANGPIN_DEBUG", "0")
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fangpin.accounts.models import User
    from fangpin.funds.models import Project

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    entry = Project.objects.order_by("pk").values_list("pk", flat=True)[projects // 2]
    urls = {"台账页（检查）": "/ledgers/funds/?year=2025&on=2025-12-31", "项目库第一页": "/ledgers/funds/fund_projects/",
            "资金下达按年度": "/ledgers/funds/fund_allocations/?year=2025&sort=-allocated_on",
            "项目详情": f"/ledgers/funds/fund_projects/{entry}/"}
    out = {}
    for label, url in urls.items():
        times = []
        for _ in range(20):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        times.sort()
        out[label] = times[int(len(times) * 0.95) - 1]
    return {"p95_ms": out, "peak_mib": peak_mib()}


def run_peer_openpyxl(workdir: Path, projects: int, database: str | None) -> dict:
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(workdir / "funds.xlsx")
    rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_mib": peak_mib()}


STEPS = {"make": make_workbook, "import": run_import, "export": run_export, "checks": run_checks, "pages": run_pages,
         "openpyxl": run_peer_openpyxl}


def child(step: str, workdir: Path, projects: int, database: str | None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", step, "--workdir", str(workdir), "--projects",
                          str(projects), *(["--database", database] if database else [])],
                         check=True, capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--projects", type=int, default=20_000)
    p.add_argument("--database", help="PostgreSQL URL (a fresh database is made beside it); default: SQLite")
    p.add_argument("--step")
    p.add_argument("--workdir")
    a = p.parse_args()
    if a.step:
        print(json.dumps(STEPS[a.step](Path(a.workdir), a.projects, a.database), ensure_ascii=False))
        return
    print(machine.line())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = fresh_postgres(a.database) if a.database else None
        made = child("make", workdir, a.projects, database)
        rows = made["fund_projects"] + made["fund_allocations"] + made["fund_expenditures"]
        print(f"衔接资金项目台账：项目 {made['fund_projects']:,}，资金下达 {made['fund_allocations']:,}，"
              f"资金支出 {made['fund_expenditures']:,}，共 {rows:,} 行，{made['bytes'] / 2**20:.1f} MiB，"
              f"数据库 {'PostgreSQL' if database else 'SQLite'}")
        print(f"{'步骤':<24}{'秒':>8}{'行/秒':>10}{'峰值内存 MiB':>14}")
        for label, step in (("导入（检查+写入+变更记录）", "import"), ("导出 Excel", "export"),
                            ("政策检查（两个年度）", "checks"), ("对照：openpyxl 全量载入", "openpyxl")):
            r = child(step, workdir, a.projects, database)
            print(f"{label:<24}{r['seconds']:>8.1f}{rows / r['seconds']:>10,.0f}{r['peak_mib']:>14,.0f}")
        r = child("pages", workdir, a.projects, database)
        for label, ms in r["p95_ms"].items():
            print(f"页面 {label}：第95百分位 {ms:,.0f} 毫秒")


if __name__ == "__main__":
    main()
