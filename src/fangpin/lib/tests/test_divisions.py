import pytest

from fangpin.lib import divisions


@pytest.mark.parametrize("code,level,prefix,parent", [
    ("140000000000", "province", "14", None),
    ("140600000000", "city", "1406", "140000000000"),
    ("140603000000", "county", "140603", "140600000000"),
    ("140603203000", "township", "140603203", "140603000000"),
    ("140603203200", "village", "140603203200", "140603203000"),
])
def test_levels_prefixes_parents(code, level, prefix, parent):
    assert divisions.level_of(code) == level
    assert divisions.prefix(code) == prefix
    assert divisions.parent_code(code) == parent


def test_full_code_pads_and_rejects():
    assert divisions.full_code("140603203") == "140603203000"
    with pytest.raises(ValueError, match="2、4、6、9或12位"):
        divisions.full_code("1406032")
    with pytest.raises(ValueError, match="12位数字"):
        divisions.level_of("14060320320")
