from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fangpin.orgunits import loading
from fangpin.orgunits.models import OrgUnit


def test_slice_has_shuangnian_with_its_15_villages(db):
    shuangnian = OrgUnit.objects.get(code="140603203000")
    assert (shuangnian.name, shuangnian.level, shuangnian.parent_id) == ("双碾乡", "township", "140603000000")
    villages = OrgUnit.objects.filter(parent=shuangnian)
    assert villages.count() == 15 and all(v.level == "village" for v in villages)
    assert OrgUnit.objects.get(code="140603203200").full_name() == "平鲁区双碾乡双碾村委会"


def test_slice_has_longxian_towns_and_villages_and_hunan_counties(db):
    assert OrgUnit.objects.get(code="610327000000").name == "陇县"
    assert OrgUnit.objects.filter(parent_id="610327000000", level="township").count() >= 10
    assert OrgUnit.objects.filter(level="village", code__startswith="610327").count() > 50
    assert OrgUnit.objects.filter(level="county", code__startswith="43").count() > 100
    assert not OrgUnit.objects.filter(level="township", code__startswith="43").exists()
    assert OrgUnit.objects.filter(level="village", code__startswith="1409").count() > 1000  # 忻州市


def test_every_unit_has_its_parent(db):
    codes = set(OrgUnit.objects.values_list("code", flat=True))
    parents = set(OrgUnit.objects.values_list("parent_id", flat=True))
    assert parents - {None} <= codes


def _fake_source(tmp_path: Path) -> Path:
    (tmp_path / "provinces.csv").write_text('code,name\n62,"甘肃省"\n', encoding="utf-8")
    (tmp_path / "cities.csv").write_text('code,name,provinceCode\n6201,"兰州市",62\n', encoding="utf-8")
    (tmp_path / "areas.csv").write_text('code,name,cityCode,provinceCode\n620102,"城关区",6201,62\n', encoding="utf-8")
    (tmp_path / "streets.csv").write_text(
        'code,name,areaCode,provinceCode,cityCode\n620102001,"酒泉路街道",620102,62,6201\n', encoding="utf-8")
    (tmp_path / "villages.csv").write_text(
        'code,name,streetCode,provinceCode,cityCode,areaCode\n620102001001,"甲社区居委会",620102001,62,6201,620102\n',
        encoding="utf-8")
    return tmp_path


def test_load_a_province_from_the_package_layout(db, tmp_path):
    call_command("load_divisions", "--province", "62", "--source", str(_fake_source(tmp_path)))
    village = OrgUnit.objects.get(code="620102001001")
    assert (village.level, village.parent_id, village.parent.parent_id) == ("village", "620102001000", "620102000000")
    call_command("load_divisions", "--province", "62", "--source", str(tmp_path))  # again: updates, no duplicates
    assert OrgUnit.objects.filter(code__startswith="62").count() == 5


def test_unknown_or_malformed_province(db, tmp_path):
    with pytest.raises(CommandError, match="没有省级代码为 63"):
        call_command("load_divisions", "--province", "63", "--source", str(_fake_source(tmp_path)))
    with pytest.raises(CommandError, match="应为两位数字"):
        call_command("load_divisions", "--province", "6", "--source", str(tmp_path))


def test_slice_file_is_reproducible(tmp_path):
    rows = list(loading.read_slice())
    out = tmp_path / "again.csv.gz"
    loading.write_slice(rows, out)
    assert out.read_bytes() == loading.SLICE_FILE.read_bytes()
