"""The linkage ledger (带贫益贫台账) through the exchange format: entities by their registry enterprise, links replaced
by entity and year within the importer's area, errors by sheet, row and column, nothing written on error, and the
export that reads back identically."""
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import workbooks
from fangpin.industry.ledger import LINKAGE
from fangpin.industry.models import Link, LinkEntity
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.lib import creditcode
from fangpin.ledgers.testing import exchange_doc, json_file

from .factories import enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world):
    coop = enterprise(SHUANGNIAN_CUN, "cooperative", "双碾村种养专业合作社")
    farm = enterprise(WUJIAYAO, "family_farm", "吴家窑家庭农场")
    a = make_household(SHUANGNIAN_CUN, "1406032032000001", head_name="王建国")
    b = make_household(WUJIAYAO, "1406032032030001", category="monitored", monitor_type="marginal", head_name="李秀英")
    entity = {"credit_code": coop.credit_code, "year": 2024, "level": "county", "leading_industry": "肉牛养殖",
              "members": 20, "members_target": 12, "employees": 5, "employees_target": 2, "afforestation": True,
              "revenue": 150_000_000, "evaluation": "good", "status": "normal", "new_loan_rate": "4.35",
              "hard_hit": False}
    farm_row = {**entity, "credit_code": farm.credit_code, "level": "none", "members": None, "members_target": None,
                "afforestation": False, "evaluation": "none", "leading_industry": None, "revenue": None,
                "new_loan_rate": None, "hard_hit": True}
    links = [
        {"credit_code": coop.credit_code, "year": 2024, "household_number": a.number, "way": "equity",
         "income": 300_000, "started_on": "2024-03-01"},
        {"credit_code": coop.credit_code, "year": 2024, "household_number": a.number, "way": "employment",
         "income": 1_200_000, "started_on": None},
        {"credit_code": coop.credit_code, "year": 2024, "household_number": b.number, "way": "guaranteed_dividend",
         "income": None, "started_on": "2024-01-15"},
    ]
    return {"coop": coop, "farm": farm, "a": a, "b": b, "entity": entity, "farm_row": farm_row, "links": links}


def _xlsx(tmp_path, sheets, name="linkage.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LINKAGE.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LINKAGE, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("linkage_")}


def _values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_linkage_ledger_imports_and_exports_back_identically(world, rows, tmp_path):
    sheets = {"linkage_entities": [rows["entity"], rows["farm_row"]], "linkage_links": rows["links"]}
    sheets["linkage_entities"].sort(key=lambda r: r["credit_code"])
    rows["links"].sort(key=lambda r: (r["household_number"], r["way"]))
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LINKAGE, path=path)
    assert result.ok, result.problems
    assert result.counts == {"带贫主体": 2, "带动明细": 3}
    assert _export(world.county) == sheets
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LINKAGE, again)
    for sheet in LINKAGE.catalog.sheets:
        assert _values(again, sheet.title) == _values(path, sheet.title)


def test_a_second_import_replaces_an_entitys_links_of_the_year_only(world, rows, tmp_path):
    last_year = {**rows["links"][0], "year": 2023, "started_on": "2023-03-01"}
    doc = exchange_doc(linkage_entities=[rows["entity"]], linkage_links=[*rows["links"], last_year])
    assert import_file(user=world.county, ledger=LINKAGE, path=json_file(tmp_path, doc)).ok
    one = {**rows["links"][2], "income": 50_000}
    assert import_file(user=world.county, ledger=LINKAGE, path=json_file(tmp_path, exchange_doc(linkage_links=[one]), "b.json")).ok
    # 2024's three links are the file's one; 2023's link stays
    assert sorted((link.year, link.way, link.income) for link in Link.objects.all()) == [
        (2023, "equity", 300_000), (2024, "guaranteed_dividend", 50_000)]
    assert Link.history.filter(history_type="-").count() == 3
    assert LinkEntity.objects.get().history.count() == 1


