"""The household page's 可享政策 panel and its API: the engine on registry rows, IDs masked per role."""
import datetime as dt

import pytest
from django.test import Client

from fangpin.registry.models import Employment


@pytest.fixture
def worker(world, households):
    h = households["shuangnian"]
    head = h.members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 1, 1), months=8,
                              monthly_wage=300000)
    return h, head


def test_panel_lists_what_is_owed_with_the_clause(world, worker):
    h, head = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/?as_of=2025-06-30").content.decode()
    assert "可享政策" in page and "务工就业交通补贴" in page and "双发〔2022〕67号 第10条" in page
    assert "依据双发〔2022〕67号第11条：连续外出务工8个月（≥6个月），月工资3000元（≥1000元），按每月200元补助6个月，计1200元" in page
    assert "2,700.00" in page  # 1500 + 1200


def test_out_of_force_date_says_why(world, worker):
    h, _ = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/?as_of=2026-11-23").content.decode()
    assert "不在有效期内" in page and "务工就业交通补贴" not in page


@pytest.mark.parametrize("who,masked", [("clerk", False), ("township", True), ("county", False), ("leader", True)])
def test_api_masks_ids_per_role(world, worker, who, masked):
    h, head = worker
    c = Client()
    c.force_login(getattr(world, who))
    body = c.get(f"/api/households/{h.pk}/entitlements?as_of=2025-06-30").json()
    ids = {i["id_number"] for i in body["items"] if i["entity"] == "person"}
    assert ids == {head.id_number[:4] + "*" * 14 if masked else head.id_number}
    assert sum(i["amount"] for i in body["items"] if i["entity"] == "person") == 270000


def test_other_counties_households_are_not_evaluated(world, worker):
    h, _ = worker
    c = Client()
    c.force_login(world.other_county)
    assert c.get(f"/api/households/{h.pk}/entitlements?as_of=2025-06-30").status_code == 404
