import pytest

from fangpin.accounts.masking import id_number_for

FULL = {"clerk": True, "township": False, "county": True, "department": False, "leader": False, "other_county": True}
ID = "140603198005170011"


@pytest.mark.parametrize("who,full", FULL.items())
def test_masking_by_role(world, who, full):
    shown = id_number_for(world.users()[who], ID)
    assert shown == (ID if full else "1406**********0011")


def test_blank_stays_blank(world):
    assert id_number_for(world.leader, "") == ""
