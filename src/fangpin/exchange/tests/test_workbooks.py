"""The template a user downloads: the villages of the user's area in a drop-down list on the village column."""
import datetime as dt

import openpyxl

from conftest import new_id
from fangpin.exchange import importer, workbooks
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

COLUMN = "B"  # 村（名称或区划代码）: the second column of 户


def village_validation(ws):
    found = [dv for dv in ws.data_validations.dataValidation if f"{COLUMN}2" in dv.sqref]
    assert len(found) == 1
    return found[0]


def test_the_template_lists_the_users_villages_on_a_hidden_sheet(world, tmp_path):
    path = tmp_path / "t.xlsx"
    workbooks.write_template(path, user=world.county)
    wb = openpyxl.load_workbook(path)
    names = wb["村名单"]
    assert names.sheet_state == "hidden"
    rows = list(names.iter_rows(min_row=2, values_only=True))
    codes = set(OrgUnit.objects.filter(level="village", code__startswith="140603").values_list("code", flat=True))
    assert {code for _, code in rows} == codes
    labels = dict((code, label) for label, code in rows)
    assert labels["140603203200"] == "双碾乡双碾村"
    assert (labels["140603205219"], labels["140603207212"]) == ("高石庄乡赵家窑村", "下面高乡赵家窑村")
    assert len({label for label, _ in rows}) == len(rows)  # every name in the list is unique
    dv = village_validation(wb["户"])
    assert dv.type == "list" and dv.formula1 == f"'村名单'!$A$2:$A${len(rows) + 1}"
    assert dv.errorStyle == "information"  # a code, or another spelling, can still be typed
    assert wb["户"]["B1"].value == "村（名称或区划代码）"


def test_a_clerk_gets_the_own_village_and_no_one_gets_a_list_without_a_user(world, tmp_path):
    workbooks.write_template(tmp_path / "clerk.xlsx", user=world.clerk)
    rows = list(openpyxl.load_workbook(tmp_path / "clerk.xlsx")["村名单"].iter_rows(min_row=2, values_only=True))
    assert rows == [("双碾乡双碾村", "140603203200")]
    workbooks.write_template(tmp_path / "plain.xlsx")
    assert "村名单" not in openpyxl.load_workbook(tmp_path / "plain.xlsx").sheetnames


def test_a_filled_template_imports_and_its_list_sheet_is_not_read(world, tmp_path):
    path = tmp_path / "filled.xlsx"
    workbooks.write_template(path, user=world.county)
    wb = openpyxl.load_workbook(path)
    wb["户"].append(["T1", "下面高乡赵家窑村", "脱贫户"])
    wb["户"].append(["T2", "140603203200", "一般农户"])
    for number in ("T1", "T2"):
        wb["家庭成员"].append([number, new_id(birth=dt.date(1970, 1, 1)), "甲", "户主", None, None, "劳动力"])
    wb.save(path)
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    assert dict(Household.objects.values_list("number", "village_id")) == {"T1": "140603207212", "T2": "140603203200"}


def test_exports_carry_no_village_list(world, tmp_path):
    workbooks.write_export(world.county, tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert "村名单" not in wb.sheetnames
    assert not [dv for dv in wb["户"].data_validations.dataValidation if "B2" in dv.sqref]
