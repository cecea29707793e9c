"""Attacks on the area parameters (?unit=, ?township=, ?village=), the range scope and the maintained tallies: every
role stays in its area, malformed codes are 404 or nothing, and concurrent writes in one village neither fail nor
leave a stale count (PostgreSQL)."""
import datetime as dt
import itertools
import random

import pytest
from django.test import Client

from conftest import LONGXIAN, SHUANGNIAN_CUN, SHUOZHOU, WUJIAYAO, make_household
from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit


def client(user):
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


# ---- the range equals the prefix, for every prefix shape --------------------------------------------------------

def test_range_equals_prefix_for_digit_codes():
    rnd = random.Random(1)
    codes = {"".join(rnd.choice("0123456789") for _ in range(12)) for _ in range(20000)}
    # codes around 9-boundaries
    for p in ("1", "14", "19", "99", "1409", "1499", "140699", "140603999", "140603203999", "999999999999",
              "140603209", "149999"):
        for tail in itertools.product("09", repeat=2):
            codes.add((p + "".join(tail)).ljust(12, "0")[:12])
            codes.add((p + "".join(tail)).ljust(12, "9")[:12])
        nxt = access._next_prefix(p)
        if nxt:
            codes.add(nxt.ljust(12, "0"))
    prefixes = {c[:n] for c in list(codes)[:500] for n in (2, 4, 6, 9, 12)} | {"19", "99", "1409", "140699",
                                                                                  "140603999", "140603203999"}
    for p in prefixes:
        upper = access._next_prefix(p)
        for c in codes:
            in_range = c >= p and (upper is None or c < upper)
            assert in_range == c.startswith(p), (p, c, upper)


# ---- ?unit= for every role ---------------------------------------------------------------------------------------

def _outside_units(world):
    return [LONGXIAN, world.longxian_village, "610000000000", "140000000000"]


def test_unit_parameter_per_role(world, households):
    users = dict(world.users(), clerk2=world.clerk2)
    for name, user in users.items():
        own = user.org_unit
        inside = [u.code for u in OrgUnit.objects.filter(access.subtree("code", own.prefix))][:50]
        for path in ("/", "/monitoring/", "/api/monitoring/villages"):
            c = client(user)
            for code in inside:
                r = c.get(path, {"unit": code})
                assert r.status_code in (200, 403), (name, path, code, r.status_code)
                if path.startswith("/api") and r.status_code == 200:
                    for row in r.json():
                        assert access.covers(user, row["code"]), (name, code, row)
            for code in _outside_units(world) + [SHUOZHOU] * (own.code != SHUOZHOU):
                if access.covers(user, code) or (name == "department" and path == "/"):
                    continue
                r = c.get(path, {"unit": code})
                assert r.status_code in (403, 404), (name, path, code, r.status_code)
            for bad in [] if (name == "department" and path == "/") else ("abc", "1406", "14060320320", "1" * 40, "%", "_", "1406%"):
                r = c.get(path, {"unit": bad})
                assert r.status_code in (403, 404), (name, path, bad, r.status_code)


def test_nul_in_unit_or_township_is_not_a_500(world, households):
    """On PostgreSQL a NUL byte in a string parameter makes psycopg refuse the query (DataError -> 500)."""
    c = client(world.county)
    results = {}
    for path, params in (("/", {"unit": "1406\x00"}), ("/monitoring/", {"unit": "1406\x00"}),
                         ("/api/monitoring/villages", {"unit": "1406\x00"}),
                         ("/households/", {"township": "1406\x00"})):
        results[(path, tuple(params))] = c.get(path, params).status_code
    assert all(s != 500 for s in results.values()), results


def test_household_picker_outside_area(world, households):
    c = client(world.township)
    for q in ({"township": LONGXIAN}, {"village": world.longxian_village},
              {"township": world.other_township_village[:9] + "000"}, {"village": world.other_township_village},
              {"village": "14"}, {"township": "14"}, {"village": "6103"}):
        r = c.get("/households/", q)
        assert r.status_code == 200
        text = r.content.decode()
        assert households["longxian"].number not in text and households["other_township"].number not in text, q


