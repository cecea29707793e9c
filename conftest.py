"""The shared test world: the real division slice (loaded once), one user per role, a few households.

平鲁区 (140603) has 双碾乡 with 双碾村 and 吴家窑村, and another township with one village; 陇县 (610327)
is another county. Users: clerk (双碾村), township (双碾乡), county (平鲁区), department (平鲁区),
leader (朔州市), other_county (陇县).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest

from fangpin.lib import idnumber

# the demo, built by several tests, takes three snapshot days, not every month end (docs/deployment.md)
os.environ.setdefault("FANGPIN_DEMO_SNAPSHOTS", "few")

SHUANGNIAN_CUN = "140603203200"
WUJIAYAO = "140603203203"
SHUANGNIAN = "140603203000"
PINGLU = "140603000000"
SHUOZHOU = "140600000000"
LONGXIAN = "610327000000"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from fangpin.orgunits import loading

    with django_db_blocker.unblock():
        loading.load(loading.read_slice())


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def kept(django_db_blocker, build):
    """For a class- or module-scoped fixture (`yield from kept(django_db_blocker, build)`): what `build()` writes is
    made once and kept for the fixture's tests, then rolled back.

    The data is written in a transaction opened here; each test's own transaction (pytest-django's `db`) is a savepoint
    inside it, rolled back at the test's end, so a test that writes leaks into no other, as with Django's
    TestCase.setUpTestData. Only for tests that use `db`, not `transactional_db` (its flush would end this transaction).
    The database is open to `build` only, not to the tests in between (each asks for `db` as before).
    """
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            data = build()
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@dataclass
class World:
    clerk: object
    clerk2: object
    township: object
    county: object
    department: object
    leader: object
    other_county: object
    other_township_village: str
    longxian_village: str

    def users(self) -> dict:
        return {
            "clerk": self.clerk, "township": self.township, "county": self.county,
            "department": self.department, "leader": self.leader, "other_county": self.other_county,
        }


def make_user(username, role, org_unit, department=""):
    from fangpin.accounts.models import User

    user = User(username=username, role=role, org_unit_id=org_unit, department=department)
    user.set_password("secret-pass-1")
    user.full_clean()
    user.save()
    return user


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The users of every role (see the module's docstring) and the places of the other households."""
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    if not OrgUnit.objects.exists():  # a transactional test before this one flushed the tables
        loading.load(loading.read_slice())

    other_township = OrgUnit.objects.filter(parent_id=PINGLU, level="township").exclude(code=SHUANGNIAN).first()
    other_village = OrgUnit.objects.filter(parent=other_township).first()
    longxian_village = OrgUnit.objects.filter(level="village", code__startswith="610327").first()
    return World(
        clerk=make_user("clerk", "village_clerk", SHUANGNIAN_CUN),
        clerk2=make_user("clerk2", "village_clerk", WUJIAYAO),
        township=make_user("township", "township_reviewer", SHUANGNIAN),
        county=make_user("county", "county_bureau", PINGLU),
        department=make_user("department", "department_officer", PINGLU, "医保"),
        leader=make_user("leader", "leader", SHUOZHOU),
        other_county=make_user("other_county", "county_bureau", LONGXIAN),
        other_township_village=other_village.code,
        longxian_village=longxian_village.code,
    )


_counter = iter(range(10**7))


def new_id(region="140603", birth=dt.date(1980, 5, 17), male=True) -> str:
    """A fresh valid ID number: unique in the session (the birth date moves on every 499 numbers)."""
    n = next(_counter)
    seq = 1 + 2 * (n % 499) + (0 if male else 1)
    return idnumber.make(region, birth + dt.timedelta(days=n // 499), seq)


def make_household(village: str, number: str, *, category="lifted", monitor_type="", members=1, head_name="张三",
                   region="140603"):
    from fangpin.registry.models import Household, Member

    h = Household.objects.create(number=number, village_id=village, category=category, monitor_type=monitor_type)
    for i in range(members):
        id_number = new_id(region)
        info = idnumber.parse(id_number)
        Member.objects.create(
            household=h, id_number=id_number, name=head_name if i == 0 else f"{head_name}家{i}",
            relation="head" if i == 0 else "child", sex=info.sex, birth_date=info.birth_date, labor_capacity="laborer",
        )
    return h


@pytest.fixture
def households(world):
    return build_households(world)


def build_households(world) -> dict:
    """One household in each of: 双碾村, 吴家窑村, another 平鲁区 township's village, 陇县."""
    return {
        "shuangnian": make_household(SHUANGNIAN_CUN, "1406032032000001", members=3, head_name="王建国"),
        "wujiayao": make_household(WUJIAYAO, "1406032032030001", category="monitored", monitor_type="marginal", head_name="李秀英"),
        "other_township": make_household(world.other_township_village, f"{world.other_township_village}0001", head_name="赵国平"),
        "longxian": make_household(world.longxian_village, f"{world.longxian_village}0001", category="ordinary",
                                   head_name="刘明", region="610327"),
    }
