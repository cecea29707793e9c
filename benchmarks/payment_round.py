"""Payment-round benchmark (issue 12): a round's roster, every village's notice as Excel, the approvals and the bank
files, and the bank's return files imported, on PostgreSQL over a city-sized registry; beside them the engine's own
evaluate of the same area's frames.

    # one county of 1,010,480 persons in its own database (benchmarks/web_load.py build ... --counties 140981):
    python benchmarks/payment_round.py --database postgres://fangpin:fangpin@127.0.0.1:5432/fangpin_county --counties 140981
    # the city's database (忻州市, 3.6 million persons), its three largest counties:
    python benchmarks/payment_round.py --database postgres://fangpin:fangpin@127.0.0.1:5432/fangpin_city

Targets (issue 12): a round over 1,000,000 persons — roster, notices as Excel, bank file — under 60 s and 4 GiB; a
1,000,000-row bank return file imported under 30 s.

The area. A round belongs to one county (rounds.create takes a county, a township or a village). `fangpin_county`
holds one county of 1,010,480 persons (原平市, 280,000 households made by the demo generator and imported): one round
over it is the target's case as it stands. No county of `fangpin_city` (忻州市's 14 counties, benchmarks/web_load.py)
has 1,000,000 persons: the largest, 原平市, has 466,621.
The benchmark therefore makes one round in each of several counties (default: the three largest, 1,146,433 persons,
the fewest counties whose persons pass 1,000,000), one after another in the same process, and times each step over all
of them. Each county's round reads the registry tables of the whole city (3.6 million members): a county database of
the same size would read less. The report gives the seconds per 1,000,000 persons beside the seconds measured.

The document. No catalog document covers these counties with a large roster (xz2020-6 pays one "at least" amount,
which a round does not compute; sn2022-67 covers one township of 朔州市). The benchmark registers, in its own processes
only, a copy of 双发〔2022〕67号 (sn2022-67) whose regions are the benchmark's counties, with the 2025 values a county
would set on the policy-parameter page for the grain subsidy (the 2022 standard again) and the monitoring line
(7,500 yuan, as benchmarks/engine_seed001.py), by replacing `parameters.catalog_with_overrides`. Every benefit a round
may compute (not the "at most" ones) is chosen, as of 2025-06-30.

Not timed (setup): the copy of the document; a township-reviewer account per township; a current 一卡通 account
(PayeeAccount with its history row, written in bulk) for every payee the rounds need, made after the rounds are
computed; the bank's return files (bankfiles.simulate_return over the issued rows, 3% failed). Each timed step runs in
its own process, so that its peak RSS is its own:
  a. compute   rounds.create(..., run=rounds.compute) for each county: the roster frozen in the database;
  b. notices   every village's notice written as .xlsx (notices.write_all);
  c. approve   every part approved by its township (the day after the notice ends) and by the county (timed on
               its own: people's decisions, days apart, not one of the issue's three products), then
               disbursement.issue in the 一卡通 layout (GBK, "|"-delimited): one file per round (the bank file);
  d. return    disbursement.import_return of every file's return file;
  peer         registry_frames.area_frames + tables.build_frames + engine.evaluate over the same counties.
At the end the rounds, their files and returns, the accounts and the reviewer accounts made here are deleted
(--keep leaves them).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine  # benchmarks/machine.py: the reference figure of the machine

AS_OF = dt.date(2025, 6, 30)
DOC_ID = "sn2022-67"
BENCH_DOC_ID = "bench-sn2022-67"
BANK = "基准测试农村信用社"  # the accounts made here (and deleted at the end) are told apart by their bank
TITLE = "基准测试批次"
LAYOUT = "yikatong"
FAILED_SHARE = 0.03
DEFAULT_COUNTIES = ["140981", "140902", "140922"]
TARGET_S, TARGET_MIB, RETURN_TARGET_S = 60, 4096, 30


def setup_django(database: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ["FANGPIN_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangpin.settings"
    import django

    django.setup()
    register_document()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def county_code(c: str) -> str:
    return c[:6].ljust(12, "0")


def register_document():
    """The benchmark's copy of sn2022-67 (see the module's docstring), in this process only."""
    import dataclasses

    from fangpin.policies import catalog, parameters

    counties = [c[:6] for c in ARGS.counties]
    doc = catalog.load_catalog()[DOC_ID]
    params = dict(doc.parameters)
    for key, raw in (("grain_central_per_mu", "15.6"), ("grain_province_per_mu", "5.9"), ("monitoring_line", "7500")):
        p = params[key]
        value, _ = catalog.parse_value(p.unit, raw)
        params[key] = dataclasses.replace(p, values=tuple(sorted(p.values + ((dt.date(2025, 1, 1), value),))))
    bench = dataclasses.replace(doc, id=BENCH_DOC_ID, regions=tuple(counties), parameters=params)
    original = parameters.catalog_with_overrides
    if getattr(original, "bench", False):
        return bench
    patched = lambda: {**original(), BENCH_DOC_ID: bench}  # noqa: E731
    patched.bench = True
    parameters.catalog_with_overrides = patched
    return bench


def county_user(county: str):
    from fangpin.accounts.models import User

    return User.objects.get(username=f"bench_{county[:6]}")


def bench_rounds():
    from fangpin.payments.models import PaymentRound

    return list(PaymentRound.objects.filter(title__startswith=f"{TITLE} {ARGS.tag}").order_by("id"))


def payable_ids() -> list[str]:
    from fangpin.payments import rounds
    from fangpin.policies import parameters

    return [b.id for b in parameters.catalog_with_overrides()[BENCH_DOC_ID].benefits
            if b.amount.bound in rounds.PAYABLE_BOUNDS and b.amount.kind != "gap"]  # "up to": applications; gap: year end


# --- the timed steps, each in its own process ------------------------------------------------------------------------

def step_compute() -> dict:
    from fangpin.payments import rounds
    from fangpin.payments.models import PaymentRound

    ids = payable_ids()
    t = time.perf_counter()
    made = []
    for c in ARGS.counties:
        rnd = rounds.create(county_user(c), title=f"{TITLE} {ARGS.tag} {c[:6]}", document_id=BENCH_DOC_ID,
                            benefit_ids=ids, as_of=AS_OF, area=county_code(c), run=rounds.compute)
        made.append(rnd.pk)
    seconds = time.perf_counter() - t
    got = list(PaymentRound.objects.filter(pk__in=made).values("id", "state", "error", "rows", "amount",
                                                              "households"))
    bad = [r for r in got if r["state"] != PaymentRound.State.OPEN]
    if bad:
        raise SystemExit(f"round failed: {bad}")
    from fangpin.payments.models import RoundRow

    frozen = RoundRow.objects.filter(round_id__in=made).count()
    return {"seconds": seconds, "rows": frozen, "included": sum(r["rows"] for r in got),
            "amount": sum(r["amount"] for r in got), "households": sum(r["households"] for r in got),
            "peak_mib": peak_mib()}


def step_notices() -> dict:
    from fangpin.payments import notices

    out = Path(ARGS.var_dir) / "notices"
    out.mkdir(exist_ok=True)
    t = time.perf_counter()
    rows = files = 0
    for rnd in bench_rounds():
        user = county_user(rnd.county_id)
        if hasattr(notices, "write_all"):
            n, r = notices.write_all(user, rnd, out)
        else:  # the code before write_all: one notice at a time
            n = r = 0
            for village in rnd.notices.values_list("village_id", flat=True):
                notice = notices.notice_for(user, rnd, village)
                notices.write_xlsx(notice, out / f"{rnd.pk}-{village}.xlsx")
                n, r = n + 1, r + len(notice.rows)
        files, rows = files + n, rows + r
    seconds = time.perf_counter() - t
    size = sum(p.stat().st_size for p in out.iterdir())
    return {"seconds": seconds, "rows": rows, "files": files, "mib": size / 2**20, "peak_mib": peak_mib()}


def step_approve() -> dict:
    from fangpin.accounts.models import User
    from fangpin.payments import approval, disbursement
    from fangpin.payments.models import RoundNotice, RoundPart

    approvals = issued = 0
    approve_s = issue_s = 0.0
    files = []
    for rnd in bench_rounds():
        county = county_user(rnd.county_id)
        today = max(RoundNotice.objects.filter(round=rnd).values_list("end", flat=True)) + dt.timedelta(days=1)
        t = time.perf_counter()
        for part in RoundPart.objects.filter(round=rnd).order_by("township_id"):
            reviewer = User.objects.get(username=f"bench_pr_{part.township_id[:9]}")
            part = approval.act(reviewer, part, "approve", version=part.version, today=today)
            approval.act(county, part, "approve", version=part.version, today=today)
            approvals += 2
        approve_s += time.perf_counter() - t
        t = time.perf_counter()
        made = disbursement.issue(county, rnd, layout=LAYOUT, paid_on=today)
        issue_s += time.perf_counter() - t
        files += [f.pk for f in made]
        issued += sum(f.rows for f in made)
    return {"seconds": approve_s + issue_s, "approve_s": approve_s, "issue_s": issue_s, "rows": issued,
            "approvals": approvals, "files": files, "peak_mib": peak_mib()}


def step_return() -> dict:
    from fangpin.payments import disbursement
    from fangpin.payments.models import DisbursementFile

    todo = json.loads((Path(ARGS.var_dir) / "returns.json").read_text())
    t = time.perf_counter()
    paid = failed = 0
    for item in todo:
        f = DisbursementFile.objects.select_related("round").get(pk=item["file"])
        record = disbursement.import_return(county_user(f.round.county_id), f, Path(item["path"]), item["filename"])
        paid, failed = paid + record.paid, failed + record.failed
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": paid + failed, "paid": paid, "failed": failed, "peak_mib": peak_mib()}


def step_peer() -> dict:
    from fangpin.payments import rounds
    from fangpin.policies import parameters

    doc = rounds._chosen(parameters.catalog_with_overrides()[BENCH_DOC_ID], payable_ids())
    t = time.perf_counter()
    rows = persons = 0
    frames_s = 0.0
    for c in ARGS.counties:
        t0 = time.perf_counter()
        from fangpin.policies import engine, registry_frames, tables

        frames = registry_frames.area_frames(user=county_user(c), area=county_code(c), year=AS_OF.year)
        frames_s += time.perf_counter() - t0
        built, _ = tables.build_frames(frames, year=AS_OF.year, as_of=AS_OF)
        ev = engine.evaluate(doc, built, as_of=AS_OF)
        rows += ev.results.height
        persons += frames["members"].height
        del frames, built, ev
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": rows, "persons": persons, "frames_s": frames_s, "peak_mib": peak_mib()}


def setup_accounts() -> dict:
    return {"made": make_accounts()}


def setup_returns() -> dict:
    files = json.loads((Path(ARGS.var_dir) / "files.json").read_text())
    returns = make_returns(files)
    (Path(ARGS.var_dir) / "returns.json").write_text(json.dumps(returns))
    return {"returns": returns}


# the setup runs in children too: Linux hands a parent's peak RSS on to the children it starts after
STEPS = {"compute": step_compute, "notices": step_notices, "approve": step_approve, "return": step_return,
         "peer": step_peer, "accounts": setup_accounts, "returns": setup_returns}


def child(step: str) -> dict:
    """One step in a fresh process (its own peak RSS)."""
    cmd = [sys.executable, __file__, "--child", step, "--database", ARGS.database, "--tag", ARGS.tag, "--var-dir",
           ARGS.var_dir, "--counties", *ARGS.counties]
    if ARGS.profile and step in ARGS.profile:
        cmd += ["--profile", step]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.stderr.strip():
        print(out.stderr, file=sys.stderr)
    if out.returncode:
        raise SystemExit(f"step {step} failed (exit status {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- setup, not timed ------------------------------------------------------------------------------------------------

def reviewers() -> None:
    from fangpin.accounts.models import User
    from fangpin.orgunits.models import OrgUnit

    for c in ARGS.counties:
        for code in OrgUnit.objects.filter(level="township", code__startswith=c[:6]).values_list("code", flat=True):
            User.objects.get_or_create(username=f"bench_pr_{code[:9]}",
                                       defaults={"role": "township_reviewer", "org_unit_id": code})


def make_accounts() -> int:
    """A current 一卡通 account for every payee of the benchmark's rounds without one: the members paid, and the heads
    of the households paid."""
    from django.db import transaction

    from fangpin.lib import bulkwrite
    from fangpin.payments.models import PayeeAccount, RoundRow
    from fangpin.registry.models import Enterprise, Member

    ids = [r.pk for r in bench_rounds()]
    rows = RoundRow.objects.filter(round_id__in=ids)
    paid = set(rows.filter(member__isnull=False).values_list("member_id", flat=True).distinct())
    households = rows.filter(member__isnull=True, household__isnull=False).values("household_id")
    paid |= set(Member.objects.filter(household_id__in=households, relation="head").values_list("id", flat=True))
    have = set(PayeeAccount.objects.filter(until__isnull=True, member__isnull=False).values_list("member_id", flat=True))
    todo = sorted(paid - have)
    names = dict(Member.objects.filter(id__in=todo).values_list("id", "name").iterator(20_000)) if todo else {}
    user = county_user(ARGS.counties[0])
    since = dt.date(2024, 1, 1)
    enterprises = set(rows.filter(enterprise__isnull=False).order_by().values_list("enterprise_id", flat=True)
                      .distinct())
    enterprises -= set(PayeeAccount.objects.filter(until__isnull=True, enterprise__isnull=False).values_list(
        "enterprise_id", flat=True))
    with transaction.atomic():
        bulkwrite.insert_with_history(PayeeAccount, [
            {"enterprise_id": e, "kind": PayeeAccount.Kind.CORPORATE, "bank": BANK, "account_number": f"81{e:014d}",
             "holder": name, "since": since, "created_by_id": user.pk}
            for e, name in Enterprise.objects.filter(id__in=enterprises).values_list("id", "name")],
            user=user, reason="基准测试")
        for start in range(0, len(todo), 100_000):
            bulkwrite.insert_with_history(PayeeAccount, [
                {"member_id": m, "kind": PayeeAccount.Kind.ONE_CARD, "bank": BANK, "account_number": f"62{m:014d}",
                 "holder": names[m], "since": since, "created_by_id": user.pk} for m in todo[start:start + 100_000]],
                user=user, reason="基准测试")
    return len(todo) + len(enterprises)


def make_returns(file_ids: list[int]) -> list[dict]:
    """The bank's return file of each issued file: every row, 3% failed."""
    from fangpin.payments import bankfiles, disbursement
    from fangpin.payments.models import DisbursementFile

    layout = bankfiles.layouts()[LAYOUT]
    rng = random.Random(12)
    out = []
    for f in DisbursementFile.objects.filter(pk__in=file_ids).select_related("round"):
        def results(f=f):
            for line in disbursement.lines_of(f):
                if rng.random() < FAILED_SHARE:
                    yield line, "3001", "账户已销户"
                else:
                    yield line, "0000", ""

        path = Path(ARGS.var_dir) / f"return-{f.pk}.txt"
        with path.open("wb") as fh:
            written = bankfiles.simulate_return(layout, results(), fh, paid_on=AS_OF)
        out.append({"file": f.pk, "path": str(path), "filename": f"回盘_{f.pk}.txt", "rows": written.rows,
                    "mib": path.stat().st_size / 2**20})
    return out


