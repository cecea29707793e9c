"""The PV ledger through the exchange format: stations, their yearly income (key: station and year) and each village's
use (key: village and year), errors by sheet, row and column, the linked asset in the keeper's area, and the export
that reads back identically."""
import io
import json

import pytest
from django.db import IntegrityError, transaction
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO
from fangpin.assets.ledger import PV_LEDGER as LEDGER
from fangpin.assets.models import Station, StationIncome, VillagePvUse
from fangpin.exchange import workbooks
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.ledgers.testing import exchange_doc, json_file

from .factories import asset

pytestmark = pytest.mark.django_db

STATION = {"code": "GF-PL-01", "name": "双碾村村级光伏电站", "kind": "village", "division_code": SHUANGNIAN_CUN,
           "capacity_kw": "300.00", "connected_on": "2018-06-30", "owner": "双碾村股份经济合作社",
           "asset_code": "ZC-GF-01", "note": None}
HUB = {**STATION, "code": "GF-PL-JZ", "name": "集中式光伏扶贫电站", "kind": "centralized", "division_code": SHUANGNIAN,
       "capacity_kw": "2000.50", "owner": None, "asset_code": None}
INCOMES = [
    {"station_code": "GF-PL-01", "year": 2024, "income": 24_750_000, "to_villages": 22_275_000,
     "settled_on": "2025-01-20", "note": None},
    {"station_code": "GF-PL-JZ", "year": 2024, "income": 165_000_000, "to_villages": 150_000_000,
     "settled_on": None, "note": "留存运维费用"},
]
USES = [
    {"village_code": SHUANGNIAN_CUN, "year": 2024, "received": 22_275_000, "post_wages": 12_000_000,
     "poor_post_wages": 9_000_000, "labour": 6_000_000, "other": 4_275_000, "note": None},
    {"village_code": WUJIAYAO, "year": 2024, "received": 30_000_000, "post_wages": 15_000_000,
     "poor_post_wages": None, "labour": 3_000_000, "other": None, "note": "部分收益用于电站设备维修"},
]


@pytest.fixture
def pv_asset(world):
    return asset("ZC-GF-01")


def _xlsx(tmp_path, sheets, name="pv.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("pv_")}


def _sheet_values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, pv_asset, tmp_path):
    sheets = {"pv_stations": [STATION, HUB], "pv_incomes": INCOMES, "pv_village_uses": USES}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"光伏电站": 2, "电站收益": 2, "村级收益分配": 2}
    assert _export(world.county) == sheets
    assert Station.objects.get(code="GF-PL-01").asset == pv_asset
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert _sheet_values(again, sheet.title) == _sheet_values(path, sheet.title)


def test_villages_are_read_by_name_and_a_year_is_updated_in_place(world, pv_asset, tmp_path):
    by_name = [{**USES[0], "village_code": "双碾村"}]
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, {"pv_village_uses": by_name})).ok
    changed = {**USES[0], "labour": 7_000_000}
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(pv_village_uses=[changed, USES[1]]))).ok
    assert _export(world.county)["pv_village_uses"] == [changed, USES[1]]
    assert VillagePvUse.objects.get(village_id=SHUANGNIAN_CUN).history.count() == 2


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, pv_asset, tmp_path):
    flat = {**STATION, "code": "GF-9", "capacity_kw": "0.00"}
    orphan_asset = {**STATION, "code": "GF-10", "asset_code": "NOPE"}
    township = {**USES[0], "village_code": "双碾乡"}
    too_poor = {**USES[1], "poor_post_wages": 15_000_001}
    sheets = {"pv_stations": [STATION, flat, orphan_asset],
              "pv_incomes": [{**INCOMES[0], "station_code": "GF-X"}, INCOMES[0], INCOMES[0]],
              "pv_village_uses": [township, too_poor, {**USES[0], "year": 2999}]}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("光伏电站", 3, "E", "装机容量应大于0") in found
    assert ("光伏电站", 4, "H", "资产编号“NOPE”在扶贫项目资产台账中没有登记") in found
    assert ("电站收益", 2, "A", "电站编号“GF-X”在文件和系统中都没有登记") in found
    assert ("电站收益", 4, "A", "与第3行重复") in found
    assert ("村级收益分配", 2, "A", "村级收益分配应填写到村") in found
    assert ("村级收益分配", 3, "E", "其中贫困人口承担的公益岗位工资不能大于公益岗位工资") in found
    assert any(p[:3] == ("村级收益分配", 4, "B") for p in found)
    assert not Station.objects.exists() and not StationIncome.objects.exists() and not VillagePvUse.objects.exists()


def test_a_linked_asset_must_lie_in_the_keepers_area(world, tmp_path):
    asset("ZC-LX", world.longxian_village)
    doc = exchange_doc(pv_stations=[{**STATION, "asset_code": "ZC-LX"}])
    result = import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc))
    assert [p.message for p in result.problems] == ["关联资产编号“ZC-LX”不在您的管辖范围内"]


def test_only_a_county_bureau_keeps_the_pv_ledger_and_only_in_its_county(world, pv_asset, tmp_path):
    path = json_file(tmp_path, exchange_doc(pv_stations=[STATION], pv_village_uses=[USES[0]]))
    for user in (world.clerk, world.township, world.leader, world.department):
        assert [p.message for p in import_file(user=user, ledger=LEDGER, path=path).problems] == [
            "您的角色无权导入光伏电站及收益台账"]
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)
    assert not result.ok and all("不在您的管辖范围" in p.message for p in result.problems)
    assert import_file(user=world.county, ledger=LEDGER, path=path).ok
    assert _export(world.clerk2) == {"pv_stations": [], "pv_incomes": [], "pv_village_uses": []}  # 吴家窑村
    assert _export(world.clerk)["pv_village_uses"] == [USES[0]]


def test_the_tables_refuse_impossible_rows(world):
    with pytest.raises(IntegrityError), transaction.atomic():  # a township is not a village
        VillagePvUse.objects.create(village_id=SHUANGNIAN, year=2024, received=1, post_wages=1, labour=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        VillagePvUse.objects.create(village_id=SHUANGNIAN_CUN, year=2024, received=1, post_wages=1,
                                    poor_post_wages=2, labour=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.create(code="S", name="s", kind="village", org_unit_id=SHUANGNIAN_CUN, capacity_kw=0,
                               connected_on="2018-01-01")
    VillagePvUse.objects.create(village_id=SHUANGNIAN_CUN, year=2024, received=1, post_wages=1, labour=0)
    assert VillagePvUse.objects.count() == 1