def test_an_entity_may_lift_households_of_another_county_whose_links_that_county_keeps(world, rows, tmp_path):
    """陇县 records the 平鲁区 cooperative's link to a 陇县 household; 平鲁区 replacing the cooperative's links of the
    year leaves it."""
    far = make_household(world.longxian_village, f"{world.longxian_village}0001", head_name="刘明", region="610327")
    theirs = {**rows["links"][0], "household_number": far.number}
    assert import_file(user=world.other_county, ledger=LINKAGE, path=json_file(tmp_path, exchange_doc(linkage_links=[theirs]))).ok
    ours = json_file(tmp_path, exchange_doc(linkage_links=rows["links"][:1]), "ours.json")
    assert import_file(user=world.county, ledger=LINKAGE, path=ours).ok
    assert sorted(Link.objects.values_list("household__number", flat=True)) == sorted([far.number, rows["a"].number])
    assert _export(world.other_county)["linkage_links"] == [theirs]


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, rows, tmp_path):
    too_many = {**rows["entity"], "year": 2023, "members_target": 21}  # more than its 20 members
    unknown = {**rows["entity"], "credit_code": creditcode.make("140603", "MA0000001", "91")}
    no_members = {**rows["farm_row"], "afforestation": True}
    far = make_household(world.other_township_village, f"{world.other_township_village}0001")
    foreign = {**rows["links"][0], "household_number": "610327100201000001"}
    late = {**rows["links"][0], "way": "raw_materials", "started_on": "2025-01-02"}
    sheets = {"linkage_entities": [rows["entity"], too_many, unknown, no_members],
              "linkage_links": [rows["links"][0], rows["links"][0], foreign, late,
                                {**rows["links"][1], "household_number": far.number}]}
    result = import_file(user=world.township, ledger=LINKAGE, path=_xlsx(tmp_path, sheets))
    assert [p.message for p in result.problems] == ["您的角色无权导入龙头企业、合作社带贫益贫台账"]
    result = import_file(user=world.county, ledger=LINKAGE, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("带贫主体", 3, "F", "不能多于社员总数（20）") in found
    assert ("带贫主体", 4, "A", f"统一社会信用代码“{unknown['credit_code']}”在经营主体中没有登记") in found
    assert ("带贫主体", 5, "E", "造林合作社应填写“社员总数”") in found
    assert ("带动明细", 3, "C", "与第2行重复") in found
    assert ("带动明细", 4, "C", "户编号“610327100201000001”没有登记") in found
    assert ("带动明细", 5, "F", "起始日期（2025-01-02）晚于年度2024年") in found
    assert not any(p[0] == "带动明细" and p[1] == 6 for p in found)  # another township of the county: the county's
    assert not LinkEntity.objects.exists() and not Link.objects.exists()


def test_a_keeper_writes_only_in_its_area(world, rows, tmp_path):
    doc = exchange_doc(linkage_entities=[rows["entity"]], linkage_links=rows["links"])
    result = import_file(user=world.other_county, ledger=LINKAGE, path=json_file(tmp_path, doc))
    messages = {(p.sheet, p.message) for p in result.problems}
    assert ("linkage_entities", "该统一社会信用代码不在您的管辖范围内") in messages
    assert ("linkage_links", "该户编号不在您的管辖范围内") in messages
    for user in (world.clerk, world.leader, world.department):
        assert not import_file(user=user, ledger=LINKAGE, path=json_file(tmp_path, doc)).ok
    assert not Link.objects.exists()
    assert import_file(user=world.county, ledger=LINKAGE, path=json_file(tmp_path, doc)).ok
    mine = [r for r in rows["links"] if r["household_number"] == rows["a"].number]
    assert _export(world.clerk)["linkage_links"] == sorted(mine, key=lambda r: r["way"])
    assert _export(world.clerk)["linkage_entities"] == [rows["entity"]]  # the cooperative lies in 双碾村
    assert _export(world.other_county) == {"linkage_entities": [], "linkage_links": []}


def test_the_export_is_valid_against_the_formats_json_schema(world, rows, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    doc = exchange_doc(linkage_entities=[rows["entity"]], linkage_links=rows["links"])
    assert import_file(user=world.county, ledger=LINKAGE, path=json_file(tmp_path, doc)).ok
    jsonschema.validate(exchange_doc(**_export(world.county)), json_schema(), format_checker=jsonschema.FormatChecker())
    bad = exchange_doc(**_export(world.county))
    bad["linkage_links"][0]["way"] = "charity"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
