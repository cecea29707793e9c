"""Export, import into an empty registry, export again: the same data comes back."""
import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from conftest import PINGLU, SHUANGNIAN
from fangpin.demo.generate import generate
from fangpin.exchange import exporter, importer, workbooks
from fangpin.exchange.schema import json_schema
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Enterprise, Household

SCHEMA_FILE = Path(__file__).resolve().parents[4] / "docs" / "exchange-format.schema.json"


def export_json(user) -> str:
    buf = io.StringIO()
    exporter.write_json(user, buf)
    return buf.getvalue()


def cells(path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def empty_registry():
    Household.objects.all().delete()
    Enterprise.objects.all().delete()


@pytest.fixture
def loaded(world, tmp_path):
    villages = list(OrgUnit.objects.filter(parent_id=SHUANGNIAN).values_list("code", flat=True))
    doc = generate(county_code=PINGLU, villages=villages, households=120, seed=7)
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, result.problems[:3]
    return doc


def test_json_round_trip(world, loaded, tmp_path):
    first = export_json(world.county)
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    empty_registry()
    assert importer.import_file(user=world.county, path=path).ok
    assert export_json(world.county) == first


def test_excel_round_trip(world, loaded, tmp_path):
    first_json = export_json(world.county)
    x1, x2 = tmp_path / "x1.xlsx", tmp_path / "x2.xlsx"
    workbooks.write_export(world.county, x1)
    empty_registry()
    result = importer.import_file(user=world.county, path=x1)
    assert result.ok, result.problems[:3]
    workbooks.write_export(world.county, x2)
    assert cells(x1) == cells(x2)
    assert export_json(world.county) == first_json


def test_risk_elimination_date_goes_out_and_comes_back(world, loaded, tmp_path):
    """风险消除日期 is exported, and a new registry takes it with the household (the date of the elimination procedure)."""
    import datetime as dt

    eliminated = Household.objects.filter(category="monitored").order_by("number").first()
    Household.objects.filter(pk=eliminated.pk).update(risk_eliminated_on=dt.date(2025, 3, 1))
    first = export_json(world.county)
    rows = {h["household_number"]: h for h in json.loads(first)["households"]}
    assert rows[eliminated.number]["risk_eliminated_on"] == "2025-03-01"
    assert {r["risk_eliminated_on"] for n, r in rows.items() if n != eliminated.number} == {None}
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    assert importer.import_file(user=world.county, path=path).ok  # the same date again: not a change
    empty_registry()
    assert importer.import_file(user=world.county, path=path).ok
    assert Household.objects.get(number=eliminated.number).risk_eliminated_on == dt.date(2025, 3, 1)
    assert export_json(world.county) == first


def test_export_has_every_row_of_the_generated_data(world, loaded):
    doc = json.loads(export_json(world.county))
    for key in ("households", "members", "incomes", "employments", "trainings", "startups", "enterprises"):
        assert len(doc[key]) == len(loaded[key]), key
    assert sorted(m["id_number"] for m in doc["members"]) == sorted(m["id_number"] for m in loaded["members"])


def test_export_matches_the_schema(world, loaded):
    doc = json.loads(export_json(world.county))
    jsonschema.validate(doc, json_schema(), format_checker=jsonschema.FormatChecker())


def test_committed_schema_is_current():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema(), (
        "docs/exchange-format.schema.json is stale: run `fangpin exchange_files`")


def test_masked_export_is_marked_and_scoped(world, loaded):
    doc = json.loads(export_json(world.township))
    assert doc["notes"] == exporter.MASKED_NOTE and "收款账号" in doc["notes"]
    assert all("*" in m["id_number"] for m in doc["members"])
    clerk_doc = json.loads(export_json(world.clerk))
    assert {h["village_code"] for h in clerk_doc["households"]} <= {"140603203200"}
    assert json.loads(export_json(world.department))["households"] == []


def test_template_has_every_sheet_and_header(tmp_path):
    path = tmp_path / "t.xlsx"
    workbooks.write_template(path)
    got = cells(path)
    from fangpin.exchange.spec import SHEETS

    for sheet in SHEETS:
        assert got[sheet.title][0] == tuple(f.excel_header for f in sheet.fields)
    assert "说明" in got
    # a clerk starts with households; employers (which work spells refer to) come last
    assert list(got)[:3] == ["户", "家庭成员", "年度收入"] and list(got)[-2:] == ["经营主体", "说明"]