def cleanup() -> None:
    """Delete what the benchmark made, in the order of the foreign keys (PROTECT-ed files and returns first)."""
    from django.db import connection, transaction

    from fangpin.payments.models import PayeeAccount

    ids = [r.pk for r in bench_rounds()]
    with transaction.atomic(), connection.cursor() as c:
        if ids:
            for sql in (
                "DELETE FROM payments_roundevent WHERE round_id = ANY(%s)",
                "DELETE FROM payments_objection WHERE row_id IN (SELECT id FROM payments_roundrow WHERE round_id = ANY(%s))",
                "DELETE FROM payments_payment WHERE round_id = ANY(%s)",
                "DELETE FROM payments_roundrow WHERE round_id = ANY(%s)",
                "DELETE FROM payments_bankreturn WHERE file_id IN (SELECT id FROM payments_disbursementfile WHERE round_id = ANY(%s))",
                "DELETE FROM payments_disbursementfile WHERE round_id = ANY(%s)",
                "DELETE FROM payments_roundnotice WHERE round_id = ANY(%s)",
                "DELETE FROM payments_roundpart WHERE round_id = ANY(%s)",
                "DELETE FROM payments_paymentround WHERE id = ANY(%s)",
            ):
                c.execute(sql, [ids])
        c.execute(f"DELETE FROM {PayeeAccount.history.model._meta.db_table} WHERE bank = %s", [BANK])
        c.execute("DELETE FROM payments_payeeaccount WHERE bank = %s", [BANK])
        # the reviewer accounts, unless a round kept from another run (--keep) still names them
        c.execute("DELETE FROM accounts_user u WHERE username LIKE %s AND NOT EXISTS "
                  "(SELECT 1 FROM payments_roundevent e WHERE e.user_id = u.id)", ["bench\\_pr\\_%"])
    # A database the benchmark alone has written rounds into is left as a county's would be: a county never deletes a
    # million rows, and the emptied indexes (hundreds of MiB after a few runs) made the next run's writes slower.
    # Rebuilt only when the table is empty, so no one's data is touched.
    with connection.cursor() as c:
        for table in ("payments_roundrow", "payments_payment", "payments_payeeaccount",
                      PayeeAccount.history.model._meta.db_table):
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if not c.fetchone()[0]:
                c.execute(f"REINDEX TABLE {table}")


