"""The asset and PV checks on their boundaries: 90% and 80% met exactly and missed by a fen, pending before the year's
end, not judged outside the seed's region or period; custody item by item; the declared states as flags."""
import dataclasses
import datetime as dt

import pytest

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING
from fangpin.orgunits.models import OrgUnit

from .factories import asset, asset_income, station, station_income, village_use

pytestmark = pytest.mark.django_db
D = dt.date
HUNAN_COUNTY = "430102000000"  # 芙蓉区


def _found(ledger, area, check_id, *, year=2024, on=D(2024, 12, 31)):
    unit = OrgUnit.objects.get(code=area)
    return [f for f in checks.for_area(ledger, unit, year=year, on=on) if f.check.id == check_id]


def _one(ledger, area, check_id, **kw):
    [finding] = _found(ledger, area, check_id, **kw)
    return finding


# -- PV: 90% of a station's income to the villages (双发 13) ------------------------------------------------------

@pytest.mark.parametrize(("to_villages", "status"), [
    (900_000, MET),  # 90% itself
    (899_999, MISSED),  # one fen short
    (1_000_000, MET),  # more to the villages does not break a floor
])
def test_a_stations_share_to_the_villages_at_the_boundary(world, to_villages, status):
    station_income(station(), income=1_000_000, to_villages=to_villages)
    finding = _one("pv", PINGLU, "pv_village_share")
    assert finding.status == status and finding.judged_on == D(2024, 12, 31)
    assert "双发〔2022〕67号 第13条" in finding.explanation and "光伏收益90%分配到村" in finding.explanation


def test_a_stations_year_is_pending_until_the_years_end(world):
    station_income(station(), income=1_000_000, to_villages=500_000)
    early = _one("pv", PINGLU, "pv_village_share", on=D(2024, 12, 30))
    assert early.status == PENDING and early.judged_on is None
    assert "占50%" in early.explanation and "应于2024-12-31不低于90%" in early.explanation
    assert _one("pv", PINGLU, "pv_village_share", on=D(2025, 3, 1)).status == MISSED


def test_no_income_is_no_data(world):
    station_income(station(), income=0, to_villages=0)
    assert _one("pv", PINGLU, "pv_village_share").status == NO_DATA


def test_household_stations_and_stations_outside_shuangnian_are_not_judged(world):
    station_income(station("HY", kind="household"), to_villages=0)
    station_income(station("OUT", world.other_township_village), to_villages=0)  # 平鲁区, another township
    station_income(station("LX", world.longxian_village), to_villages=0)
    assert _found("pv", PINGLU, "pv_village_share") == []
    assert checks.for_area("pv", OrgUnit.objects.get(code="610327000000"), year=2024, on=D(2024, 12, 31)) == []


@pytest.mark.parametrize(("year", "judged"), [(2021, False), (2022, True), (2025, True), (2026, False)])
def test_the_share_is_judged_only_in_the_documents_period(world, year, judged):
    """双发〔2022〕67号 runs from 2022-08-12 to 2025-12-31: a year is judged when its end lies in that period."""
    station_income(station(), year=year, to_villages=0)
    found = _found("pv", PINGLU, "pv_village_share", year=year, on=D(year + 1, 1, 1))
    assert bool(found) is judged
    if judged:
        assert found[0].status == MISSED


# -- PV: 80% of a village's income to posts and public-service labour ----------------------------------------------

@pytest.mark.parametrize(("wages", "labour", "status"), [
    (500_000, 300_000, MET),  # exactly 80%
    (500_000, 299_999, MISSED),  # one fen short
    (0, 0, MISSED),
])
def test_a_villages_use_at_the_boundary(world, wages, labour, status):
    village_use(wages=wages, labour=labour)
    finding = _one("pv", PINGLU, "pv_village_use")
    assert finding.status == status
    assert finding.subject.label == "双碾乡双碾村2024年"
    assert "原则上不低于80%" in finding.explanation


