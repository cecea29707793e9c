"""The asset ledger through the exchange format: import all or nothing, errors by sheet, row and column, the source
project in the keeper's area, the (asset, year) key of the income sheet, and the export that reads back identically."""
import datetime as dt
import io
import json

import pytest
from django.db import IntegrityError, transaction
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.assets.ledger import ASSETS_LEDGER as LEDGER
from fangpin.assets.models import Asset, AssetIncome
from fangpin.exchange import workbooks
from fangpin.funds.models import Project
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db

GREENHOUSE = {"code": "ZC-PL2024-001", "name": "双碾村食用菌大棚", "kind": "operational", "division_code": SHUANGNIAN_CUN,
              "project_code": "PL2024-001", "formed_on": "2024-09-15", "original_value": 50_000_000,
              "owner": "双碾村股份经济合作社", "custodian": "双碾村股份经济合作社", "custodian_person": "王建军",
              "custody_measures": "签订管护协议，每季度巡查", "ownership": "confirmed", "operation": "normal", "note": None}
ROAD = {**GREENHOUSE, "code": "ZC-PL2024-002", "name": "双碾乡产业路", "kind": "public_welfare",
        "division_code": SHUANGNIAN, "project_code": None, "owner": None, "custodian": None,
        "custodian_person": None, "custody_measures": None, "ownership": "unclear", "operation": "idle"}
INCOMES = [
    {"asset_code": "ZC-PL2024-001", "year": 2024, "income": 2_500_000, "agreed_dividends": 1_000_000,
     "to_households": 1_500_000, "households": 32, "to_public": 700_000, "retained": 300_000,
     "disclosed_on": "2024-12-20", "note": None},
    {"asset_code": "ZC-PL2024-001", "year": 2025, "income": 2_600_000, "agreed_dividends": None,
     "to_households": None, "households": None, "to_public": None, "retained": None, "disclosed_on": None,
     "note": "收益待分配"},
]


@pytest.fixture
def project(world):
    return Project.objects.create(code="PL2024-001", name="双碾村食用菌大棚", year=2024, org_unit_id=SHUANGNIAN_CUN,
                                  kind="industry", stored_on=dt.date(2024, 1, 5))


def _xlsx(tmp_path, sheets, name="assets.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("asset_")}


def _sheet_values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, project, tmp_path):
    sheets = {"asset_items": [GREENHOUSE, ROAD], "asset_incomes": INCOMES}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"资产": 2, "资产收益": 2}
    assert _export(world.county) == sheets
    assert Asset.objects.get(code="ZC-PL2024-001").project == project
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert _sheet_values(again, sheet.title) == _sheet_values(path, sheet.title)


def test_a_json_ledger_round_trips_and_an_income_is_updated_by_asset_and_year(world, project, tmp_path):
    doc = exchange_doc(asset_items=[GREENHOUSE, ROAD], asset_incomes=INCOMES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    paid = {**INCOMES[1], "to_households": 1_600_000, "households": 30, "disclosed_on": "2025-12-28", "note": None}
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, exchange_doc(asset_incomes=[paid]), "b.json")).ok
    assert _export(world.county)["asset_incomes"] == [INCOMES[0], paid]
    row = AssetIncome.objects.get(year=2025)
    assert [h.history_type for h in row.history.order_by("history_date")] == ["+", "~"]


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, project, tmp_path):
    future = {**GREENHOUSE, "code": "ZC-9", "formed_on": "2999-01-01"}
    ownerless = {**GREENHOUSE, "code": "ZC-10", "owner": None}
    unknown = {**GREENHOUSE, "code": "ZC-11", "project_code": "NOPE"}
    negative = {**GREENHOUSE, "code": "ZC-12", "original_value": -100}
    incomes = [{**INCOMES[0], "asset_code": "MISSING"}, INCOMES[0], INCOMES[0],
               {**INCOMES[1], "to_households": 100, "households": 0},
               {**INCOMES[1], "year": 2026, "disclosed_on": "2025-12-31"}]
    sheets = {"asset_items": [GREENHOUSE, future, ownerless, unknown, GREENHOUSE, negative], "asset_incomes": incomes}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("资产", 3, "F", "日期不能晚于今天") in found
    assert ("资产", 4, "H", "权属状态为“已确权”时应填写所有权人") in found
    assert ("资产", 5, "E", "项目编号“NOPE”在衔接资金项目台账中没有登记") in found
    assert ("资产", 6, "A", "与第2行重复") in found
    assert ("资产", 7, "G", "“原值（元）”不能为负数") in found
    assert ("资产收益", 2, "A", "资产编号“MISSING”在文件和系统中都没有登记") in found
    assert ("资产收益", 4, "A", "与第3行重复") in found  # the same asset and year twice
    assert ("资产收益", 5, "F", "已分配到户，受益户数不能为0") in found
    assert ("资产收益", 6, "I", "公示日期早于收益年度2026年") in found
    assert not Asset.objects.exists() and not AssetIncome.objects.exists()


