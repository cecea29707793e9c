"""The queries behind each main page, with PostgreSQL's plan and timing: for docs/benchmarks.md and for finding the slow
one when a page misses its goal.

    python benchmarks/explain_pages.py --database postgres://…/fangpin_city [--user bench_leader] [--plans]

Renders every page of the web benchmark's mix (benchmarks/web_load.py) once through Django's test client as the given
account (the database must have been built by `web_load.py build`), records its SQL, then runs EXPLAIN (ANALYZE,
BUFFERS) on each statement and prints, per page: the statements, their time in the database and the nodes of their
plans that read tables (Index Scan / Index Only Scan / Bitmap / Seq Scan, with the index used). With --plans the whole
plans are printed.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web_load  # noqa: E402

SCAN = re.compile(r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)(?: using (\S+))? on (\S+)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database", required=True)
    ap.add_argument("--user", default="bench_leader")
    ap.add_argument("--plans", action="store_true")
    a = ap.parse_args()
    web_load.setup_django(a.database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fangpin.accounts.models import User

    user = User.objects.get(username=a.user)
    sample = web_load.samples(a.user, 20)
    c = Client()
    c.force_login(user)
    seen = set()
    rng = random.Random(7)
    pages = []
    for _ in range(400):  # every page of the mix once
        name, path = web_load.pages(sample, rng)
        if name not in seen:
            seen.add(name)
            pages.append((name, path))
    print(f"{connection.vendor}，账号 {a.user}（{user.get_role_display()}，{user.org_unit.name}）")
    for name, path in pages:
        c.get(path)  # warm
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = c.get(path)
            ms = (time.perf_counter() - t) * 1000
        print(f"\n## {name} {path} → {r.status_code}，{ms:.0f} ms，{len(ctx.captured_queries)} 条查询")
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                continue
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cur.fetchall()]
                    total = next((p for p in plan if p.startswith("Execution Time")), "")
                    scans = sorted({" ".join(x for x in m if x) for m in SCAN.findall("\n".join(plan))})
                else:  # SQLite: the plan only (SCAN = a whole table; SEARCH = through an index)
                    cur.execute("EXPLAIN QUERY PLAN " + sql)
                    plan = [row[-1] for row in cur.fetchall()]
                    total = f"{q['time']} s"
                    scans = sorted({p for p in plan if p.startswith(("SCAN", "SEARCH"))})
            print(f"- {total.replace('Execution Time: ', '')}: {sql[:160]}{'…' if len(sql) > 160 else ''}")
            print(f"  {'；'.join(scans)}")
            if a.plans:
                print("  " + "\n  ".join(plan))


if __name__ == "__main__":
    main()
