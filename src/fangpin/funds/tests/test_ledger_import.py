"""The funds ledger through the exchange format: import all or nothing, errors by sheet, row and column, the area,
and the export that reads back identically."""
import datetime as dt
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.exchange import workbooks
from fangpin.funds.ledger import LEDGER
from fangpin.funds.models import Allocation, Expenditure, Project
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db

PROJECT = {"code": "PL2024-001", "name": "双碾村肉牛养殖扩建", "year": 2024, "division_code": SHUANGNIAN_CUN,
           "kind": "industry", "relief_mode": "none", "featured_industry": False, "implementer": "双碾乡人民政府", "budget": 50_000_000,
           "households": 35, "stored_on": "2024-01-10", "announced_on": "2024-01-20", "started_on": "2024-03-01",
           "completed_on": "2024-09-15", "accepted_on": None, "note": None}
ROAD = {**PROJECT, "code": "PL2024-002", "name": "双碾乡产业路", "division_code": SHUANGNIAN, "kind": "infrastructure",
        "relief_mode": "dedicated", "featured_industry": True, "households": None, "budget": None, "started_on": None, "completed_on": None,
        "implementer": None}
ALLOCATIONS = [
    {"project_code": "PL2024-001", "source": "central", "fund_kind": "linkage", "amount": 30_000_000,
     "allocated_on": "2024-02-01", "document": "晋财农〔2024〕1号"},
    {"project_code": "PL2024-001", "source": "county", "fund_kind": "linkage", "amount": 10_000_000,
     "allocated_on": "2024-03-01", "document": None},
    {"project_code": "PL2024-002", "source": "province", "fund_kind": "linkage", "amount": 20_000_000,
     "allocated_on": "2024-02-15", "document": None},
]
EXPENDITURES = [
    {"project_code": "PL2024-001", "source": "central", "fund_kind": "linkage", "amount": 12_000_000,
     "paid_on": "2024-04-01", "labour": False, "voucher": "记-0401"},
    {"project_code": "PL2024-002", "source": "province", "fund_kind": "linkage", "amount": 3_000_000,
     "paid_on": "2024-05-01", "labour": True, "voucher": None},
]


def _xlsx(tmp_path, sheets, name="funds.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    doc = json.loads(out.getvalue())
    return {k: v for k, v in doc.items() if k.startswith("fund_")}


def _sheet_values(path, title):
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, tmp_path):
    sheets = {"fund_projects": [PROJECT, ROAD], "fund_allocations": ALLOCATIONS, "fund_expenditures": EXPENDITURES}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"项目库": 2, "资金下达": 3, "资金支出": 2}
    assert _export(world.county) == sheets
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert _sheet_values(again, sheet.title) == _sheet_values(path, sheet.title)


def test_a_blank_yes_no_column_is_the_models_default(world, tmp_path):
    """A project whose “支持‘一特两辅’产业” is left blank is not one (the importer gives a blank yes/no its default)."""
    path = _xlsx(tmp_path, {"fund_projects": [{**PROJECT, "featured_industry": None}, ROAD]})
    assert import_file(user=world.county, ledger=LEDGER, path=path).ok
    assert dict(Project.objects.values_list("code", "featured_industry")) == {"PL2024-001": False, "PL2024-002": True}


def test_a_json_ledger_round_trips_and_a_second_import_replaces_a_projects_funds(world, tmp_path):
    doc = exchange_doc(fund_projects=[PROJECT, ROAD], fund_allocations=ALLOCATIONS, fund_expenditures=EXPENDITURES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    one = {**ALLOCATIONS[0], "amount": 31_000_000}
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, exchange_doc(fund_allocations=[one]), "b.json")).ok
    # the first project's allocations are the file's one row; the second project's are as they were
    assert _export(world.county)["fund_allocations"] == [one, ALLOCATIONS[2]]
    assert Project.objects.get(code="PL2024-001").history.count() == 1
    assert Allocation.history.filter(history_type="-").count() == 2


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, tmp_path):
    late = {**PROJECT, "code": "PL2024-009", "announced_on": "2023-12-01"}  # before it was stored
    skipped = {**PROJECT, "code": "PL2024-010", "started_on": None}  # completed, never started
    foreign = {**PROJECT, "code": "PL2024-011", "division_code": "610327100201"}  # 陇县
    orphan = {**ALLOCATIONS[0], "project_code": "NOPE"}
    zero = {**ALLOCATIONS[0], "amount": 0}
    sheets = {"fund_projects": [PROJECT, late, skipped, foreign, PROJECT], "fund_allocations": [orphan, zero]}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("项目库", 3, "L", "“公示日期”不能早于“入库日期”（2024-01-10）") in found
    assert ("项目库", 4, "N", "已填“完工日期”，应先填“开工日期”") in found
    assert any(p[:3] == ("项目库", 5, "D") and "不在您的管辖范围" in p[3] for p in found)
    assert ("项目库", 6, "A", "与第2行重复") in found
    assert ("资金下达", 2, "A", "项目编号“NOPE”在文件和系统中都没有登记") in found
    assert ("资金下达", 3, "D", "“金额”应大于0") in found
    assert not Project.objects.exists() and not Allocation.objects.exists()


