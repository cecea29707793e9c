"""Web benchmark at a city's size: a registry of N households loaded through the importer, served by gunicorn, driven
by simulated users with 1 s think time; p50 / p95 / p99 per page and requests per second.

    # PostgreSQL, 1,000,000 households in 忻州市's 14 counties (build once, then load as often as wanted):
    python benchmarks/web_load.py build --database postgres://fangpin:fangpin@127.0.0.1:5432/fangpin_city --households 1000000
    python benchmarks/web_load.py load  --database postgres://fangpin:fangpin@127.0.0.1:5432/fangpin_city --users 20 50
    # one county of 1,000,000 persons (原平市, 280,000 households), as a county's own database would hold it:
    python benchmarks/web_load.py build --database postgres://fangpin:fangpin@127.0.0.1:5432/fangpin_county --households 280000 --counties 140981
    # SQLite (the township default), 100,000 households:
    python benchmarks/web_load.py build --database sqlite:////tmp/fangpin-100k.sqlite3 --households 100000
    python benchmarks/web_load.py load  --database sqlite:////tmp/fangpin-100k.sqlite3 --users 20 50

build: migrate, load the division tree, one county-bureau account per county, then for every county the demo
generator's households (members, incomes, work spells, trainings, start-ups, enterprises) written as exchange-format
JSON files (at most HOUSEHOLDS_PER_FILE households each, under the upload limits) and imported by that county's
account with `importer.import_file`: the same path as an upload, all checks and history included. Generation is not
timed; the import is, and its rows per second are printed. Then warnings (2% of households, a third of them overdue)
and cases (1%, spread over the procedure's states) in bulk, as a year of screening would leave them.

load: gunicorn with fangpin.gunicorn_conf (FANGPIN_WORKERS, default 3 here) on a free port, against the same
database; for each user count, that many threads, each signed in as one account (city leader, county bureau, township
reviewer or village clerk, in the proportions below) and looping: one page of its role's mix, then 1 s of think time,
for --seconds. Latency is measured from request to the last byte of the body.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import machine  # benchmarks/machine.py: the reference figure of the machine

ROOT = Path(__file__).resolve().parents[1]
CITY = "140900000000"  # 忻州市
HOUSEHOLDS_PER_FILE = 30_000
GOAL_P95_MS = 200


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("FANGPIN_VAR_DIR", tempfile.mkdtemp(prefix="fangpin-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangpin.settings"
    import django

    django.setup()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- build -----------------------------------------------------------------------------------------------------------

def build(a) -> None:
    setup_django(a.database)
    from django.core.management import call_command

    from fangpin.accounts.models import User
    from fangpin.demo.generate import generate
    from fangpin.exchange import importer
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    loading.load(loading.read_slice())
    counties = list(OrgUnit.objects.filter(parent_id=CITY, level="county").order_by("code").values_list("code", flat=True))
    villages = {c: list(OrgUnit.objects.filter(level="village", code__startswith=c[:6]).values_list("code", flat=True))
                for c in counties}
    counties = [c for c in counties if villages[c] and (not a.counties or c[:6] in a.counties)]
    total_villages = sum(len(villages[c]) for c in counties)
    accounts(counties)
    print(f"忻州市 {len(counties)} 个县（市、区），{total_villages:,} 个村；目标 {a.households:,} 户")
    rows = seconds = 0
    work = Path(tempfile.mkdtemp(prefix="fangpin-load-"))
    for county in counties:
        n = round(a.households * len(villages[county]) / total_villages)
        t = time.perf_counter()
        doc = generate(county_code=county, villages=villages[county], households=n, seed=a.seed)
        made = time.perf_counter() - t
        user = User.objects.get(username=f"bench_{county[:6]}")
        for path in split(doc, work / county):
            t = time.perf_counter()
            result = importer.import_file(user=user, path=path, batch_size=2000)
            took = time.perf_counter() - t
            if not result.ok:
                sys.exit(f"{path.name}: {[p.where() + ' ' + p.message for p in result.problems[:5]]}")
            written = sum(result.counts.values())
            rows, seconds = rows + written, seconds + took
            print(f"  {path.name}: {written:,} 行 {took:.1f} 秒 {written / took:,.0f} 行/秒", flush=True)
            path.unlink()
        print(f"{county} 生成 {n:,} 户 {made:.1f} 秒；累计导入 {rows:,} 行 {seconds:.0f} 秒 "
              f"（{rows / seconds:,.0f} 行/秒），峰值内存 {peak_mib():.0f} MiB", flush=True)
    monitoring_rows(a.seed)
    print(f"导入合计：{rows:,} 行，{seconds / 60:.1f} 分钟，{rows / seconds:,.0f} 行/秒（不含生成数据的时间）")


def accounts(counties: list[str]) -> None:
    from fangpin.accounts.models import User
    from fangpin.orgunits.models import OrgUnit

    township = OrgUnit.objects.filter(level="township", code__startswith=counties[0][:6]).order_by("code").first()
    village = OrgUnit.objects.filter(parent=township, level="village").order_by("code").first()
    wanted = [("bench_leader", "leader", CITY), ("bench_township", "township_reviewer", township.code),
              ("bench_clerk", "village_clerk", village.code)]
    wanted += [(f"bench_{c[:6]}", "county_bureau", c) for c in counties]
    for username, role, unit in wanted:
        User.objects.get_or_create(username=username, defaults={"role": role, "org_unit_id": unit})


def split(doc: dict, stem: Path) -> list[Path]:
    """The generator's document for a county as files of at most HOUSEHOLDS_PER_FILE households (the JSON upload limit
    is 100 MiB); enterprises go in the first, each household's rows with it."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    numbers = [h["household_number"] for h in doc["households"]]
    part_of = {n: i // HOUSEHOLDS_PER_FILE for i, n in enumerate(numbers)}
    person_part = {m["id_number"]: part_of[m["household_number"]] for m in doc["members"]}
    parts = max(part_of.values(), default=0) + 1
    paths = []
    for p in range(parts):
        part = {"format": doc["format"], "version": doc["version"], "enterprises": doc["enterprises"] if p == 0 else []}
        for key in ("households", "members", "incomes"):
            part[key] = [r for r in doc[key] if part_of[r["household_number"]] == p]
        for key in ("employments", "trainings", "startups"):
            part[key] = [r for r in doc[key] if person_part[r["id_number"]] == p]
        path = stem.with_name(f"{stem.name}-{p + 1}.json")
        path.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def monitoring_rows(seed: int) -> None:
    """Warnings for 2% of households and cases for 1%, in bulk (a year of screening and procedure)."""
    import datetime as dt

    from django.utils import timezone

    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Case, Warning
    from fangpin.registry.models import Household

    rng = random.Random(seed)
    today = timezone.localdate()
    opener = User.objects.filter(role="county_bureau").order_by("pk").first()
    ids = list(Household.objects.values_list("pk", flat=True).iterator(chunk_size=100_000))
    warned = rng.sample(ids, len(ids) // 50)
    statuses = ["open"] * 6 + ["confirmed"] * 3 + ["dismissed"]
    Warning.objects.bulk_create(
        [Warning(household_id=h, rule="medical_out_of_pocket", label="医疗自付费用较高", period=str(today.year - 1),
                 risk="medical", reason="年度医疗自付费用超过监测标准的一半", total=rng.randrange(500_000, 5_000_000),
                 source_count=rng.randint(1, 12), deadline=today + dt.timedelta(days=rng.randint(-20, 40)),
                 status=rng.choice(statuses)) for h in warned], batch_size=5000)
    cased = rng.sample(ids, len(ids) // 100)
    states = ["village", "notice", "township", "county", "done", "done", "done", "declined"]
    Case.objects.bulk_create(
        [Case(kind="enrollment", household_id=h, channel="department_warning", monitor_type="sudden_hardship",
              risk_causes="因病：医疗自付费用较高", state=(s := rng.choice(states)), opened_by=opener,
              due=None if s in ("done", "declined") else today + dt.timedelta(days=rng.randint(-10, 20)))
         for h in cased], batch_size=5000)
    print(f"预警 {len(warned):,} 条，案件 {len(cased):,} 件")
    assistance_rows(seed)


def assistance_rows(seed: int) -> None:
    """The roster (two cadres a village, two a township, three a county), a cadre for 70% of the monitored households
    and a measure for half of them; then the monitoring tallies from scratch (bulk writes send no signals)."""
    import datetime as dt

    from fangpin.accounts.models import User
    from fangpin.monitoring import tallies
    from fangpin.monitoring.models import Cadre, ContactCadre, Measure
    from fangpin.orgunits.models import OrgUnit
    from fangpin.registry.models import Household

    rng = random.Random(seed)
    per_level = {"village": ("驻村第一书记", "驻村工作队员"), "township": ("乡镇干部", "乡村振兴专干"),
                 "county": ("农业农村局干部", "乡村振兴服务中心科员", "人社局科员")}
    units = OrgUnit.objects.filter(code__startswith=CITY[:4], level__in=per_level).values_list("code", "level")
    Cadre.objects.bulk_create([Cadre(org_unit_id=code, name=f"干部{code[-6:]}{i}", unit=post, phone=f"1390{code[-7:]}{i}")
                               for code, level in units for i, post in enumerate(per_level[level])],
                              batch_size=5000, ignore_conflicts=True)
    first = dict(Cadre.objects.filter(org_unit__level="village").order_by("org_unit_id", "pk")
                 .values_list("org_unit_id", "pk").distinct())
    monitored = list(Household.objects.filter(category="monitored", risk_eliminated_on__isnull=True)
                     .values_list("pk", "village_id").iterator(chunk_size=100_000))
    paired = [h for h in monitored if rng.random() < 0.7 and h[1] in first]
    since = dt.date(2026, 1, 1)
    cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=set(first.values()))}
    ContactCadre.objects.bulk_create(
        [ContactCadre(household_id=h, cadre_id=first[v], name=cadres[first[v]].name, unit=cadres[first[v]].unit,
                      phone=cadres[first[v]].phone, since=since) for h, v in paired], batch_size=5000,
        ignore_conflicts=True)
    creator = User.objects.filter(role="county_bureau").order_by("pk").first()
    Measure.objects.bulk_create(
        [Measure(household_id=h, kind="employment", description="推荐就业", status="in_progress", start=since,
                 created_by=creator) for h, _ in rng.sample(monitored, len(monitored) // 2)], batch_size=5000)
    tallies.rebuild()
    print(f"帮扶干部 {Cadre.objects.count():,} 人，结对 {len(paired):,} 户，措施 {len(monitored) // 2:,} 条")
    issue15_rows(seed)


def issue15_rows(seed: int) -> None:
    """The rest of monitoring (issue 15), in bulk: a three-guarantees problem for 0.5% of households (a third still
    open), a referral to civil affairs for 0.3%, one relocation site a township holding 2% of the households, and one
    disaster event a county with 0.5% of its households on the list."""
    import datetime as dt

    from fangpin.accounts.models import User
    from fangpin.monitoring.models import (AffectedHousehold, AffectedVillage, DisasterEvent, GuaranteeProblem,
                                           Referral, RelocatedHousehold, RelocationSite)
    from fangpin.registry.models import Household

    rng = random.Random(seed + 15)
    creator = User.objects.filter(role="county_bureau").order_by("pk").first()
    rows = list(Household.objects.values_list("pk", "number", "village_id").iterator(chunk_size=100_000))
    found = dt.date(2026, 3, 1)
    GuaranteeProblem.objects.bulk_create(
        [GuaranteeProblem(household_id=h, kind=rng.choice(["education", "medical", "housing", "water"]),
                          description="村级排查发现", found_on=found, source="村级排查", created_by=creator,
                          **({} if rng.random() < 1 / 3 else {"measure": "已整改", "cleared_on": found + dt.timedelta(30)}))
         for h, _, _ in rng.sample(rows, len(rows) // 200)], batch_size=5000)
    kinds = ["dibao", "tekun", "temporary"]
    Referral.objects.bulk_create(
        [Referral(code=f"2026-{i}-{n}", household_id=h, kind=rng.choice(kinds), reason="符合条件",
                  referred_on=dt.date(2026, 5, 1), **({"result": "granted", "decided_on": dt.date(2026, 5, 20)}
                                                      if rng.random() < 0.7 else {}))
         for i, (h, n, _) in enumerate(rng.sample(rows, len(rows) * 3 // 1000))], batch_size=5000)
    townships = sorted({v[:9].ljust(12, "0") for _, _, v in rows})  # those with households
    sites = RelocationSite.objects.bulk_create(
        [RelocationSite(code=f"安置点-{t}", place_id=t, name=f"集中安置点{t[-6:]}") for t in townships], batch_size=5000)
    site_of = {s.place_id[:9]: s.pk for s in sites}
    moved = [(h, v) for h, _, v in rng.sample(rows, len(rows) // 50) if v[:9] in site_of]
    RelocatedHousehold.objects.bulk_create(
        [RelocatedHousehold(site_id=site_of[v[:9]], household_id=h, relocated_on=dt.date(2018, 6, 1)) for h, v in moved],
        batch_size=5000)
    counties = sorted({v[:6] for _, _, v in rows})
    events = DisasterEvent.objects.bulk_create(
        [DisasterEvent(code=f"{c}-洪涝", county_id=c.ljust(12, "0"), name=f"{c}洪涝灾害", kind="flood",
                       start=dt.date(2026, 7, 20)) for c in counties])
    event_of = {e.county_id[:6]: e.pk for e in events}
    hit = rng.sample(rows, len(rows) // 200)
    AffectedVillage.objects.bulk_create([AffectedVillage(event_id=event_of[v[:6]], village_id=v)
                                         for v in sorted({v for _, _, v in hit})], batch_size=5000)
    AffectedHousehold.objects.bulk_create([AffectedHousehold(event_id=event_of[v[:6]], household_id=h, loss=500000)
                                           for h, _, v in hit], batch_size=5000)
    print(f"三保障问题 {len(rows) // 200:,} 个，民政转介 {len(rows) * 3 // 1000:,} 条，安置点 {len(sites):,} 个"
          f"（搬迁户 {len(moved):,}），灾害事件 {len(events)} 个（受灾户 {len(hit):,}）")


# --- load ------------------------------------------------------------------------------------------------------------

ROLE_SHARE = [("bench_leader", 0.15), ("county", 0.45), ("bench_township", 0.2), ("bench_clerk", 0.2)]


def sessions(usernames: list[str]) -> dict[str, str]:
    from django.test import Client

    from fangpin.accounts.models import User

    out = {}
    for name in usernames:
        c = Client()
        c.force_login(User.objects.get(username=name))
        out[name] = c.cookies["sessionid"].value
    return out


def samples(username: str, n: int = 200) -> dict:
    """Values the pages of one account are asked about: its households, names, ID numbers, warnings and cases."""
    from fangpin.accounts import access
    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Case, DisasterEvent, RelocationSite, Warning
    from fangpin.registry.models import Household, Member

    user = User.objects.get(username=username)
    mine = access.scope(user, Household.objects.all())
    # evenly spread over the account's households, by key (no ORDER BY random() over a million rows)
    first, last = (mine.order_by(k).values_list("pk", flat=True).first() for k in ("pk", "-pk"))
    rng = random.Random(username)
    picks = sorted({rng.randint(first, last) for _ in range(n * 3)})
    households = list(mine.filter(pk__in=picks).values_list("pk", "number", "village_id")[:n])
    members = list(Member.objects.filter(household_id__in=[h for h, _, _ in households], relation="head")
                   .values_list("name", "id_number"))
    return {
        "households": [(h, number) for h, number, _ in households],
        "villages": sorted({v for _, _, v in households}),
        # a unit one level down that the account may open: a county of a city, else the account's own unit
        "drill": (households[0][2][:6].ljust(12, "0") if households and user.org_unit.level in ("province", "city")
                  else user.org_unit.code),
        "names": [m[0] for m in members],
        "ids": [m[1] for m in members],
        "warnings": list(access.scope(user, Warning.objects.all(), "monitoring.read").values_list("pk", flat=True)[:n]),
        "cases": list(access.scope(user, Case.objects.all(), "monitoring.read").values_list("pk", flat=True)[:n]),
        # issue 15's pages: the sites and events the account sees
        "sites": list(access.scope(user, RelocationSite.objects.all(), "monitoring.read")
                      .values_list("pk", flat=True)[:n]),
        "events": list(access.scope(user, DisasterEvent.objects.all(), "monitoring.read")
                       .values_list("pk", flat=True)[:n]),
    }


def pages(s: dict, rng: random.Random) -> tuple[str, str]:
    """(page name, path): the mix a user of the main pages goes through."""
    hid, number = rng.choice(s["households"])
    village = rng.choice(s["villages"])
    choices = [
        ("总览", "/", 2),
        ("户列表", "/households/", 2),
        ("按姓名查询", f"/households/?q={quote(rng.choice(s['names']))}", 2),
        ("按身份证号查询", f"/households/?q={rng.choice(s['ids'])}", 1),
        ("按户编号查询", f"/households/?q={number[:-3]}", 1),
        ("户页面", f"/households/{hid}/", 2),
        # a date on which a policy of the area is in force (忻州's 2020 measures): the engine runs for the household
        ("户页面（计算待遇）", f"/households/{hid}/?as_of=2020-12-31", 1),
        ("监测工作台", "/monitoring/", 2),
        ("API 户列表", f"/api/households?q={quote(rng.choice(s['names']))}", 1),
        ("API 预警", "/api/monitoring/warnings", 1),
        ("API 各村统计", "/api/monitoring/villages", 1),
        # the lists of issue 11, each with a division filter as the overview's cards link them
        ("下级概览", f"/?unit={s['drill']}", 1),
        ("户列表（县，监测户按类型）", f"/households/?county={village[:6]}000000&category=monitored"
                                  "&monitor_type=unstable&stage=at_risk", 1),
        ("户列表（乡镇，风险已消除）", f"/households/?township={village[:9]}000&category=monitored&stage=eliminated", 1),
        ("户列表（县，无帮扶联系人）", f"/households/?county={village[:6]}000000&stage=no_cadre", 1),
        ("预警清单", "/monitoring/warnings/", 1),
        ("预警清单（县，待核实）", f"/monitoring/warnings/?county={village[:6]}000000&status=open", 1),
        ("案件清单（待县级审定）", "/monitoring/cases/?state=county", 1),
        ("帮扶措施清单", "/monitoring/measures/", 1),
        ("帮扶干部名册（村）", f"/monitoring/cadres/?village={village}", 1),
        ("收入核算", "/monitoring/income/", 1),
        ("三保障清零清单", "/monitoring/guarantees/", 1),
        ("三保障清零清单（县）", f"/monitoring/guarantees/?county={village[:6]}000000&status=open", 1),
        ("民政衔接", "/monitoring/civil-affairs/", 1),
        ("监测参数", "/monitoring/parameters/", 1),
    ]
    if s.get("sites"):
        choices.append(("安置点后续扶持", f"/monitoring/relocation/{rng.choice(s['sites'])}/", 1))
    if s.get("events"):
        choices.append(("灾害事件", f"/monitoring/disasters/{rng.choice(s['events'])}/", 1))
    if s["warnings"]:
        choices.append(("预警页面", f"/monitoring/warnings/{rng.choice(s['warnings'])}/", 1))
    if s["cases"]:
        choices.append(("案件页面", f"/monitoring/cases/{rng.choice(s['cases'])}/", 1))
    names, weights = zip(*[((n, p), w) for n, p, w in choices])
    return rng.choices(names, weights)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database, FANGPIN_BIND=f"127.0.0.1:{port}", FANGPIN_WORKERS=str(workers),
               FANGPIN_CONN_MAX_AGE="600")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "--config", "python:fangpin.gunicorn_conf",
                             "--access-logfile", "/dev/null", "fangpin.wsgi"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")


def drive(port: int, cookies: dict[str, str], mix: dict[str, dict], users: int, seconds: float, think: float) -> dict:
    results: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    names = []
    for i in range(users):
        r = random.Random(i).random()
        acc = 0.0
        for who, share in ROLE_SHARE:
            acc += share
            if r <= acc:
                break
        counties = sorted(k for k in cookies if k[6:].isdigit())
        names.append(who if who != "county" else counties[i % len(counties)])

    def user(i: int) -> None:
        name = names[i]
        rng = random.Random(1000 + i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"sessionid={cookies[name]}"}
        time.sleep(rng.random() * think)  # users arrive spread over the first second
        while time.monotonic() < stop:
            page, path = pages(mix[name], rng)
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            ms = (time.perf_counter() - t) * 1000
            with lock:
                results.setdefault(page, []).append(ms)
                if not ok:
                    errors[page] = errors.get(page, 0) + 1
            time.sleep(think)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"results": results, "errors": errors, "elapsed": time.monotonic() - t0}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load(a) -> None:
    setup_django(a.database)
    from fangpin.accounts.models import User
    from fangpin.registry.models import Household

    households = Household.objects.count()
    names = list(User.objects.filter(username__startswith="bench_").values_list("username", flat=True))
    cookies = sessions(names)
    mix = {n: samples(n) for n in names}
    port = free_port()
    proc = serve(a.database, port, a.workers)
    engine = "PostgreSQL" if a.database.startswith("postgres") else "SQLite"
    try:
        drive(port, cookies, mix, 4, 10, a.think)  # warm-up: every worker has its connection and its imports
        for users in a.users:
            out = drive(port, cookies, mix, users, a.seconds, a.think)
            total = sum(len(v) for v in out["results"].values())
            print(f"\n{engine}，{households:,} 户，gunicorn {a.workers} 个进程，{users} 个用户（思考时间 {a.think:g} 秒），"
                  f"{out['elapsed']:.0f} 秒：{total:,} 次请求，{total / out['elapsed']:.1f} 次/秒")
            print(f"{'页面':<14}{'次数':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'错误':>6}  目标 p95 < {GOAL_P95_MS} ms")
            for page, ms in sorted(out["results"].items(), key=lambda kv: -pct(kv[1], 95)):
                p95 = pct(ms, 95)
                print(f"{page:<14}{len(ms):>7}{pct(ms, 50):>9.0f}{p95:>9.0f}{pct(ms, 99):>9.0f}"
                      f"{out['errors'].get(page, 0):>6}  {'达到' if p95 < GOAL_P95_MS else '未达到'}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["build", "load", "assistance"])
    ap.add_argument("--database", required=True)
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--counties", nargs="*", default=[],
                    help="build: only these counties (6-digit codes), the households spread over their villages")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--users", type=int, nargs="+", default=[20, 50])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=3)
    a = ap.parse_args()
    print(machine.line())
    {"build": build, "load": load, "assistance": lambda a: (setup_django(a.database), assistance_rows(a.seed))}[a.step](a)


if __name__ == "__main__":
    main()
