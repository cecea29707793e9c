"""The posts ledger through the exchange format: import all or nothing, errors by sheet, row and column, who keeps it
(the county bureau, and a village clerk in the own village), and the export that reads back identically."""
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO, make_household, new_id
from fangpin.employment.ledger import LEDGER
from fangpin.employment.models import Post, PostHolder
from fangpin.exchange import workbooks
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db

POST = {"code": "PL-GY-001", "village_code": SHUANGNIAN_CUN, "name": "保洁员", "kind": "village", "funding": "pv_income",
        "monthly_wage": 60_000, "created_on": "2024-03-01", "abolished_on": None}
ROAD = {**POST, "code": "PL-GY-002", "name": "护路员", "funding": "village_collective", "monthly_wage": 50_000,
        "abolished_on": "2025-06-30"}


@pytest.fixture
def people(world):
    """Two laborers of 双碾村 (a lifted household), one of 吴家窑村, one of 陇县: their ID numbers."""
    here = make_household(SHUANGNIAN_CUN, "1406032032000101", members=2, head_name="王建国")
    there = make_household(WUJIAYAO, "1406032032030101", category="monitored", monitor_type="marginal")
    far = make_household(world.longxian_village, f"{world.longxian_village}0101", region="610327")
    ids = [m.id_number for m in here.members.order_by("pk")]
    return {"here": ids[0], "here2": ids[1], "wujiayao": there.members.get().id_number,
            "longxian": far.members.get().id_number}


def _holders(people):
    return [
        {"post_code": "PL-GY-001", "id_number": people["here"], "started_on": "2024-03-01", "ended_on": "2024-12-31",
         "monthly_wage": None},
        {"post_code": "PL-GY-001", "id_number": people["here2"], "started_on": "2025-01-01", "ended_on": None,
         "monthly_wage": 65_000},
        {"post_code": "PL-GY-002", "id_number": people["here"], "started_on": "2025-01-01", "ended_on": "2025-06-30",
         "monthly_wage": None},
    ]


def _xlsx(tmp_path, sheets, name="posts.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("employment_")}


def _sheet_values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, people, tmp_path):
    sheets = {"employment_posts": [POST, ROAD], "employment_post_holders": _holders(people)}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"岗位": 2, "在岗人员": 3}
    assert _export(world.county) == sheets
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert _sheet_values(again, sheet.title) == _sheet_values(path, sheet.title)


def test_a_second_import_replaces_the_holders_of_the_posts_it_names(world, people, tmp_path):
    doc = exchange_doc(employment_posts=[POST, ROAD], employment_post_holders=_holders(people))
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    one = {**_holders(people)[0], "ended_on": "2024-11-30"}
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(employment_post_holders=[one]), "b.json")).ok
    # the first post's holders are the file's one row; the second post's are as they were
    assert _export(world.county)["employment_post_holders"] == [one, _holders(people)[2]]
    assert PostHolder.history.filter(history_type="-").count() == 2
    assert Post.objects.get(code="PL-GY-001").history.count() == 1


def test_places_are_read_by_name_and_a_post_belongs_to_a_village(world, people, tmp_path):
    by_name = [{**POST, "village_code": "双碾村"}, {**ROAD, "village_code": "吴家窑村"}]
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, {"employment_posts": by_name})).ok
    assert dict(Post.objects.values_list("code", "village_id")) == {"PL-GY-001": SHUANGNIAN_CUN, "PL-GY-002": WUJIAYAO}
    township = [{**POST, "code": "PL-GY-003", "village_code": "双碾乡"}]
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, {"employment_posts": township}, "t.xlsx"))
    assert [(p.row, p.letter, p.message) for p in result.problems] == [
        (2, "B", "公益岗位应登记到村：请填写村名或12位村级区划代码")]


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, people, tmp_path):
    abolished_early = {**POST, "code": "PL-GY-009", "abolished_on": "2024-02-01"}
    future = {**POST, "code": "PL-GY-010", "created_on": "2999-01-01"}
    foreign = {**POST, "code": "PL-GY-011", "village_code": "610327100201"}
    township = {**POST, "code": "PL-GY-012", "village_code": SHUANGNIAN}
    holders = _holders(people)
    ends_early = {**holders[0], "ended_on": "2024-01-01"}
    nobody = new_id()
    unknown = {**holders[0], "id_number": nobody}
    elsewhere = {**holders[0], "id_number": people["longxian"]}
    orphan = {**holders[0], "post_code": "NOPE"}
    sheets = {"employment_posts": [POST, abolished_early, future, foreign, township, POST],
              "employment_post_holders": [ends_early, unknown, elsewhere, orphan, holders[1], holders[1]]}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, sheets))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("岗位", 3, "H", "“撤销日期”不能早于“设立日期”（2024-03-01）") in found
    assert ("岗位", 4, "G", "“设立日期”不能晚于今天") in found
    assert any(p[:3] == ("岗位", 5, "B") and "不在您的管辖范围" in p[3] for p in found)
    assert ("岗位", 6, "B", "公益岗位应登记到村：请填写村名或12位村级区划代码") in found
    assert ("岗位", 7, "A", "与第2行重复") in found
    assert ("在岗人员", 2, "D", "“离岗日期”不能早于“上岗日期”（2024-03-01）") in found
    assert ("在岗人员", 3, "B", f"身份证号“{nobody}”在户籍信息中没有登记") in found
    assert ("在岗人员", 4, "B", f"身份证号“{people['longxian']}”不在您的管辖范围内") in found
    assert ("在岗人员", 5, "A", "岗位编号“NOPE”在文件和系统中都没有登记") in found
    assert ("在岗人员", 7, "A", "与第6行重复") in found  # the same person in the same post from the same day
    assert not Post.objects.exists() and not PostHolder.objects.exists()


