"""Demo rows of the disasters ledger (灾害事件及受灾户台账): one event per demo county this year, a few villages hit
and some of their households with losses. 陇县's households are then enrolled in bulk (demo.setup), 平鲁区's wait for
the county bureau to do it on the event's page. Referrals to civil affairs: the monitored households the rules
find, referred last autumn (平鲁区's checks of 双发〔2022〕67号 第26条 judge 2025), most answered. Relocation: one or two
centralized sites per county in villages with households, some of whose lifted households moved in from the other
villages of the township in 2017-2019 (the demo cannot move households: the site's village is their village now)."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

from . import disasters, referrals
from .models import DisasterEvent, Referral

SITUATIONS = ("房屋倒塌", "房屋严重受损", "农作物绝收", "农作物受灾减产五成以上", "牲畜死亡", "家庭成员受伤住院")


def build_disasters(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    # this year's (the ledger's checks judge the events of the year asked, this year by default), never ahead of today
    start = max(today - dt.timedelta(days=rng.randrange(30, 120)), dt.date(today.year, 1, 1))
    year = start.year
    short = county.name
    kind, label = ("hail", "冰雹") if county.code.startswith("140603") else ("flood", "洪涝")
    code = f"{short}{year}-{label}-01"
    hit = [v for v in villages if Household.objects.filter(village=v).exists()][:3]
    event = {"code": code, "division_code": county.code, "name": f"{year}年{start.month}月{short}{label}灾害",
             "kind": kind, "start": str(start), "end": str(min(today, start + dt.timedelta(days=rng.randrange(1, 6)))),
             "note": f"{label}致部分村农作物和房屋受损（演示数据）"}
    rows = []
    for v in hit:
        for number in Household.objects.filter(village=v).order_by("number").values_list("number", flat=True)[:6]:
            rows.append({"event_code": code, "household_number": number, "loss": rng.randrange(200, 3000) * 1000,
                         "situation": rng.choice(SITUATIONS)})
    return {"disaster_events": [event],
            "disaster_villages": [{"event_code": code, "village_code": v.code} for v in hit],
            "disaster_households": rows}


def after_disasters(user, county: OrgUnit) -> None:
    """陇县's households are enrolled in bulk at once (平鲁区's wait for the page)."""
    if county.code.startswith("610327"):
        for event in DisasterEvent.objects.filter(county=county):
            DisasterEvent.objects.filter(pk=event.pk).update(enrolling_since=timezone.now())  # as the page's job does
            disasters.run_enrollment(event.pk, user)


def build_referrals(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
                    today: dt.date) -> dict:
    on = dt.date(today.year - 1, 10, 15) if county.code.startswith("140603") else today - dt.timedelta(days=40)
    area = Household.objects.filter(village__in=villages)
    found = referrals.candidates(area, today=today)
    if not found:  # a small demo may have none the rules find: a few the village reported, added by hand as a county may
        found = [(h, "temporary", "村委会上报：家庭遭遇突发困难，基本生活出现困难（演示数据）")
                 for h in area.filter(category="monitored", risk_eliminated_on__isnull=True).order_by("number")[:3]]
    rows = []
    for h, kind, reason in sorted(found, key=lambda x: (x[0].number, x[1])):
        row = {"code": referrals.code_for(kind, h.number, on.year), "household_number": h.number, "kind": kind,
               "reason": reason, "referred_on": str(on), "result": None, "decided_on": None, "note": ""}
        draw = rng.random()
        if draw < 0.75:  # most answered, a few after the 30 days
            granted = draw < 0.55
            row.update(result=Referral.Result.GRANTED if granted else Referral.Result.REFUSED,
                       decided_on=str(min(today, on + dt.timedelta(days=rng.randrange(8, 40)))),
                       note="已纳入（演示数据）" if granted else "家庭收入超过标准，不符合条件（演示数据）")
        elif draw < 0.85:
            row.update(result=Referral.Result.IN_PROGRESS, note="入户调查中（演示数据）")
        rows.append(row)
    return {"referrals": rows}


def build_relocation(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
                     today: dt.date) -> dict:
    sites, rows = [], []
    for i, township in enumerate(townships[:2], start=1):
        here = [v for v in villages if v.code.startswith(township.code[:9])]
        at = next((v for v in here if Household.objects.filter(village=v, category="lifted").exists()), None)
        if at is None or len(here) < 2:
            continue
        code = f"{county.name}-安置点-{i:02d}"
        built = dt.date(2017 + i, rng.randrange(3, 10), rng.randrange(1, 28))
        sites.append({"code": code, "division_code": at.code, "name": f"{at.name}易地扶贫搬迁集中安置点",
                      "completed_on": str(built), "capacity": rng.randrange(40, 120)})
        others = [v for v in here if v != at]
        for number in (Household.objects.filter(village=at, category="lifted").order_by("number")
                       .values_list("number", flat=True)[:rng.randrange(12, 25)]):
            rows.append({"site_code": code, "household_number": number,
                         "relocated_on": str(built + dt.timedelta(days=rng.randrange(10, 400))),
                         "moved_from": rng.choice(others).code})
    return {"relocation_sites": sites, "relocation_households": rows}