def test_places_are_read_by_name_in_the_area(world, tmp_path):
    by_name = [{**PROJECT, "division_code": "双碾村"}, {**ROAD, "division_code": "双碾乡"}]
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, {"fund_projects": by_name})).ok
    assert dict(Project.objects.values_list("code", "org_unit_id")) == {"PL2024-001": SHUANGNIAN_CUN,
                                                                        "PL2024-002": SHUANGNIAN}
    unknown = [{**PROJECT, "division_code": "东城村"}]
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, {"fund_projects": unknown}, "u.xlsx"))
    assert [p.message for p in result.problems] == [
        "您的管辖范围（山西省朔州市平鲁区）内没有名为“东城村”的村、乡镇或县：请填写名称或12位区划代码"]


def test_only_a_county_bureau_keeps_the_funds_ledger_and_only_in_its_county(world, tmp_path):
    path = json_file(tmp_path, exchange_doc(fund_projects=[PROJECT]))
    for user in (world.clerk, world.township, world.leader, world.department):
        result = import_file(user=user, ledger=LEDGER, path=path)
        assert [p.message for p in result.problems] == ["您的角色无权导入衔接资金项目台账"]
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)
    assert not result.ok and "不在您的管辖范围" in result.problems[0].message
    assert import_file(user=world.county, ledger=LEDGER, path=path).ok
    # 陇县 may not take over 平鲁区's project code, nor add funds to it
    moved = json_file(tmp_path, exchange_doc(fund_projects=[{**PROJECT, "division_code": "610327100201"}],
                                 fund_allocations=[ALLOCATIONS[0]]), "moved.json")
    result = import_file(user=world.other_county, ledger=LEDGER, path=moved)
    messages = {(p.sheet, p.message) for p in result.problems}
    assert ("fund_projects", "项目编号“PL2024-001”已在您的管辖范围以外登记，不能通过导入修改") in messages
    assert Project.objects.get().org_unit_id == SHUANGNIAN_CUN and not Allocation.objects.exists()


def test_export_is_scoped_to_the_area(world, tmp_path):
    doc = exchange_doc(fund_projects=[PROJECT, ROAD], fund_allocations=ALLOCATIONS, fund_expenditures=EXPENDITURES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    assert _export(world.clerk)["fund_projects"] == [PROJECT]  # 双碾村 sees its own project, not the township's
    assert _export(world.clerk)["fund_expenditures"] == [EXPENDITURES[0]]
    assert _export(world.other_county) == {"fund_projects": [], "fund_allocations": [], "fund_expenditures": []}
    assert Expenditure.objects.count() == 2


def test_a_file_of_another_kind_is_refused_with_its_name(world, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert len(result.problems) == 1 and "x.xlsx" in result.problems[0].message
    registry = json_file(tmp_path, exchange_doc(households=[]), "registry.json")
    result = import_file(user=world.county, ledger=LEDGER, path=registry)
    assert "没有衔接资金项目台账的工作表" in result.problems[-1].message


def test_stage_on_a_date():
    p = Project(stored_on=dt.date(2024, 1, 10), announced_on=dt.date(2024, 1, 20), started_on=dt.date(2024, 3, 1))
    assert p.stage_on(dt.date(2024, 1, 9)) is None
    assert p.stage_on(dt.date(2024, 1, 10)) == "stored"
    assert p.stage_on(dt.date(2024, 2, 29)) == "announced"
    assert p.stage_on(dt.date(2025, 1, 1)) == "started"


def test_the_export_is_valid_against_the_formats_json_schema(world, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    doc = exchange_doc(fund_projects=[PROJECT, ROAD], fund_allocations=ALLOCATIONS, fund_expenditures=EXPENDITURES)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    jsonschema.validate(json.loads(out.getvalue()), json_schema(), format_checker=jsonschema.FormatChecker())
    bad = {**_export(world.county), "format": "fangpin-exchange", "version": "1.0"}
    bad["fund_projects"][0]["kind"] = "roads"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
