import datetime as dt
from decimal import Decimal

import pytest

from fangpin.policies import catalog, simulate, tables

from .helpers import household, member, spell

AS_OF = dt.date(2025, 6, 30)


def world():
    a, b, c = member("H1"), member("H2"), member("H2", "child", tekun=True)
    doc = {"households": [household("H1"), household("H2", "monitored", "marginal", village="140603203203")],
           "members": [a, b, c],
           "employments": [spell(a, "cross_province"), spell(b, "cross_province"), spell(c, "in_province_out_of_county")]}
    built, _ = tables.build(tables.from_document(doc), year=2025, as_of=AS_OF)
    return catalog.load_catalog()["sn2022-67"], built


def row(frame, key, value):
    return next(r for r in frame.iter_rows(named=True) if r[key] == value)


def test_transport_change_costs_500_per_cross_province_worker():
    doc, built = world()
    out = simulate.compare(doc, built, as_of=AS_OF, changes={"transport_cross_province": Decimal("2000")})
    t = row(out["benefit"], "benefit_name", "务工就业交通补贴")
    assert (t["baseline"], t["scenario"], t["change"]) == (150000 * 2 + 60000, 200000 * 2 + 60000, 100000)
    assert row(out["village"], "village_code", "140603203200")["change"] == 50000
    assert row(out["village"], "village_code", "140603203203")["change"] == 50000
    assert row(out["level"], "level", "未规定")["change"] == 100000   # the seed names no source for clause 10


def test_voucher_funding_splits_5_3_2_and_keeps_every_fen():
    doc, built = world()
    out = simulate.compare(doc, built, as_of=AS_OF, changes={"voucher_per_person": Decimal("1000.01")})
    levels = {r["level"]: r for r in out["level"].iter_rows(named=True)}
    # two vouchers (H2 is monitored: both members): 3000 yuan now, 2000.02 in the scenario
    assert (levels["province"]["baseline"], levels["city"]["baseline"], levels["county"]["baseline"]) == (150000, 90000, 60000)
    scenario = [levels[k]["scenario"] for k in ("province", "city", "county")]
    assert scenario == [100002, 60000, 40000]  # 200002 fen: the odd fen goes to the largest share


def test_the_catalog_itself_is_not_changed():
    doc, built = world()
    simulate.compare(doc, built, as_of=AS_OF, changes={"transport_cross_province": Decimal("2000")})
    assert catalog.load_catalog()["sn2022-67"].parameters["transport_cross_province"].value_on(AS_OF) == 1500
    assert doc.parameters["transport_cross_province"].value_on(AS_OF) == 1500


@pytest.mark.parametrize("setting,message", [
    ("transport_cross_province", "应写成 参数名=数值"),
    ("nothing=1", "没有参数“nothing”"),
    ("transport_cross_province=abc", "不是数字"),
    ("transport_cross_province=-1", "非负数"),
    ("transport_cross_province=1.005", "最多两位小数"),
])
def test_bad_settings(setting, message):
    doc = catalog.load_catalog()["sn2022-67"]
    with pytest.raises(simulate.SimulationError, match=message):
        simulate.parse_settings(doc, [setting])
