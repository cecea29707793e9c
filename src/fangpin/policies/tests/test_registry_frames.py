"""The engine's frames read straight from the registry for an area: on PostgreSQL the sheets are read on two
connections sharing the caller's snapshot, and give what one connection reads."""
import pytest
from django.db import connection, transaction

from fangpin.policies import registry_frames

COUNTY = "140603000000"


def test_an_areas_frames_hold_its_households_and_members(world, households):
    frames = registry_frames.area_frames(user=world.county, area=COUNTY, year=2025)
    numbers = set(frames["households"]["household_number"].to_list())
    assert {households["shuangnian"].number, households["wujiayao"].number} <= numbers
    assert households["longxian"].number not in numbers  # another county
    assert "王建国" in frames["members"]["name"].to_list()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite reads on one connection")
@pytest.mark.django_db(transaction=True)
def test_sheets_read_in_parallel_agree_with_one_connection(world, households, monkeypatch):
    assert not registry_frames._parallel()  # outside a transaction there is no snapshot to share
    with transaction.atomic():
        assert registry_frames._parallel()
        parallel = registry_frames.area_frames(user=world.county, area=COUNTY, year=2025)
        with transaction.atomic():  # a savepoint: no snapshot to export, read on the one connection
            assert not registry_frames._parallel()
            assert registry_frames.area_frames(user=world.county, area=COUNTY, year=2025)["members"].equals(
                parallel["members"])
    monkeypatch.setattr(registry_frames, "PARALLEL_READERS", 1)
    with transaction.atomic():
        assert not registry_frames._parallel()
        single = registry_frames.area_frames(user=world.county, area=COUNTY, year=2025)
    assert set(parallel) == set(single) and parallel["members"].height >= 3
    for key, frame in single.items():
        assert parallel[key].equals(frame), key
