"""The township express outlets ledger (乡镇快递网点台账, 山西十二条 二): townships only, a township keeps its own,
errors by sheet, row and column with nothing written, the export that reads back, and the coverage indicator."""
import datetime as dt
import io
import json

import pytest

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.exchange import workbooks
from fangpin.indicators import engine, facts
from fangpin.indicators.catalog import load_catalog
from fangpin.industry.ledger import EXPRESS
from fangpin.industry.models import ExpressOutlet
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file

pytestmark = pytest.mark.django_db

OUTLET = {"division_code": SHUANGNIAN, "name": "双碾乡邮政服务站", "operator": "中国邮政", "opened_on": "2019-05-01",
          "closed_on": None}


def _xlsx(tmp_path, rows, name="express.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, {"express_outlets": rows}, catalog=EXPRESS.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, EXPRESS, out)
    return json.loads(out.getvalue())["express_outlets"]


def test_a_township_keeps_its_outlets_and_the_export_reads_back(world, tmp_path):
    closed = {**OUTLET, "name": "双碾乡中通快递服务站", "operator": "中通快递", "closed_on": "2021-03-31"}
    result = import_file(user=world.township, ledger=EXPRESS, path=_xlsx(tmp_path, [OUTLET, closed]))
    assert result.ok, result.problems
    assert ExpressOutlet.objects.count() == 2
    assert _export(world.county) == [closed, OUTLET]  # by township, then name


def test_bad_rows_name_sheet_row_and_column_and_nothing_is_written(world, tmp_path):
    rows = [
        {**OUTLET, "division_code": SHUANGNIAN_CUN},  # a village, not a township
        {**OUTLET, "name": "二号", "closed_on": "2019-04-30"},  # closed before it opened
        {**OUTLET, "name": "三号", "opened_on": str(dt.date.today() + dt.timedelta(days=1))},
        {**OUTLET, "name": "四号", "division_code": world.other_township_village[:9] + "000"},  # another township
        {**OUTLET, "name": "五号", "division_code": "不存在镇"},  # a name found nowhere in the area: said, not a crash
    ]
    result = import_file(user=world.township, ledger=EXPRESS, path=_xlsx(tmp_path, rows))
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("乡镇快递网点", 2, "A", "“乡镇”应为乡镇（街道），不能是村或县") in found
    assert ("乡镇快递网点", 3, "E", "“停业日期”不能早于“开业日期”（2019-05-01）") in found
    assert ("乡镇快递网点", 4, "D", "“开业日期”不能晚于今天") in found
    assert any(p[:3] == ("乡镇快递网点", 5, "A") and "管辖范围" in p[3] for p in found)
    assert any(p[:3] == ("乡镇快递网点", 6, "A") and "不存在镇" in p[3] for p in found)
    assert not ExpressOutlet.objects.exists()


def test_coverage_counts_townships_with_an_outlet_open_on_the_day(world):
    other = world.other_township_village[:9] + "000"
    ExpressOutlet.objects.create(township_id=SHUANGNIAN, name="一号", opened_on=dt.date(2020, 3, 1))
    ExpressOutlet.objects.create(township_id=SHUANGNIAN, name="二号", opened_on=dt.date(2020, 3, 1))  # a second: once
    ExpressOutlet.objects.create(township_id=other, name="三号", opened_on=dt.date(2019, 3, 1),
                                 closed_on=dt.date(2020, 6, 30))  # closed on the day asked: not open that day
    indicator = load_catalog()["express_township_coverage"]
    frames = facts.load("140603", keys=["express_outlets", "townships"])
    on = dt.date(2020, 6, 30)
    got = {r["code"]: (r["numerator"], r["denominator"])
           for r in engine.compute(frames, [indicator], [on]).iter_rows(named=True)}
    townships = frames["townships"].height
    assert townships >= 2 and got[140603000000] == (1, townships)
    assert got[int(SHUANGNIAN)] == (1, 1) and got[int(other)] == (0, 1)
    got = {r["code"]: r["numerator"] for r in engine.compute(frames, [indicator], [on - dt.timedelta(days=1)])
           .iter_rows(named=True)}
    assert got[140603000000] == 2


def test_the_check_meets_a_township_with_an_outlet_open_on_the_day(world):
    from fangpin.ledgers import checks
    from fangpin.ledgers.checks import MET, MISSED
    from fangpin.orgunits.models import OrgUnit

    other = world.other_township_village[:9] + "000"
    ExpressOutlet.objects.create(township_id=SHUANGNIAN, name="一号", opened_on=dt.date(2024, 3, 1))
    ExpressOutlet.objects.create(township_id=other, name="二号", opened_on=dt.date(2023, 3, 1),
                                 closed_on=dt.date(2024, 12, 31))  # closed on the day judged: not open that day
    found = {f.subject.code: f.status for f in checks.for_area("express", OrgUnit.objects.get(code="140603000000"),
                                                                  year=2024, on=dt.date(2024, 12, 31))}
    assert found[SHUANGNIAN] == MET and found[other] == MISSED
    found = {f.subject.code: f.status for f in checks.for_area("express", OrgUnit.objects.get(code="140603000000"),
                                                                  year=2024, on=dt.date(2024, 12, 30))}
    assert found[other] == MET
