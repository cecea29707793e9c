"""The village tallies equal a fresh count after every kind of write: a form or API save, a move to another
village, a category change, a deletion, and an import (bulk writes, no signals)."""
from django.db.models import Count

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household, new_id
from fangpin.exchange import importer
from fangpin.exchange.tests.helpers import household, member, workbook
from fangpin.registry import selectors, tallies
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
    assert VillageTally.objects.get(village_id=SHUANGNIAN_CUN, category="lifted").households == 2
    page = c.get("/").content.decode()  # a county's townships, each a link one level down
    assert "双碾乡" in page and "?unit=140603203000" in page and "双碾村" not in page
    page = c.get("/?unit=140603203000").content.decode()  # the township's villages, each a link to its list
    assert "双碾村" in page and "?village=140603203200" in page and "吴家窑村" in page


def test_the_overview_rolls_up_one_level_at_a_time_within_the_area(world, households):
    from django.test import Client

    c = Client()
    c.force_login(world.county)
    rows = {r["code"]: r for r in selectors.area_counts(user=world.county, unit=world.county.org_unit)}
    township = rows["140603203000"]
    assert township["name"] == "双碾乡" and township["level"] == "township"
    assert (township["lifted"], township["monitored"], township["total"]) == (1, 1, 2)  # 双碾村 + 吴家窑村
    assert sum(r["total"] for r in rows.values()) == Household.objects.filter(village__code__startswith="140603").count()
    assert c.get("/?unit=610327000000").status_code == 404  # 陇县: another county's area
    assert c.get("/?unit=999999999999").status_code == 404
    clerk = Client()
    clerk.force_login(world.clerk)  # a village clerk: the village itself
    assert [r["code"] for r in selectors.area_counts(user=world.clerk, unit=world.clerk.org_unit)] == [SHUANGNIAN_CUN]
    assert clerk.get("/?unit=140603203000").status_code == 404  # the township above is not the clerk's
