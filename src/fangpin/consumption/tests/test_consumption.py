"""The consumption ledger: import and export back identically, its rows' rules, and each check on its boundaries
(20%, 10%, 30% met at the figure itself; the 20,000 / 10,000 yuan bulk purchases; pending before the year's end;
only the units with the duty; outside 双碾乡 not judged)."""
import datetime as dt
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.consumption.ledger import LEDGER
from fangpin.consumption.models import Purchase, Unit
from fangpin.exchange import workbooks
from fangpin.ledgers import checks, exporter
from fangpin.ledgers.importer import import_file
from fangpin.lib import creditcode
from fangpin.orgunits.models import OrgUnit
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db
D = dt.date

CITY = creditcode.make("140600", "TE0000001", registrar="11")
DISTRICT = creditcode.make("140603", "TE0000002", registrar="11")
UNITS = [
    {"credit_code": CITY, "name": "朔州市农业农村局", "level": "city", "division_code": PINGLU, "five_entries": True,
     "canteen": True, "assisted_village": SHUANGNIAN_CUN, "assisting": True},
    {"credit_code": DISTRICT, "name": "双碾乡中心学校", "level": "township", "division_code": SHUANGNIAN,
     "five_entries": False, "canteen": True, "assisted_village": None, "assisting": False},
]
PURCHASES = [
    {"credit_code": CITY, "year": 2024, "canteen_total": 1_000_000, "canteen_directed": 200_000, "farm_total": 500_000,
     "farm_832": 50_000, "welfare_budget": 100_000, "welfare_bought": 29_999, "bulk_bought": 2_000_000, "note": None},
    {"credit_code": DISTRICT, "year": 2024, "canteen_total": 800_000, "canteen_directed": 100_000, "farm_total": 300_000,
     "farm_832": 29_999, "welfare_budget": None, "welfare_bought": None, "bulk_bought": None, "note": "学校食堂"},
]


def _findings(on=D(2024, 12, 31), area=PINGLU, year=2024):
    unit = OrgUnit.objects.get(code=area)
    return {(f.check.id, f.subject.label): f for f in checks.for_area("consumption", unit, year=year, on=on)}


def test_excel_imports_and_exports_back_identically(world, tmp_path):
    sheets = {"consumption_units": UNITS, "consumption_purchases": PURCHASES}
    path = tmp_path / "c.xlsx"
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    doc = json.loads(out.getvalue())
    assert {k: doc[k] for k in sheets} == sheets
    again = tmp_path / "again.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert (CalamineWorkbook.from_path(str(again)).get_sheet_by_name(sheet.title).to_python()
                == CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.title).to_python())


def test_a_purchase_is_updated_by_unit_and_year(world, tmp_path):
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(consumption_units=UNITS, consumption_purchases=PURCHASES))).ok
    changed = {**PURCHASES[0], "bulk_bought": 2_500_000}
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(consumption_purchases=[changed]), "b.json")).ok
    assert Purchase.objects.get(unit__credit_code=CITY, year=2024).bulk_bought == 2_500_000
    assert Purchase.objects.count() == 2


def test_row_rules_name_the_column(world, tmp_path):
    bad_unit = {**UNITS[0], "assisted_village": "140603203000"}  # a township, not a village
    no_village = {**UNITS[1], "credit_code": creditcode.make("140603", "TE0000003", registrar="11"), "assisting": True}
    more = {**PURCHASES[0], "canteen_directed": 1_000_001}
    orphan_part = {**PURCHASES[1], "farm_total": None}
    doc = exchange_doc(consumption_units=[bad_unit, no_village], consumption_purchases=[more, orphan_part])
    result = import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc))
    found = {(p.sheet, p.row, p.column, p.message) for p in result.problems}
    assert ("consumption_units", 1, "assisted_village", "帮扶村应为村（12位村级区划代码或村名）") in found
    assert ("consumption_units", 2, "assisted_village", "帮扶单位应填写帮扶村") in found
    assert ("consumption_purchases", 1, "canteen_directed", "“其中向脱贫村定向采购”不能大于“年度食堂食材采购总额”") in found
    assert ("consumption_purchases", 2, "farm_total", "已填“其中通过“832”平台采购”，应填写“年度农副产品采购总额”") in found
    assert not Unit.objects.exists()


def test_only_the_county_bureau_keeps_it_in_its_county(world, tmp_path):
    path = json_file(tmp_path, exchange_doc(consumption_units=UNITS))
    assert not import_file(user=world.clerk, ledger=LEDGER, path=path).ok
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)
    assert "不在您的管辖范围" in result.problems[0].message and not Unit.objects.exists()


@pytest.fixture
def ledger(world, tmp_path):
    assert import_file(user=world.county, ledger=LEDGER,
                       path=json_file(tmp_path, exchange_doc(consumption_units=UNITS, consumption_purchases=PURCHASES))).ok


def test_each_share_on_its_boundary(ledger):
    found = _findings()
    city, school = "朔州市农业农村局（2024年）", "双碾乡中心学校（2024年）"
    assert found[("canteen_directed_share", city)].status == "met"  # 200,000 of 1,000,000: 20% itself
    assert found[("platform_832_share", city)].status == "met"  # 10% itself
    assert found[("union_welfare_share", city)].status == "missed"  # 29,999 of 100,000: a fen short of 30%
    assert found[("bulk_city", city)].status == "met"  # 20,000 yuan exactly
    assert found[("platform_832_share", school)].status == "missed"  # 29,999 of 300,000
    # the school has no 五进 task and assists no village: those checks do not ask it
    assert ("canteen_directed_share", school) not in found and ("union_welfare_share", school) not in found
    assert "双发〔2022〕67号 第23条" in found[("bulk_city", city)].explanation


def test_a_district_unit_owes_ten_thousand(ledger):
    Unit.objects.filter(credit_code=CITY).update(level="county")
    found = _findings()
    assert ("bulk_city", "朔州市农业农村局（2024年）") not in found
    assert found[("bulk_county", "朔州市农业农村局（2024年）")].status == "met"
    Purchase.objects.filter(unit__credit_code=CITY).update(bulk_bought=999_999)
    assert _findings()[("bulk_county", "朔州市农业农村局（2024年）")].status == "missed"


def test_a_year_is_judged_at_its_end_and_without_figures_there_is_no_data(ledger):
    found = _findings(on=D(2024, 12, 30))
    assert {f.status for f in found.values()} == {"pending"}
    assert "应于2024-12-31不低于20%" in found[("canteen_directed_share", "朔州市农业农村局（2024年）")].explanation
    Purchase.objects.filter(unit__credit_code=DISTRICT).update(farm_total=None, farm_832=None)
    assert _findings()[("platform_832_share", "双碾乡中心学校（2024年）")].status == "no_data"


def test_not_judged_outside_shuangnian(ledger, world):
    Unit.objects.filter(credit_code=CITY).update(assisted_village_id=world.other_township_village)
    assert not any(label.startswith("朔州市") for _, label in _findings())
