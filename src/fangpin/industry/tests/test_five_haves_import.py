"""The five-haves ledger (“五有”台账) through the exchange format: villages by name or code, a township keeps its own
villages, errors by sheet, row and column, and the export that reads back identically."""
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import workbooks
from fangpin.industry.ledger import FIVE_HAVES
from fangpin.industry.models import HouseholdHaves, VillageHaves
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db

VILLAGE = {"division_code": SHUANGNIAN_CUN, "year": 2024, "leading_industry": "肉牛养殖",
           "entity_name": "双碾村农牧专业合作社", "cooperative_name": None}
OTHER = {**VILLAGE, "division_code": WUJIAYAO, "entity_name": None, "cooperative_name": "吴家窑村股份经济合作社"}


@pytest.fixture
def household(world):
    return make_household(SHUANGNIAN_CUN, "1406032032000001", head_name="王建国")


def _xlsx(tmp_path, sheets, name="haves.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=FIVE_HAVES.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, FIVE_HAVES, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("five_haves_")}


def _values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_five_haves_ledger_imports_and_exports_back_identically(world, household, tmp_path):
    mine = {"household_number": household.number, "year": 2024, "income_project": "养羊8只", "skills": None}
    sheets = {"five_haves_villages": [VILLAGE, OTHER], "five_haves_households": [mine]}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=FIVE_HAVES, path=path)
    assert result.ok, result.problems
    assert result.counts == {"村级五有": 2, "户级五有": 1}
    assert _export(world.county) == sheets
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, FIVE_HAVES, again)
    for sheet in FIVE_HAVES.catalog.sheets:
        assert _values(again, sheet.title) == _values(path, sheet.title)


def test_villages_by_name_and_an_update_by_village_and_year(world, household, tmp_path):
    by_name = [{**VILLAGE, "division_code": "双碾村"}]
    assert import_file(user=world.county, ledger=FIVE_HAVES, path=_xlsx(tmp_path, {"five_haves_villages": by_name})).ok
    changed = [{**VILLAGE, "leading_industry": "马铃薯种植"}, {**VILLAGE, "year": 2023}]
    assert import_file(user=world.county, ledger=FIVE_HAVES,
                       path=json_file(tmp_path, exchange_doc(five_haves_villages=changed))).ok
    assert sorted(VillageHaves.objects.values_list("year", "leading_industry")) == [(2023, "肉牛养殖"), (2024, "马铃薯种植")]
    assert VillageHaves.objects.get(year=2024).history.count() == 2


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, household, tmp_path):
    township = {**VILLAGE, "division_code": "双碾乡"}
    unknown = {"household_number": "1406032032009999", "year": 2024, "income_project": "养牛", "skills": None}
    sheets = {"five_haves_villages": [VILLAGE, township, VILLAGE], "five_haves_households": [unknown]}
    result = import_file(user=world.county, ledger=FIVE_HAVES, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert found == {("村级五有", 3, "A", "“村”应为村（社区），不能是乡镇或县"), ("村级五有", 4, "A", "与第2行重复"),
                     ("户级五有", 2, "A", "户编号“1406032032009999”没有登记")}
    assert not VillageHaves.objects.exists() and not HouseholdHaves.objects.exists()


def test_a_township_keeps_its_villages_and_a_clerk_none(world, household, tmp_path):
    outside = {**VILLAGE, "division_code": world.other_township_village}
    result = import_file(user=world.township, ledger=FIVE_HAVES, path=json_file(tmp_path, exchange_doc(five_haves_villages=[outside])))
    assert [p.message for p in result.problems][0].startswith("区划代码“")  # not in 双碾乡
    assert import_file(user=world.township, ledger=FIVE_HAVES, path=json_file(tmp_path, exchange_doc(five_haves_villages=[VILLAGE]))).ok
    assert import_file(user=world.county, ledger=FIVE_HAVES,
                       path=json_file(tmp_path, exchange_doc(five_haves_villages=[outside]), "county.json")).ok
    for user in (world.clerk, world.leader, world.department):
        result = import_file(user=user, ledger=FIVE_HAVES, path=json_file(tmp_path, exchange_doc(five_haves_villages=[VILLAGE])))
        assert [p.message for p in result.problems] == ["您的角色无权导入“五有”台账"]
    result = import_file(user=world.other_county, ledger=FIVE_HAVES, path=json_file(tmp_path, exchange_doc(five_haves_villages=[VILLAGE])))
    assert not result.ok and "不在您的管辖范围" in result.problems[0].message
    # the township cannot change the other township's row, which the county made
    result = import_file(user=world.township, ledger=FIVE_HAVES, path=json_file(tmp_path, exchange_doc(five_haves_villages=[outside])))
    assert not result.ok
    assert _export(world.clerk)["five_haves_villages"] == [VILLAGE]
    assert len(_export(world.county)["five_haves_villages"]) == 2