def test_a_villages_use_is_pending_before_the_years_end_and_not_judged_after_the_period(world):
    village_use(year=2025, wages=0, labour=0)
    village_use(WUJIAYAO, year=2026, wages=0, labour=0)
    assert _one("pv", SHUANGNIAN, "pv_village_use", year=2025, on=D(2025, 6, 30)).status == PENDING
    assert _one("pv", SHUANGNIAN, "pv_village_use", year=2025, on=D(2025, 12, 31)).status == MISSED
    assert _found("pv", SHUANGNIAN, "pv_village_use", year=2026, on=D(2026, 12, 31)) == []
    village_use(WUJIAYAO, year=2024, received=0, wages=0, labour=0)
    assert _one("pv", SHUANGNIAN, "pv_village_use").status == NO_DATA


def _xinzhou_village():
    return OrgUnit.objects.filter(level="village", code__startswith="1409").order_by("code").first()


@pytest.mark.parametrize(("poor", "labour", "status"), [
    (500_000, 300_000, MET),  # posts held by the poor + labour: 80%
    (499_999, 300_000, MISSED),
    (None, 300_000, MISSED),  # posts held by the poor not recorded: counted as none
])
def test_xinzhou_2020_counts_the_posts_held_by_the_poor(world, poor, labour, status):
    village = _xinzhou_village()
    village_use(village.code, 2020, wages=700_000, poor=poor, labour=labour)
    county = village.code[:6] + "000000"
    finding = _one("pv", county, "pv_village_use_2020", year=2020, on=D(2021, 1, 1))
    assert finding.status == status
    assert "用于贫困人口承担的公益岗位工资和公益事业劳务" in finding.explanation
    assert _found("pv", county, "pv_village_use", year=2020, on=D(2021, 1, 1)) == []  # 双碾乡's rule: not here


def test_xinzhou_2020_rule_holds_for_2020_only_and_only_in_xinzhou(world):
    village = _xinzhou_village()
    village_use(village.code, 2021, wages=0, labour=0)
    assert _found("pv", village.code[:6] + "000000", "pv_village_use_2020", year=2021, on=D(2022, 1, 1)) == []
    village_use(year=2020, wages=0, labour=0)  # 双碾村, 2020: 朔州市 is not 忻州市
    assert _found("pv", PINGLU, "pv_village_use_2020", year=2020, on=D(2021, 1, 1)) == []


# -- assets: custody (山西十二条 九) -------------------------------------------------------------------------------

def test_custody_is_met_when_every_item_is_recorded(world):
    asset()
    finding = _one("assets", PINGLU, "asset_custody")
    assert finding.status == MET and finding.value_text == "所有权人、管护主体、管护责任人、管护措施均已落实"


@pytest.mark.parametrize("field", ["owner", "custodian", "person", "measures"])
def test_custody_is_missed_when_one_item_is_blank(world, field):
    labels = {"owner": "所有权人", "custodian": "管护主体", "person": "管护责任人", "measures": "管护措施"}
    asset(ownership="unclear" if field == "owner" else "confirmed", **{field: ""})
    finding = _one("assets", PINGLU, "asset_custody")
    assert finding.status == MISSED and finding.ratio.numerator == 3
    assert f"未落实：{labels[field]}" in finding.explanation and "逐个落实管护主体、管护责任、管护措施" in finding.explanation


def test_custody_skips_disposed_assets_unformed_ones_and_other_provinces(world):
    asset("GONE", operation="disposed", measures="")
    asset("LATER", formed=D(2025, 1, 1), measures="")
    asset("LX", world.longxian_village, measures="")
    assert _found("assets", PINGLU, "asset_custody") == []
    assert _found("assets", "610327000000", "asset_custody") == []
    assert len(_found("assets", PINGLU, "asset_custody", on=D(2025, 1, 1))) == 1


# -- assets: declared states as flags ------------------------------------------------------------------------------

@pytest.mark.parametrize(("operation", "status"), [("normal", MET), ("idle", MISSED), ("low_yield", MISSED)])
def test_an_idle_or_low_yield_asset_is_flagged_in_shanxi(world, operation, status):
    asset(operation=operation)
    finding = _one("assets", PINGLU, "asset_in_effect")
    assert finding.status == status
    assert finding.value_text.startswith("运营状态：")
    assert "低于" not in finding.explanation  # a state, not a share


def _hunan_asset(**kw):
    return asset("HN-1", HUNAN_COUNTY, **kw)


