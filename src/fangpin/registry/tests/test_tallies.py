"""The village tallies equal a fresh count after every kind of write: a form or API save, a move to another
village, a category change, a deletion, and an import (bulk writes, no signals)."""
from django.db.models import Count

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household, new_id
from fangpin.exchange import importer
from fangpin.exchange.tests.helpers import household, member, workbook
from fangpin.registry import tallies
from fangpin.registry.models import Household, VillageTally


def fresh() -> dict:
    return {(c["village_id"], c["category"]): c["n"] for c in
            Household.objects.order_by().values("village_id", "category").annotate(n=Count("id"))}


def kept() -> dict:
    return {(t.village_id, t.category): t.households for t in VillageTally.objects.all() if t.households}


def test_tallies_follow_every_write(world, households, tmp_path):
    assert kept() == fresh()
    h = make_household(SHUANGNIAN_CUN, "1406032032000077")
    assert kept() == fresh()
    h.village_id = WUJIAYAO  # moved: both villages recounted
    h.save()
    assert kept() == fresh()
    h.category, h.monitor_type = "monitored", "marginal"
    h.save()
    assert kept() == fresh()
    h.delete()
    assert kept() == fresh()
    path = workbook(tmp_path / "in.xlsx", {
        "households": [household("N1"), household("N2", village=WUJIAYAO),
                       household(households["shuangnian"].number, village=WUJIAYAO)],  # an existing one moves
        "members": [member("N1", new_id()), member("N2", new_id())]})
    assert importer.import_file(user=world.county, path=path).ok
    assert kept() == fresh()
    VillageTally.objects.all().delete()
    tallies.rebuild()
    assert kept() == fresh()


def test_the_overview_reads_the_tallies(world, households):
    from django.test import Client

    c = Client()
    c.force_login(world.county)
    make_household(SHUANGNIAN_CUN, "1406032032000078")
    page = c.get("/").content.decode()
    assert VillageTally.objects.get(village_id=SHUANGNIAN_CUN, category="lifted").households == 2
    assert "双碾村" in page
