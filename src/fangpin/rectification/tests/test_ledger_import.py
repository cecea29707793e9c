"""The rectification ledger through the exchange format: import all or nothing with errors by sheet, row and column,
the keepers (county bureau, township) in their area, and the export that reads back identically."""
import io
import json

import pytest
from django.db import IntegrityError, transaction
from python_calamine import CalamineWorkbook

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.exchange import workbooks
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.rectification.ledger import LEDGER
from fangpin.rectification.models import Problem
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db

CLOSED = {"code": "PLZG2024001", "found_on": "2024-03-01", "source": "assessment", "category": "industry",
          "description": "合作社分红未按协议兑现", "division_code": SHUANGNIAN_CUN, "responsible_unit": "双碾乡人民政府",
          "responsible_person": "李建华", "deadline": None, "measures": "督促合作社补发分红",
          "closed_on": "2024-06-20", "reviewer": "张志明", "evidence": "分红兑付凭证", "note": None}
OPEN = {**CLOSED, "code": "PLZG2024002", "division_code": SHUANGNIAN, "source": "unannounced_visit",
        "category": "guarantees", "description": "饮水设施冬季冻管", "deadline": "2024-12-31", "closed_on": None,
        "reviewer": None, "evidence": None, "responsible_person": None, "measures": None}
COUNTY = {**OPEN, "code": "PLZG2024003", "division_code": PINGLU, "responsible_unit": "平鲁区乡村振兴局"}


def _xlsx(tmp_path, sheets, name="problems.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    return json.loads(out.getvalue())["rectification_problems"]


def _set_cell(path, title, cell, value):
    """A cell as a county might type it, where the template's writer only writes known labels."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb[title][cell] = value
    wb.save(path)


def _sheet_values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, tmp_path):
    path = _xlsx(tmp_path, {"rectification_problems": [CLOSED, OPEN, COUNTY]})
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"问题清单": 3}
    assert _export(world.county) == [CLOSED, OPEN, COUNTY]
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    assert _sheet_values(again, "问题清单") == _sheet_values(path, "问题清单")


def test_a_json_import_updates_an_item_by_its_code_with_history(world, tmp_path):
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, exchange_doc(rectification_problems=[OPEN]))).ok
    closed = {**OPEN, "closed_on": "2024-10-01", "reviewer": "张志明", "evidence": "现场照片"}
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(rectification_problems=[closed]), "b.json")).ok
    assert _export(world.county) == [closed]
    problem = Problem.objects.get()
    assert problem.history.count() == 2 and problem.history.first().history_change_reason == "导入 b.json"


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, tmp_path):
    rows = [
        CLOSED,
        {**CLOSED, "code": "X2", "reviewer": None},  # closed without its reviewer
        {**CLOSED, "code": "X3", "evidence": None},  # closed without evidence
        {**OPEN, "code": "X4", "reviewer": "张志明"},  # a reviewer on an open item
        {**CLOSED, "code": "X5", "closed_on": "2024-02-29"},  # closed before it was found
        {**OPEN, "code": "X6", "deadline": "2024-02-01"},  # due before it was found
        {**OPEN, "code": "X7", "found_on": "2999-01-01", "deadline": None},  # found in the future
        {**OPEN, "code": "X8", "division_code": "610327100201"},  # 陇县
        {**OPEN, "code": "X9"},  # its source is made unknown below
        CLOSED,
    ]
    path = _xlsx(tmp_path, {"rectification_problems": rows})
    _set_cell(path, "问题清单", "C10", "巡视")
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("问题清单", 3, "L", "已销号的问题应填写“销号审核人”") in found
    assert ("问题清单", 4, "M", "已销号的问题应填写“整改佐证”") in found
    assert ("问题清单", 5, "K", "已填“销号审核人”，应填写“销号日期”") in found
    assert ("问题清单", 6, "K", "“销号日期”不能早于“发现日期”（2024-03-01）") in found
    assert ("问题清单", 7, "I", "“整改时限”不能早于“发现日期”（2024-03-01）") in found
    assert ("问题清单", 8, "B", "“发现日期”不能晚于今天") in found
    assert any(p[:3] == ("问题清单", 9, "F") and "不在您的管辖范围" in p[3] for p in found)
    assert any(p[:3] == ("问题清单", 10, "C") and p[3].startswith("“问题来源”应为以下之一：巡视巡察") for p in found)
    assert ("问题清单", 11, "A", "与第2行重复") in found
    assert not Problem.objects.exists()


def test_a_township_keeps_the_items_of_its_township_only(world, tmp_path):
    mine = json_file(tmp_path, exchange_doc(rectification_problems=[CLOSED, OPEN]))
    assert import_file(user=world.township, ledger=LEDGER, path=mine).ok  # its village and itself
    county = json_file(tmp_path, exchange_doc(rectification_problems=[COUNTY]), "county.json")
    result = import_file(user=world.township, ledger=LEDGER, path=county)
    assert [p.message for p in result.problems] == ["区划代码“140603000000”不在您的管辖范围（山西省朔州市平鲁区双碾乡）内"]
    other = json_file(tmp_path, exchange_doc(rectification_problems=[{**OPEN, "code": "O1",
                                                          "division_code": world.other_township_village}]), "o.json")
    assert not import_file(user=world.township, ledger=LEDGER, path=other).ok
    # the county's item is the county's: the township cannot move it into its township
    assert import_file(user=world.county, ledger=LEDGER, path=county).ok
    moved = json_file(tmp_path, exchange_doc(rectification_problems=[{**COUNTY, "division_code": SHUANGNIAN}]), "moved.json")
    result = import_file(user=world.township, ledger=LEDGER, path=moved)
    assert [p.message for p in result.problems] == ["问题编号“PLZG2024003”已在您的管辖范围以外登记，不能通过导入修改"]
    assert Problem.objects.get(code="PLZG2024003").org_unit_id == PINGLU


def test_who_keeps_the_rectification_ledger(world, tmp_path):
    path = json_file(tmp_path, exchange_doc(rectification_problems=[CLOSED]))
    for user in (world.clerk, world.leader, world.department):
        assert [p.message for p in import_file(user=user, ledger=LEDGER, path=path).problems] == [
            "您的角色无权导入问题整改台账"]
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)
    assert not result.ok and "不在您的管辖范围" in result.problems[0].message
    assert not Problem.objects.exists()


def test_export_is_scoped_to_the_area(world, tmp_path):
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(rectification_problems=[CLOSED, OPEN, COUNTY]))).ok
    assert _export(world.clerk) == [CLOSED]
    assert _export(world.township) == [CLOSED, OPEN]
    assert _export(world.other_county) == []


def test_the_table_refuses_a_closing_without_its_reviewer(world):
    base = dict(code="DB1", found_on="2024-03-01", source="audit", category="funds", description="x",
                org_unit_id=SHUANGNIAN_CUN, responsible_unit="u")
    for bad in ({"closed_on": "2024-04-01", "evidence": "e"}, {"closed_on": "2024-04-01", "reviewer": "r"},
                {"reviewer": "r"}, {"closed_on": "2024-02-01", "reviewer": "r", "evidence": "e"},
                {"deadline": "2024-02-01"}, {"source": "rumour"}, {"category": "weather"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Problem.objects.create(**{**base, **bad})
    Problem.objects.create(**base, closed_on="2024-03-01", reviewer="r", evidence="e")  # closed the day it was found


def test_the_export_is_valid_against_the_formats_json_schema(world, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(rectification_problems=[CLOSED, OPEN]))).ok
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    jsonschema.validate(json.loads(out.getvalue()), json_schema(), format_checker=jsonschema.FormatChecker())
