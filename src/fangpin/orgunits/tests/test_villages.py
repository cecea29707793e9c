"""Villages by the names people write: committee or village name, alone or with the township."""
import pytest

from fangpin.orgunits.villages import VillageNames, short_name, village_names

ROWS = [  # (code, village, township, county)
    ("140603203200", "双碾村委会", "双碾乡", "平鲁区"),
    ("140603203203", "吴家窑村委会", "双碾乡", "平鲁区"),
    ("140603205219", "赵家窑村委会", "高石庄乡", "平鲁区"),
    ("140603207212", "赵家窑村委会", "下面高乡", "平鲁区"),
    ("140981001001", "古城社区居民委员会", "城关镇", "原平市"),
    ("140602001001", "古城社区居委会", "城关镇", "朔城区"),
]


@pytest.mark.parametrize("official,short", [
    ("双碾村委会", "双碾村"), ("云务村民委员会", "云务村"), ("古城社区居委会", "古城社区"),
    ("东大街社区居民委员会", "东大街社区"), ("阳方口煤矿虚拟社区", "阳方口煤矿虚拟社区"), ("村委会", "村委会"),
])
def test_short_name(official, short):
    assert short_name(official) == short


def test_a_unique_name_alone_or_qualified_in_either_form():
    names = VillageNames(ROWS)
    for text in ("双碾村", "双碾村委会", "双碾乡双碾村", "双碾乡双碾村委会", "平鲁区双碾乡双碾村", " 双碾乡 双碾村 ", "双碾乡双碾村"):
        assert names.resolve(text) == "140603203200", text


def test_a_shared_name_gives_the_candidates_and_the_township_tells_them_apart():
    names = VillageNames(ROWS)
    assert names.resolve("赵家窑村") == ["高石庄乡赵家窑村", "下面高乡赵家窑村"]
    assert names.resolve("下面高乡赵家窑村") == "140603207212"
    assert names.resolve("不存在村") == []


def test_labels_name_the_county_only_where_the_township_is_not_enough():
    names = VillageNames(ROWS)
    labels = {v.code: v.label for v in names.villages}
    assert labels["140603203200"] == "双碾乡双碾村"
    assert labels["140981001001"] == "原平市城关镇古城社区" and labels["140602001001"] == "朔城区城关镇古城社区"
    assert all(names.resolve(v.label) == v.code for v in names.villages)  # every value of the drop-down list resolves
    assert names.resolve("城关镇古城社区") == ["朔城区城关镇古城社区", "原平市城关镇古城社区"]


def test_an_area_is_read_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = village_names("140603")
    assert len(names) > 100 and names.resolve("双碾村") == "140603203200"
    assert all(v.code.startswith("140603") for v in names.villages)
    assert len(village_names("140603203200")) == 1
