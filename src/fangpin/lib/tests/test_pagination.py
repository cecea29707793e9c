"""A list longer than the cap is counted up to the cap and says so; a shorter one is counted exactly."""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.lib import pagination
from fangpin.registry.models import Household


def test_the_count_stops_at_the_cap(world, monkeypatch):
    for i in range(5):
        make_household(SHUANGNIAN_CUN, f"14060320320088{i:02d}")
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 3)
    p = pagination.CappedPaginator(Household.objects.order_by("number"), 2)
    with CaptureQueriesContext(connection) as ctx:
        assert (p.count, p.capped, p.num_pages) == (3, True, 2)
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]  # the database stops counting after cap + 1 rows
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 5)
    p = pagination.CappedPaginator(Household.objects.order_by("number"), 2)
    assert (p.count, p.capped) == (5, False)


def test_a_capped_list_asks_for_a_narrower_filter(world, monkeypatch):
    for i in range(4):
        make_household(SHUANGNIAN_CUN, f"14060320320077{i:02d}")
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 2)
    c = Client()
    c.force_login(world.county)
    page = c.get("/households/").content.decode()
    assert "超过 2 户，只列出前 2 户：请按村、户类别或姓名缩小范围" in page
    body = c.get("/api/households").json()
    assert (body["count"], body["count_capped"]) == (2, True)
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 10)
    assert "共 4 户" in c.get("/households/?q=140603203200770").content.decode()


def test_the_count_leaves_out_the_pages_annotations(world):
    from fangpin.registry import selectors

    make_household(SHUANGNIAN_CUN, "1406032032006601", members=2)
    qs = selectors.household_list(user=world.county)  # annotated with each household's size (a subquery per row)
    with CaptureQueriesContext(connection) as ctx:
        assert pagination.CappedPaginator(qs, 50).count == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "registry_member" not in sql and "ORDER BY" not in sql
