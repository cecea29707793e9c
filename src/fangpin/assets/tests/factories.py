"""Rows of the asset and PV ledgers made directly, for the checks' and pages' tests."""
import datetime as dt
from decimal import Decimal

from fangpin.assets.models import Asset, AssetIncome, Station, StationIncome, VillagePvUse

D = dt.date


def asset(code="ZC-1", place="140603203200", *, kind="operational", ownership="confirmed", operation="normal",
          formed=D(2023, 5, 1), owner="双碾村股份经济合作社", custodian="双碾村股份经济合作社", person="王建军",
          measures="签订管护协议", project=None) -> Asset:
    return Asset.objects.create(code=code, name=f"资产{code}", kind=kind, org_unit_id=place, project=project,
                                formed_on=formed, original_value=100_000_00, owner=owner, custodian=custodian,
                                custodian_person=person, custody_measures=measures, ownership=ownership,
                                operation=operation)


def asset_income(a: Asset, year=2024, *, income=10_000_00, agreed=None, to_households=None, disclosed=None):
    return AssetIncome.objects.create(asset=a, year=year, income=income, agreed_dividends=agreed,
                                      to_households=to_households, households=10 if to_households else None,
                                      disclosed_on=disclosed)


def station(code="GF-1", place="140603203200", *, kind="village") -> Station:
    return Station.objects.create(code=code, name=f"电站{code}", kind=kind, org_unit_id=place,
                                  capacity_kw=Decimal("300.00"), connected_on=D(2018, 6, 30))


def station_income(s: Station, year=2024, *, income=1_000_000, to_villages=900_000) -> StationIncome:
    return StationIncome.objects.create(station=s, year=year, income=income, to_villages=to_villages)


def village_use(village="140603203200", year=2024, *, received=1_000_000, wages=500_000, labour=300_000,
                poor=None) -> VillagePvUse:
    return VillagePvUse.objects.create(village_id=village, year=year, received=received, post_wages=wages,
                                       poor_post_wages=poor, labour=labour)