def test_api_household_list_village_filter_outside(world, households):
    c = client(world.township)
    for v in (LONGXIAN, world.longxian_village, "61", "6103", "14", "1406", world.other_township_village, "9" * 12):
        r = c.get("/api/households", {"village": v})
        assert r.status_code == 200, (v, r.status_code)
        nums = {h["household_number"] for h in r.json()["items"]}
        assert nums <= {households["shuangnian"].number, households["wujiayao"].number}, (v, nums)


# ---- concurrent writes in one village: the tally recount (DELETE then INSERT) ------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writes_in_one_village_do_not_fail(world, households):
    """Two clerks add a measure to two monitored households of one village at the same time (PostgreSQL).

    Each save recounts the village's MonitoringTally rows (DELETE ... then INSERT) in its own transaction; the second
    DELETE waits for the first transaction, skips the rows it deleted and does not see the rows it inserted, so its
    INSERT collides with them on monitoring_tally_one_per_measure."""
    import threading
    import time

    from django.db import connection, connections, transaction
    from fangpin.monitoring import assistance
    from fangpin.monitoring.models import MonitoringTally

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    a = households["wujiayao"]  # monitored
    b = make_household(WUJIAYAO, "1406032032030002", category="monitored", monitor_type="marginal")
    assert MonitoringTally.objects.filter(village_id=WUJIAYAO).exists()
    errors, first_in = [], threading.Event()

    def one(h, hold):
        try:
            with transaction.atomic():
                assistance.add_measure(world.clerk2, h, kind="employment", description="务工", start=dt.date(2026, 1, 5))
                first_in.set()
                time.sleep(hold)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connections.close_all()

    t1 = threading.Thread(target=one, args=(a, 1.0))
    t1.start()
    first_in.wait(5)
    t2 = threading.Thread(target=one, args=(b, 0))
    t2.start()
    t1.join(), t2.join()
    assert not errors, [f"{type(e).__name__}: {e}" for e in errors]


# ---- the importer -------------------------------------------------------------------------------------------------

def test_import_integrity_error_from_copy_is_chinese_and_writes_nothing(world, households, tmp_path, monkeypatch):
    from fangpin.exchange import importer
    from fangpin.exchange.tests.helpers import household, member, workbook
    from fangpin.lib import bulkwrite
    from fangpin.monitoring.models import MonitoringTally
    from fangpin.registry.models import Household, Member, VillageTally
    from conftest import new_id

    taken = Member.objects.order_by("pk").first().pk
    original = bulkwrite.allocate_ids

    def clash(model, n):
        ids = original(model, n)
        return [taken] + ids[1:] if model is Member else ids

    monkeypatch.setattr(bulkwrite, "allocate_ids", clash)
    before = (Household.objects.count(), Member.objects.count(), Household.history.count(), Member.history.count(),
              sorted(MonitoringTally.objects.values_list("village_id", "measure", "n")),
              sorted(VillageTally.objects.values_list("village_id", "category", "households")))
    path = workbook(tmp_path / "x.xlsx", {
        "households": [household("R1"), household("R2", category="监测户", monitor_type="边缘易致贫户")],
        "members": [member("R1", new_id()), member("R2", new_id())]})
    result = importer.import_file(user=world.county, path=path, batch_size=1)
    assert not result.ok
    assert any("未写入任何数据" in p.message for p in result.problems), [p.message for p in result.problems]
    after = (Household.objects.count(), Member.objects.count(), Household.history.count(), Member.history.count(),
             sorted(MonitoringTally.objects.values_list("village_id", "measure", "n")),
             sorted(VillageTally.objects.values_list("village_id", "category", "households")))
    assert after == before and result.counts == {}