def test_a_village_clerk_keeps_the_posts_of_the_own_village_only(world, people, tmp_path):
    mine = json_file(tmp_path, exchange_doc(employment_posts=[POST], employment_post_holders=_holders(people)[:2]))
    for user in (world.township, world.leader, world.department):
        assert [p.message for p in import_file(user=user, ledger=LEDGER, path=mine).problems] == [
            "您的角色无权导入公益岗位台账"]
    assert import_file(user=world.clerk, ledger=LEDGER, path=mine).ok
    # 吴家窑村's clerk may not take over 双碾村's post, nor put a 双碾村 person in a post of the own village
    theirs = json_file(tmp_path, exchange_doc(employment_posts=[{**POST, "village_code": WUJIAYAO}]), "theirs.json")
    result = import_file(user=world.clerk2, ledger=LEDGER, path=theirs)
    assert [p.message for p in result.problems] == ["岗位编号“PL-GY-001”已在您的管辖范围以外登记，不能通过导入修改"]
    own = {**POST, "code": "WJY-1", "village_code": WUJIAYAO}
    crossing = json_file(tmp_path, exchange_doc(employment_posts=[own], employment_post_holders=[
        {"post_code": "WJY-1", "id_number": people["here"], "started_on": "2025-01-01"}]), "crossing.json")
    result = import_file(user=world.clerk2, ledger=LEDGER, path=crossing)
    assert [(p.sheet, p.message) for p in result.problems] == [
        ("employment_post_holders", f"身份证号“{people['here']}”不在您的管辖范围内")]
    assert not Post.objects.filter(code="WJY-1").exists()
    # the county bureau keeps every village's
    assert import_file(user=world.county, ledger=LEDGER, path=crossing).ok
    result = import_file(user=world.other_county, ledger=LEDGER, path=mine)
    assert not result.ok and all("不在您的管辖范围" in p.message or "管辖范围以外" in p.message or "该行有错误" in p.message
                                 for p in result.problems)


def test_export_is_scoped_to_the_area_and_masked_for_the_role(world, people, tmp_path):
    doc = exchange_doc(employment_posts=[POST, {**ROAD, "village_code": WUJIAYAO}], employment_post_holders=_holders(people)[:2])
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    assert [r["code"] for r in _export(world.clerk2)["employment_posts"]] == ["PL-GY-002"]
    assert _export(world.clerk2)["employment_post_holders"] == []
    assert _export(world.clerk)["employment_post_holders"] == _holders(people)[:2]
    township = _export(world.township)["employment_post_holders"]
    assert [r["id_number"] for r in township] == ["1406" + "*" * 14] * 2  # a township sees no full ID numbers
    assert _export(world.other_county) == {"employment_posts": [], "employment_post_holders": []}


def test_the_export_is_valid_against_the_formats_json_schema(world, people, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    doc = exchange_doc(employment_posts=[POST, ROAD], employment_post_holders=_holders(people))
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    jsonschema.validate(json.loads(out.getvalue()), json_schema(), format_checker=jsonschema.FormatChecker())
    bad = {**_export(world.county), "format": "fangpin-exchange", "version": "1.0"}
    bad["employment_posts"][0]["funding"] = "lottery"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
