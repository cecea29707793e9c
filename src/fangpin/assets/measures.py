"""What the asset and PV checks measure (checks.yaml, pv_checks.yaml): for each row of an area, the subject and its
ratio as of a date. The area is a unit's code: the rows sited under it.

An asset's custody and states are judged on the ledger's current record as of the date asked (the ledger keeps no
dates for them); a year's income and its use are yearly figures, due at the year's end."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio, Subject
from fangpin.lib import divisions
from fangpin.orgunits.villages import short_name

from .choices import AssetKind, Operation, Ownership
from .models import Asset, AssetIncome, StationIncome, VillagePvUse

CUSTODY = (("owner", "所有权人"), ("custodian", "管护主体"), ("custodian_person", "管护责任人"),
           ("custody_measures", "管护措施"))


def _under(path: str, code: str):
    return access.subtree(path, divisions.prefix(code))


def _url(ledger: str, sheet: str, pk: int) -> str:
    return reverse("ledger_entry", args=[ledger, sheet, pk])


def _standing_assets(code: str, on: dt.date):
    """The assets formed by `on` that still stand (not disposed of)."""
    return (Asset.objects.filter(_under("org_unit_id", code), formed_on__lte=on)
            .exclude(operation=Operation.DISPOSED).order_by("code"))


def _asset_subject(a: Asset, on: dt.date) -> Subject:
    return Subject(str(a), a.org_unit_id, _url("assets", "asset_items", a.pk), due=on)


def custody(code: str, year: int, on: dt.date):
    """Each standing asset: owner, custodian, the person responsible and the measures all recorded."""
    for a in _standing_assets(code, on):
        missing = [label for field, label in CUSTODY if not getattr(a, field).strip()]
        shown = f"未落实：{'、'.join(missing)}" if missing else "所有权人、管护主体、管护责任人、管护措施均已落实"
        ratio = Ratio(len(CUSTODY) - len(missing), len(CUSTODY), "已落实", "应落实", unit="count", shown=shown)
        yield _asset_subject(a, on), lambda day, r=ratio: r


def declared_state(code: str, year: int, on: dt.date, *, field: str, good):
    """Each standing asset: its declared ownership or operation is one of `good` (已确权; 正常运营)."""
    labels = {"ownership": ("权属状态", Ownership), "operation": ("运营状态", Operation)}
    title, choices = labels[field]
    for a in _standing_assets(code, on):
        value = getattr(a, field)
        ratio = Ratio(int(value in good), 1, title, "资产", unit="count", shown=f"{title}：{choices(value).label}")
        yield _asset_subject(a, on), lambda day, r=ratio: r


def _income_subject(r: AssetIncome) -> Subject:
    return Subject(f"{r.asset}{r.year}年收益", r.asset.org_unit_id, _url("assets", "asset_incomes", r.pk),
                   due=dt.date(r.year, 12, 31))


def _incomes(code: str, year: int):
    return (AssetIncome.objects.filter(_under("asset__org_unit_id", code), year=year)
            .select_related("asset").order_by("asset__code"))


def agreed_dividends(code: str, year: int, on: dt.date):
    """Each asset's year with dividends agreed to households: what was paid to households over what was agreed."""
    for r in _incomes(code, year).filter(agreed_dividends__gt=0):
        ratio = Ratio(r.to_households or 0, r.agreed_dividends, "分配到户", "按协议应分配到户的分红")
        yield _income_subject(r), lambda day, x=ratio: x


def income_disclosed(code: str, year: int, on: dt.date):
    """Each year with income of an operational asset whose ownership is confirmed (确权到村): its distribution
    disclosed by the date asked."""
    rows = _incomes(code, year).filter(income__gt=0, asset__kind=AssetKind.OPERATIONAL,
                                       asset__ownership=Ownership.CONFIRMED)
    for r in rows:
        done = r.disclosed_on is not None and r.disclosed_on <= on
        shown = f"收益分配已于{r.disclosed_on:%Y-%m-%d}公示" if done else "收益分配未登记公示"
        ratio = Ratio(int(done), 1, "已公示", "有收益的年度", unit="count", shown=shown)
        yield _income_subject(r), lambda day, x=ratio: x


def village_share(code: str, year: int, on: dt.date, *, kinds):
    """Each station's year (of the kinds named): the income allocated to villages over the year's income."""
    rows = (StationIncome.objects.filter(_under("station__org_unit_id", code), year=year, station__kind__in=kinds)
            .select_related("station").order_by("station__code"))
    for r in rows:
        subject = Subject(f"{r.station}{r.year}年", r.station.org_unit_id, _url("pv", "pv_incomes", r.pk),
                          due=dt.date(r.year, 12, 31))
        ratio = Ratio(r.to_villages, r.income, "分配到村", "发电收益")
        yield subject, lambda day, x=ratio: x


def village_use(code: str, year: int, on: dt.date, *, posts: str = "post_wages"):
    """Each village's year: (post wages + labour in village public-service works) over the village's PV income;
    `posts` = poor_post_wages counts only the posts held by the poor (忻州 2020)."""
    rows = (VillagePvUse.objects.filter(_under("village_id", code), year=year)
            .select_related("village__parent").order_by("village_id"))
    wages = "公益岗位工资" if posts == "post_wages" else "贫困人口承担的公益岗位工资"
    for r in rows:
        subject = Subject(f"{r.village.parent.name}{short_name(r.village.name)}{r.year}年", r.village_id,
                          _url("pv", "pv_village_uses", r.pk), due=dt.date(r.year, 12, 31))
        used = (getattr(r, posts) or 0) + r.labour
        ratio = Ratio(used, r.received, f"用于{wages}和公益事业劳务", "到村收益")
        yield subject, lambda day, x=ratio: x
