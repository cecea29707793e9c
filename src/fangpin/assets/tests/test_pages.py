"""The asset and PV ledgers' pages: labels and names, not codes; an asset's page lists its yearly income and its
checks; the ledger page gives each check's region and period."""
import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN

from .factories import asset, asset_income, station, station_income, village_use

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_an_assets_page_shows_its_income_its_checks_and_history(world):
    a = asset(operation="idle", measures="")
    asset_income(a, 2024, disclosed=None)
    page = _client(world.county).get(f"/ledgers/assets/asset_items/{a.pk}/?on=2024-12-31").content.decode()
    assert "资产收益（1）" in page and "10,000.00" in page
    assert "经营性" in page and "闲置" in page and "双碾村" in page and "operational" not in page
    assert "未落实：管护措施" in page and "运营状态：闲置" in page and "山西十二条 九" in page
    assert "变更记录" in page


def test_the_pv_page_judges_the_year_and_shows_each_checks_period(world):
    station_income(station(), 2024, income=1_000_000, to_villages=850_000)
    village_use(SHUANGNIAN_CUN, 2024, wages=500_000, labour=300_000)
    page = _client(world.county).get("/ledgers/pv/?year=2024&on=2024-12-31").content.decode()
    assert "光伏收益分配到村比例" in page and "占85%" in page and "未达标" in page
    assert "双碾乡双碾村2024年" in page and "达标" in page
    assert "2022-08-12至2025-12-31" in page and "2020年" in page
    later = _client(world.county).get("/ledgers/pv/?year=2026&on=2026-12-31").content.decode()
    assert "本区域没有适用的检查项" in later  # 双发〔2022〕67号 ended with 2025


def test_the_lists_show_labels_and_names(world):
    station(kind="centralized")
    village_use()
    c = _client(world.county)
    stations = c.get("/ledgers/pv/pv_stations/").content.decode()
    assert "集中式电站" in stations and "300.00" in stations and "centralized" not in stations
    uses = c.get("/ledgers/pv/pv_village_uses/?year=2024").content.decode()
    assert "双碾村" in uses and "5,000.00" in uses
    assert "没有符合条件的记录" in _client(world.other_county).get("/ledgers/pv/pv_village_uses/").content.decode()