@pytest.mark.parametrize(("ownership", "owner", "status"), [("confirmed", "某村", MET), ("unclear", "", MISSED)])
def test_unclear_ownership_is_flagged_in_hunan(world, ownership, owner, status):
    _hunan_asset(ownership=ownership, owner=owner)
    finding = _one("assets", HUNAN_COUNTY, "asset_ownership_clear")
    assert finding.status == status and "权属状态：" in finding.explanation
    assert "对权属不清晰、界定不准的依法依规调整完善" in finding.explanation


def test_idle_assets_are_flagged_for_revival_in_hunan_and_the_hunan_flags_not_in_shanxi(world):
    _hunan_asset(operation="idle")
    assert _one("assets", HUNAN_COUNTY, "asset_revitalised").status == MISSED
    asset(ownership="unclear", owner="", operation="idle")
    assert _found("assets", PINGLU, "asset_ownership_clear") == []
    assert _found("assets", PINGLU, "asset_revitalised") == []


# -- assets: income --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("paid", "status"), [(500_000, MET), (499_999, MISSED), (None, MISSED)])
def test_agreed_dividends_paid_in_full_in_hunan(world, paid, status):
    asset_income(_hunan_asset(), agreed=500_000, to_households=paid)
    assert _one("assets", HUNAN_COUNTY, "asset_agreed_dividends").status == status
    assert _one("assets", HUNAN_COUNTY, "asset_agreed_dividends", on=D(2024, 12, 30)).status == PENDING


def test_years_without_agreed_dividends_are_not_judged(world):
    asset_income(_hunan_asset(), agreed=None, to_households=100)
    assert _found("assets", HUNAN_COUNTY, "asset_agreed_dividends") == []


@pytest.mark.parametrize(("disclosed", "on", "status"), [
    (D(2024, 12, 31), D(2024, 12, 31), MET),
    (None, D(2024, 12, 31), MISSED),
    (D(2025, 1, 10), D(2025, 1, 9), MISSED),  # no deadline in the seed: a later disclosure counts from its date
    (D(2025, 1, 10), D(2025, 1, 10), MET),
    (None, D(2024, 12, 30), PENDING),
])
def test_income_disclosure_of_a_villages_operational_asset(world, disclosed, on, status):
    asset_income(asset(), disclosed=disclosed)
    assert _one("assets", PINGLU, "asset_income_disclosed", on=on).status == status


def test_income_disclosure_only_for_confirmed_operational_assets_with_income_in_the_period(world):
    asset_income(asset("PUB", kind="public_welfare"))
    asset_income(asset("HH", kind="household"))
    asset_income(asset("UNCLEAR", ownership="unclear", owner=""))
    asset_income(asset("ZERO"), income=0)
    asset_income(asset("OUT", world.other_township_village))
    assert _found("assets", PINGLU, "asset_income_disclosed") == []
    a = asset("LATE")
    asset_income(a, year=2026)
    asset_income(a, year=2021)
    assert _found("assets", PINGLU, "asset_income_disclosed", year=2026, on=D(2027, 1, 1)) == []
    assert _found("assets", PINGLU, "asset_income_disclosed", year=2021, on=D(2022, 1, 1)) == []


# -- the framework's period, for checks judged per unit ------------------------------------------------------------

def test_a_unit_check_outside_its_period_is_not_judged(world):
    check = next(c for c in checks.checks_of("funds") if c.id == "district_industry_share")
    ended = dataclasses.replace(check, in_force=(D(2022, 8, 12), D(2023, 12, 31)))
    unit = OrgUnit.objects.get(code=SHUANGNIAN)
    assert checks.evaluate(ended, units=[unit], year=2024, on=D(2024, 12, 31)) == []
    assert [f.status for f in checks.evaluate(ended, units=[unit], year=2023, on=D(2023, 12, 31))] == [NO_DATA]
    assert ended.period_text == "2022-08-12至2023-12-31"
    assert not ended.applies_in(2024) and ended.applies_in(2023)


def test_a_subjects_page_is_the_one_its_finding_links(world):
    row = village_use(SHUANGNIAN_CUN)
    assert _one("pv", PINGLU, "pv_village_use").subject.url == f"/ledgers/pv/pv_village_uses/{row.pk}/"