@pytest.mark.django_db(transaction=True)
def test_an_import_fails_when_a_clerk_writes_in_one_of_its_villages(world, households, tmp_path):
    """PostgreSQL: the import's tally recount collides with a concurrent measure saved in one of its villages."""
    import threading
    import time

    from django.db import connection, connections, transaction
    from fangpin.exchange import importer
    from fangpin.exchange.tests.helpers import household, member, workbook
    from fangpin.monitoring import assistance
    from conftest import new_id

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    path = workbook(tmp_path / "w.xlsx", {
        "households": [household("W1", village=WUJIAYAO, category="监测户", monitor_type="边缘易致贫户")],
        "members": [member("W1", new_id())]})
    inside = threading.Event()

    def clerk():
        try:
            with transaction.atomic():
                assistance.add_measure(world.clerk2, households["wujiayao"], kind="employment", description="务工",
                                       start=dt.date(2026, 1, 5))
                inside.set()
                time.sleep(1.5)
        finally:
            connections.close_all()

    t = threading.Thread(target=clerk)
    t.start()
    inside.wait(5)
    result = importer.import_file(user=world.county, path=path)
    t.join()
    assert result.ok, [p.message for p in result.problems]


def test_range_scope_equals_prefix_in_the_database(world):
    extra = ["140603203999", "140603204000", "140603209999", "140603210000", "140699999999", "140700000000",
             "149999999999", "150000000000", "199999999999", "200000000000", "999999999999", "140609000000"]
    OrgUnit.objects.bulk_create([OrgUnit(code=c, name=c, level=divisions.level_of(c)) for c in extra],
                                ignore_conflicts=True)
    codes = list(OrgUnit.objects.values_list("code", flat=True))
    prefixes = {c[:n] for c in codes for n in (2, 4, 6, 9, 12)}
    for p in sorted(prefixes):
        by_range = set(OrgUnit.objects.filter(access.subtree("code", p)).values_list("code", flat=True))
        assert by_range == {c for c in codes if c.startswith(p)}, p


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_leave_a_stale_tally(world, households):
    """PostgreSQL, no error at all: 双碾村 has one open warning and no monitored household. A clerk saves a measure for
    one household (recount: DELETE + INSERT the warnings row) while the same village's warning is dismissed (recount:
    its DELETE waits, skips the deleted row, cannot see the re-inserted one, and inserts nothing). The tally keeps the
    dismissed warning."""
    import threading
    import time

    from django.db import connection, connections, transaction
    from fangpin.monitoring import assistance, department, selectors
    from fangpin.monitoring.models import MonitoringTally, Warning

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    h = households["shuangnian"]  # lifted, not monitored
    w = Warning.objects.create(household=h, rule="medical", label="医疗", period="2026", risk="medical", reason="r",
                               source_count=1, deadline=dt.date(2026, 2, 1))
    assert list(MonitoringTally.objects.filter(village_id=SHUANGNIAN_CUN).values_list("measure", "n")) == [("warnings", 1)]
    h2 = make_household(SHUANGNIAN_CUN, "1406032032000002")  # another household of the village, not monitored
    inside = threading.Event()

    def clerk_measure():
        try:
            with transaction.atomic():
                assistance.add_measure(world.clerk, h2, kind="employment", description="务工", start=dt.date(2026, 1, 5))
                inside.set()
                time.sleep(1.5)
        finally:
            connections.close_all()

    t = threading.Thread(target=clerk_measure)
    t.start()
    inside.wait(5)
    department.verify(world.clerk, w, at_risk=False, note="入户核实无风险")
    t.join()
    assert not Warning.objects.filter(status="open").exists()
    stale = list(MonitoringTally.objects.filter(village_id=SHUANGNIAN_CUN).values_list("measure", "n"))
    rows = selectors.village_counts(user=world.county, today=dt.date(2026, 1, 10))
    assert stale == [], (stale, rows)


def test_nul_in_a_search_term_or_parent_is_not_a_500(world, households):
    c = client(world.county)
    for path, params in (("/api/households", {"q": "王\x00"}), ("/api/orgunits", {"parent": "\x00"}),
                         ("/households/", {"village": "\x00"}), ("/api/households", {"village": "14\x00"})):
        assert c.get(path, params).status_code == 200, (path, params)