# --- the report ------------------------------------------------------------------------------------------------------

def line(label: str, r: dict) -> str:
    rate = r["rows"] / r["seconds"] if r["seconds"] else 0
    return f"| {label} | {r['rows']:,} | {r['seconds']:.1f} | {rate:,.0f} | {r['peak_mib']:,.0f} |"


def main() -> None:
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--database", required=True)
    ap.add_argument("--counties", nargs="+", default=DEFAULT_COUNTIES)
    ap.add_argument("--keep", action="store_true", help="leave the rounds, files and accounts in the database")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--profile", nargs="*", default=[], help="steps to run under cProfile (top lines on stderr)")
    ap.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--tag", default=dt.datetime.now().strftime("%Y%m%d%H%M%S"), help=argparse.SUPPRESS)
    ap.add_argument("--var-dir", default="", help=argparse.SUPPRESS)
    ARGS = ap.parse_args()
    if ARGS.child:
        setup_django(ARGS.database, ARGS.var_dir)
        if ARGS.profile:
            import cProfile
            import io
            import pstats

            prof = cProfile.Profile()
            result = prof.runcall(STEPS[ARGS.child])
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
            pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25)
            print(s.getvalue(), file=sys.stderr)
        else:
            result = STEPS[ARGS.child]()
        print(json.dumps(result))
        return

    print(machine.line())
    with tempfile.TemporaryDirectory(prefix="fangpin-round-") as tmp:
        ARGS.var_dir = tmp
        setup_django(ARGS.database, tmp)
        from fangpin.registry.models import Member

        persons = PERSONS
        persons.update({c[:6]: Member.objects.filter(household__village__code__startswith=c[:6]).count()
                        for c in ARGS.counties})  # small queries: the parent stays small
        print(f"area: {len(persons)} county rounds ({', '.join(f'{c} {n:,}' for c, n in persons.items())}), "
              f"{sum(persons.values()):,} persons; document: a benchmark-only copy of sn2022-67 (双发〔2022〕67号) "
              f"with regions {'/'.join(persons)} and 2025 values for the grain subsidy and the monitoring line, "
              f"every computable benefit, as of {AS_OF}")
        reviewers()
        try:
            results = {}
            results["compute"] = a = child("compute")
            print(f"a. compute: {a['rows']:,} rows ({a['included']:,} included, {a['households']:,} households, "
                  f"{a['amount'] / 100:,.2f} yuan) {a['seconds']:.1f} s", flush=True)
            t = time.perf_counter()
            n = child("accounts")["made"]
            print(f"   (setup) {n:,} payee accounts made in {time.perf_counter() - t:.1f} s", flush=True)
            results["notices"] = b = child("notices")
            print(f"b. notices: {b['files']:,} villages, {b['rows']:,} rows, {b['mib']:.0f} MiB of .xlsx "
                  f"{b['seconds']:.1f} s", flush=True)
            results["approve"] = c = child("approve")
            print(f"c. approve + issue: {c['approvals']:,} approvals {c['approve_s']:.1f} s, {len(c['files'])} files, "
                  f"{c['rows']:,} rows {c['issue_s']:.1f} s", flush=True)
            t = time.perf_counter()
            (Path(tmp) / "files.json").write_text(json.dumps(c["files"]))
            returns = child("returns")["returns"]
            print(f"   (setup) {len(returns)} return files, {sum(r['rows'] for r in returns):,} rows, "
                  f"{sum(r['mib'] for r in returns):.0f} MiB, in {time.perf_counter() - t:.1f} s", flush=True)
            results["return"] = d = child("return")
            print(f"d. return: {d['paid']:,} paid, {d['failed']:,} failed {d['seconds']:.1f} s", flush=True)
            if not ARGS.no_peer:
                results["peer"] = p = child("peer")
                print(f"peer: {p['persons']:,} persons, {p['rows']:,} result rows {p['seconds']:.1f} s "
                      f"(of which area_frames {p['frames_s']:.1f} s)", flush=True)
        finally:
            if not ARGS.keep:
                cleanup()
    print()
    print("| step | rows | seconds | rows/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    labels = {"compute": "a. round computed, roster frozen (rounds.create + compute)",
              "notices": "b. every village's notice as .xlsx",
              "approve": "c. township + county approval of every part, bank files (issue)",
              "return": "d. return files imported (import_return)",
              "peer": "peer: area_frames + build_frames + engine.evaluate, same counties"}
    for key, label in labels.items():
        if key in results:
            print(line(label, results[key]))
    c = results["approve"]
    products = results["compute"]["seconds"] + results["notices"]["seconds"] + c["issue_s"]
    peak = max(results[k]["peak_mib"] for k in ("compute", "notices", "approve"))
    persons = sum(PERSONS.values())
    per_million = products * 1_000_000 / persons
    ok = lambda good: "met" if good else "NOT met"  # noqa: E731
    print(f"\nc split: approvals {c['approve_s']:.1f} s, bank files {c['issue_s']:.1f} s")
    print(f"the three products (roster a + notices b + bank files of c) over {persons:,} persons: {products:.1f} s, "
          f"{per_million:.1f} s per 1,000,000 persons (target {TARGET_S} s: "
          f"{ok(products < TARGET_S if persons <= 1_000_000 else per_million < TARGET_S)}); "
          f"with the approvals a+b+c: {products + c['approve_s']:.1f} s; peak {peak:,.0f} MiB "
          f"(target {TARGET_MIB:,} MiB: {ok(peak < TARGET_MIB)}); "
          f"d: {results['return']['seconds']:.1f} s for {results['return']['rows']:,} rows "
          f"(target {RETURN_TARGET_S} s: {ok(results['return']['seconds'] < RETURN_TARGET_S)})")


ARGS = argparse.Namespace(counties=DEFAULT_COUNTIES)
PERSONS: dict[str, int] = {}  # county -> persons in the registry

if __name__ == "__main__":
    main()