def test_a_source_project_must_lie_in_the_keepers_area(world, tmp_path):
    Project.objects.create(code="LX2024-001", name="陇县项目", year=2024, org_unit_id=world.longxian_village,
                           kind="industry", stored_on=dt.date(2024, 1, 5))
    doc = exchange_doc(asset_items=[{**GREENHOUSE, "project_code": "LX2024-001"}])
    result = import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc))
    assert [(p.row, p.message) for p in result.problems] == [(1, "来源项目编号“LX2024-001”不在您的管辖范围内")]
    assert not Asset.objects.exists()


def test_only_a_county_bureau_keeps_the_asset_ledger_and_only_in_its_county(world, project, tmp_path):
    path = json_file(tmp_path, exchange_doc(asset_items=[GREENHOUSE]))
    for user in (world.clerk, world.township, world.leader, world.department):
        assert [p.message for p in import_file(user=user, ledger=LEDGER, path=path).problems] == [
            "您的角色无权导入扶贫项目资产台账"]
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)
    assert not result.ok and any("不在您的管辖范围" in p.message for p in result.problems)
    assert import_file(user=world.county, ledger=LEDGER, path=path).ok
    moved = json_file(tmp_path, exchange_doc(asset_items=[{**GREENHOUSE, "division_code": world.longxian_village,
                                               "project_code": None}], asset_incomes=[INCOMES[0]]), "moved.json")
    messages = {(p.sheet, p.message) for p in import_file(user=world.other_county, ledger=LEDGER, path=moved).problems}
    assert ("asset_items", "资产编号“ZC-PL2024-001”已在您的管辖范围以外登记，不能通过导入修改") in messages
    assert Asset.objects.get().org_unit_id == SHUANGNIAN_CUN and not AssetIncome.objects.exists()


def test_export_is_scoped_to_the_area(world, project, tmp_path):
    doc = exchange_doc(asset_items=[GREENHOUSE, ROAD], asset_incomes=INCOMES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    assert _export(world.clerk) == {"asset_items": [GREENHOUSE], "asset_incomes": INCOMES}
    assert _export(world.township)["asset_items"] == [GREENHOUSE, ROAD]
    assert _export(world.other_county) == {"asset_items": [], "asset_incomes": []}


def test_the_tables_refuse_impossible_rows(world):
    base = dict(name="x", kind="operational", org_unit_id=SHUANGNIAN_CUN, formed_on=dt.date(2024, 1, 1),
                original_value=1, operation="normal")
    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.create(code="A", ownership="confirmed", owner="", **base)
    a = Asset.objects.create(code="B", ownership="unclear", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetIncome.objects.create(asset=a, year=2024, income=1, to_households=1, households=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetIncome.objects.create(asset=a, year=2024, income=1, disclosed_on=dt.date(2023, 12, 31))
    AssetIncome.objects.create(asset=a, year=2024, income=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetIncome.objects.create(asset=a, year=2024, income=2)


def test_the_export_is_valid_against_the_formats_json_schema(world, project, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    doc = exchange_doc(asset_items=[GREENHOUSE, ROAD], asset_incomes=INCOMES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    jsonschema.validate(json.loads(out.getvalue()), json_schema(), format_checker=jsonschema.FormatChecker())
    bad = {**_export(world.county), "format": "fangpin-exchange", "version": "1.0"}
    bad["asset_items"][0]["operation"] = "sleeping"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
