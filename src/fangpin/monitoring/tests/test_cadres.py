"""帮扶干部名册: who registers cadres where, which cadres a household may be paired with, what a pairing keeps, and
what each role reads."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO
from fangpin.monitoring import assistance
from fangpin.monitoring import selectors as ms
from fangpin.monitoring.models import Cadre, ContactCadre

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def roster(world):
    """A cadre at each level above 双碾村, one in its sibling village 吴家窑村, one in 陇县 and one off the roster."""
    def add(unit, name, user):
        return assistance.add_cadre(user, org_unit_id=unit, name=name, unit=f"{name}的单位", phone=f"139{len(name)}0000")

    return {
        "county": add(PINGLU, "区干部", world.county),
        "township": add(SHUANGNIAN, "乡干部", world.county),
        "village": add(SHUANGNIAN_CUN, "村干部", world.clerk),
        "sibling": add(WUJIAYAO, "邻村干部", world.clerk2),
        "longxian": add(world.longxian_village, "陇县干部", world.other_county),
        "gone": add(SHUANGNIAN_CUN, "调走干部", world.clerk),
    }


@pytest.fixture
def left(roster, world):
    assistance.update_cadre(world.clerk, roster["gone"], unit="已调离", phone="0", active=False, reason="调离")
    return roster


def test_a_clerk_registers_cadres_only_in_the_own_village(world):
    with pytest.raises(PermissionDenied):
        assistance.add_cadre(world.clerk, org_unit_id=SHUANGNIAN, name="甲", unit="乡政府", phone="1")
    with pytest.raises(PermissionDenied):
        assistance.add_cadre(world.clerk, org_unit_id=WUJIAYAO, name="甲", unit="村委", phone="1")
    with pytest.raises(PermissionDenied):  # a township reviewer decides cases, it does not keep the roster
        assistance.add_cadre(world.township, org_unit_id=SHUANGNIAN, name="甲", unit="乡政府", phone="1")
    assert not Cadre.objects.exists()


def test_the_same_cadre_twice_in_a_unit_is_refused_and_blanks_are_refused(world):
    assistance.add_cadre(world.county, org_unit_id=PINGLU, name="甲", unit="区局", phone="1")
    with pytest.raises(ValidationError):
        assistance.add_cadre(world.county, org_unit_id=PINGLU, name="甲", unit="另一单位", phone="1")
    assistance.add_cadre(world.county, org_unit_id=SHUANGNIAN, name="甲", unit="区局", phone="1")  # another unit's
    with pytest.raises(ValidationError, match="请填写"):
        assistance.add_cadre(world.county, org_unit_id=PINGLU, name="乙", unit="  ", phone="2")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's own guard
        Cadre.objects.create(org_unit_id=PINGLU, name="丙", unit="", phone="3")
    assert Cadre.objects.count() == 2


def test_a_household_may_be_paired_with_its_village_and_the_units_above(world, households, left):
    h = households["shuangnian"]
    names = [c.name for c in ms.cadre_choices(user=world.clerk, household=h)]
    assert names == ["村干部", "乡干部", "区干部"]  # nearest first; not the sibling village's, 陇县's or one who left
    for key in ("sibling", "longxian"):
        with pytest.raises(ValidationError, match="名册中选择"):
            assistance.assign_cadre(world.clerk, h, cadre=left[key], since=DAY)
    with pytest.raises(ValidationError, match="已移出帮扶干部名册"):
        assistance.assign_cadre(world.clerk, h, cadre=left["gone"], since=DAY)
    assert not ContactCadre.objects.exists()


def test_a_pairing_copies_the_roster_and_keeps_it_when_the_roster_changes(world, households, roster):
    h = households["shuangnian"]
    first = assistance.assign_cadre(world.clerk, h, cadre=roster["township"], since=DAY)
    assert (first.cadre, first.name, first.unit, first.phone) == (roster["township"], "乡干部", "乡干部的单位", "13930000")
    assistance.update_cadre(world.county, roster["township"], unit="乡政府办", phone="0349-1", active=True)
    first.refresh_from_db()
    assert (first.unit, first.phone) == ("乡干部的单位", "13930000")  # who was paired then, as it was then
    with pytest.raises(ValidationError, match="已是该户的帮扶联系人"):
        assistance.assign_cadre(world.clerk, h, cadre=roster["township"], since=DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="应晚于现联系人"):
        assistance.assign_cadre(world.clerk, h, cadre=roster["village"], since=DAY)
    second = assistance.assign_cadre(world.clerk, h, cadre=roster["village"], since=DAY + dt.timedelta(days=1))
    first.refresh_from_db()
    assert first.until == DAY and first.end_reason == "更换帮扶联系人" and second.until is None


def test_a_pairing_outside_the_writers_area_is_refused(world, households, roster):
    with pytest.raises(PermissionDenied):
        assistance.assign_cadre(world.clerk, households["wujiayao"], cadre=roster["township"], since=DAY)
    with pytest.raises(PermissionDenied):
        assistance.assign_cadre(world.other_county, households["shuangnian"], cadre=roster["county"], since=DAY)
    assert not ContactCadre.objects.exists()


def test_only_the_area_that_registered_a_cadre_edits_it(world, roster):
    with pytest.raises(PermissionDenied):
        assistance.update_cadre(world.clerk, roster["township"], unit="x", phone="1", active=False)
    with pytest.raises(PermissionDenied):
        assistance.update_cadre(world.other_county, roster["county"], unit="x", phone="1", active=False)
    assistance.update_cadre(world.county, roster["village"], unit="村委会主任", phone="2", active=True, reason="换届")
    roster["village"].refresh_from_db()
    assert roster["village"].unit == "村委会主任"
    assert roster["village"].history.first().history_change_reason == "换届"
    assert Cadre.objects.filter(active=False).count() == 0


@pytest.mark.parametrize("who, expected", [
    ("clerk", {"区干部", "乡干部", "村干部", "调走干部"}),
    ("clerk2", {"区干部", "乡干部", "邻村干部"}),
    ("township", {"区干部", "乡干部", "村干部", "调走干部", "邻村干部"}),
    ("county", {"区干部", "乡干部", "村干部", "调走干部", "邻村干部"}),
    ("leader", {"区干部", "乡干部", "村干部", "调走干部", "邻村干部"}),
    ("other_county", {"陇县干部"}),
])
def test_each_role_reads_its_area_and_the_units_above(world, roster, who, expected):
    user = getattr(world, who)
    assert {c.name for c in ms.cadre_list(user=user)} == expected


def test_the_list_narrows_to_a_village_and_to_those_on_the_roster(world, left):
    assert {c.name for c in ms.cadre_list(user=world.county, area=WUJIAYAO)} == {"区干部", "乡干部", "邻村干部"}
    assert {c.name for c in ms.cadre_list(user=world.county, area=SHUANGNIAN_CUN, active="0")} == {"调走干部"}
    assert not ms.cadre_list(user=world.county, area="bad").exists()


def test_the_household_page_offers_the_roster_and_pairs_from_it(world, households, roster):
    c = Client()
    c.force_login(world.clerk)
    h = households["shuangnian"]
    page = c.get(f"/households/{h.pk}/monitoring/").content.decode()
    village = roster["village"].org_unit.name
    assert f"村干部（村干部的单位，13930000）· {village}名册" in page and "邻村干部" not in page
    r = c.post(f"/households/{h.pk}/monitoring/", {"action": "cadre", "cadre": roster["sibling"].pk, "since": "2026-03-01"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()  # not offered, so not accepted
    r = c.post(f"/households/{h.pk}/monitoring/", {"action": "cadre", "cadre": roster["county"].pk, "since": "2026-03-01"})
    assert r.status_code == 302 and h.contact_cadres.get().cadre == roster["county"]


def test_without_a_roster_the_page_says_where_to_register(world, households):
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{households['shuangnian'].pk}/monitoring/").content.decode()
    assert "还没有在册干部" in page and "/monitoring/cadres/" in page


def test_the_roster_page_registers_counts_pairings_and_exports(world, households, roster):
    import io

    import openpyxl

    assistance.assign_cadre(world.clerk, households["shuangnian"], cadre=roster["township"], since=DAY)
    c = Client()
    c.force_login(world.county)
    r = c.post("/monitoring/cadres/", {"org_unit": WUJIAYAO, "name": "新干部", "unit": "村委会", "phone": "5"})
    assert r.status_code == 302 and Cadre.objects.filter(name="新干部", org_unit_id=WUJIAYAO).exists()
    r = c.post("/monitoring/cadres/", {"org_unit": world.longxian_village, "name": "越界", "unit": "x", "phone": "5"})
    assert r.status_code == 200 and not Cadre.objects.filter(name="越界").exists()
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(c.get("/monitoring/cadres/?format=xlsx").streaming_content)))
    rows = [[cell.value for cell in row] for row in wb.active.iter_rows()]
    header = rows.index(["登记区划", "姓名", "工作单位及职务", "联系电话", "名册状态", "本辖区现结对户数"])
    body = {r[1]: r for r in rows[header + 1:] if r[1]}
    assert body["乡干部"][0] == roster["township"].org_unit.name and body["乡干部"][5] == 1 and body["区干部"][5] == 0
    wujiayao = Cadre.objects.select_related("org_unit__parent").get(name="新干部").org_unit
    assert body["新干部"][0] == wujiayao.parent.name + wujiayao.name and "陇县干部" not in body


def test_a_pairing_may_not_start_after_today(world, households, roster):
    from django.utils import timezone

    with pytest.raises(ValidationError, match="不能晚于今天"):
        assistance.assign_cadre(world.clerk, households["shuangnian"], cadre=roster["village"],
                                since=timezone.localdate() + dt.timedelta(days=1))
    assert not ContactCadre.objects.exists()


def test_a_duplicate_registered_at_the_same_moment_is_refused_by_the_database(world, monkeypatch):
    """Two requests both pass the check before either writes: the unique constraint answers, in Chinese."""
    assistance.add_cadre(world.county, org_unit_id=PINGLU, name="甲", unit="区局", phone="1")
    monkeypatch.setattr(Cadre, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError, match="已有同名同电话"):
        assistance.add_cadre(world.county, org_unit_id=PINGLU, name="甲", unit="区局", phone="1")
    assert Cadre.objects.count() == 1


def test_pairing_counts_are_of_the_readers_area(world, households, roster):
    """A county cadre paired in two villages: the county sees 2, each village's clerk its own 1."""
    assistance.assign_cadre(world.clerk, households["shuangnian"], cadre=roster["county"], since=DAY)
    assistance.assign_cadre(world.clerk2, households["wujiayao"], cadre=roster["county"], since=DAY)
    assert ms.cadre_pairings([roster["county"]], user=world.county) == {roster["county"].pk: 2}
    assert ms.cadre_pairings([roster["county"]], user=world.clerk) == {roster["county"].pk: 1}
