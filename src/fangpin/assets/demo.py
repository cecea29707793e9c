"""The demo rows of the asset and PV ledgers (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县, after the
funds ledger, whose completed projects formed the assets).

Assets: one for each completed project of the county's demo area, and a village PV station asset in some villages;
most in order, a few with ownership unclear, idle or low-yield, or custody not fully recorded; yearly income of the
operational ones. PV: those stations, a centralized one and a household one, their income of the last three years and
the villages' use of it, a few below the shares."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Sum

from fangpin.orgunits.models import OrgUnit
from fangpin.orgunits.villages import short_name

from .models import Asset

D = dt.date
ABBREVIATIONS = {"140603000000": "PL", "610327000000": "LX"}
KINDS = {"industry": "operational", "employment": "operational", "infrastructure": "public_welfare",
         "public_service": "public_welfare", "relocation": "public_welfare", "other": "public_welfare"}
PERSONS = ["王建军", "李爱民", "张志强", "刘秀英", "陈国华", "杨文明", "赵海平", "孙桂兰", "周永红", "吴新民"]
MEASURES = {"operational": "签订管护协议，经营主体负责日常维护，村委会每季度巡查",
            "public_welfare": "纳入村级公益设施管护，聘用公益岗位人员日常管护，每月巡查",
            "household": "受益户自管自护，乡村两级每半年回访"}


def _prefix(county: OrgUnit) -> str:
    return ABBREVIATIONS.get(county.code, "ZC")


def _village_stations(villages: list[OrgUnit]) -> list[OrgUnit]:
    """The villages with a village PV station: every third village, at most six."""
    return villages[::3][:6]


def _owner(place: OrgUnit, kind: str) -> str:
    if kind == "household":
        return "受益农户"
    if place.level == "township":
        return f"{place.name}人民政府"
    return f"{short_name(place.name)}股份经济合作社"


def _asset(rng: random.Random, code: str, name: str, kind: str, place: OrgUnit, formed: dt.date, value: int,
           project: str | None) -> dict:
    owner = _owner(place, kind)
    state = rng.random()
    ownership, operation = "confirmed", "normal"
    if state < 0.1:
        ownership, owner = "unclear", ""
    elif state < 0.2:
        operation = "idle"
    elif state < 0.28:
        operation = "low_yield"
    custody_gap = rng.random() < 0.15
    return {"code": code, "name": name, "kind": kind, "division_code": place.code, "project_code": project,
            "formed_on": str(formed), "original_value": value, "owner": owner or None,
            "custodian": owner or f"{short_name(place.name)}村民委员会",
            "custodian_person": rng.choice(PERSONS), "custody_measures": None if custody_gap else MEASURES[kind],
            "ownership": ownership, "operation": operation, "note": None}


def _incomes(rng: random.Random, asset: dict, today: dt.date) -> list[dict]:
    """An operational asset's yearly income (about 5% of its value, less when low-yield, none when idle) and its
    distribution, disclosed in December or January (now and then not recorded)."""
    out = []
    formed = D.fromisoformat(asset["formed_on"])
    rate = {"normal": 0.05, "low_yield": 0.01, "idle": 0}[asset["operation"]]
    for year in range(max(formed.year + 1, today.year - 2), today.year + 1):
        income = int(asset["original_value"] * rate * rng.uniform(0.8, 1.2)) // 100 * 100
        if income <= 0:
            continue
        to_households = income * 6 // 10 // 100 * 100
        households = rng.randrange(12, 60)
        disclosed = D(year, 12, rng.randrange(15, 29)) if rng.random() < 0.5 else D(year + 1, 1, rng.randrange(5, 25))
        if disclosed > today or rng.random() < 0.15:
            disclosed = None
        out.append({"asset_code": asset["code"], "year": year, "income": income, "agreed_dividends": None,
                    "to_households": to_households, "households": households,
                    "to_public": income * 3 // 10 // 100 * 100, "retained": income // 10 // 100 * 100,
                    "disclosed_on": str(disclosed) if disclosed else None, "note": None})
    return out


def build_assets(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    from fangpin.funds.models import Project

    places = {u.code: u for u in (*villages, *townships)}
    projects = (Project.objects.filter(org_unit_id__in=list(places), completed_on__isnull=False)
                .annotate(funds=Sum("allocations__amount")).order_by("code"))
    assets, incomes = [], []
    for p in projects:
        kind = KINDS[p.kind]
        if kind == "operational" and p.kind == "industry" and rng.random() < 0.25:
            kind = "household"  # cattle, seedlings handed to households
        formed = p.accepted_on or p.completed_on
        asset = _asset(rng, f"ZC-{p.code}", p.name, kind, places[p.org_unit_id], formed, p.funds or p.budget or 0,
                       p.code)
        assets.append(asset)
    for i, village in enumerate(_village_stations(villages), 1):
        formed = D(2017 + i % 3, rng.randrange(4, 11), rng.randrange(1, 28))
        asset = _asset(rng, f"ZC-{_prefix(county)}GF-{i:02d}", f"{short_name(village.name)}村级光伏电站",
                       "operational", village, formed, rng.randrange(180, 260) * 10_000_00, None)
        asset["operation"] = "normal" if asset["operation"] == "idle" else asset["operation"]
        assets.append(asset)
    if assets:  # one disposed of: no longer judged
        assets[0]["operation"] = "disposed"
    for asset in assets:
        if asset["kind"] == "operational" and asset["operation"] != "disposed":
            incomes += _incomes(rng, asset, today)
    return {"asset_items": assets, "asset_incomes": incomes}


# -- PV ------------------------------------------------------------------------------------------------------------

def _station(code: str, name: str, kind: str, place: OrgUnit, kw: int, connected: dt.date, owner: str,
             asset: str | None) -> dict:
    return {"code": code, "name": name, "kind": kind, "division_code": place.code, "capacity_kw": f"{kw}.00",
            "connected_on": str(connected), "owner": owner, "asset_code": asset, "note": None}


def _stations(county: OrgUnit, villages: list[OrgUnit], rng: random.Random) -> list[dict]:
    prefix = _prefix(county)
    stations = []
    linked = {a.org_unit_id: a for a in Asset.objects.filter(org_unit_id__in=[v.code for v in villages],
                                                               name__endswith="村级光伏电站")}
    for i, village in enumerate(_village_stations(villages), 1):
        asset = linked.get(village.code)
        connected = asset.formed_on if asset else D(2018, 6, 30)
        stations.append(_station(f"GF-{prefix}-{i:02d}", f"{short_name(village.name)}村级光伏电站", "village", village,
                                 rng.choice([100, 200, 300]), connected, f"{short_name(village.name)}股份经济合作社",
                                 asset.code if asset else None))
    hub = villages[len(villages) // 2]
    stations.append(_station(f"GF-{prefix}-JZ", f"{county.name}集中式光伏扶贫电站（{short_name(hub.name)}）",
                             "centralized", hub, 2000, D(2017, 12, 20), f"{county.name}扶贫开发有限公司", None))
    stations.append(_station(f"GF-{prefix}-HY", f"{short_name(villages[1].name)}户用光伏（汇总）", "household",
                             villages[1], 30, D(2016, 10, 15), "受益农户", None))
    return stations


def _yield_yuan(station: dict, year: int, today: dt.date, rng: random.Random) -> int:
    """A year's income in fen: about 1,100 kWh per kW at 0.75 yuan; the current year's up to last month."""
    kw = int(station["capacity_kw"].split(".")[0])
    fen = int(kw * 1100 * 75 * rng.uniform(0.85, 1.1))
    if year == today.year:
        fen = fen * (today.month - 1) // 12
    return fen // 100 * 100


def build_pv(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
             today: dt.date) -> dict:
    stations = _stations(county, villages, rng)
    by_code = {v.code: v for v in villages}
    served = [v for v in villages if v.code not in {s["division_code"] for s in stations}][:5]  # the hub's villages
    incomes, received = [], {}
    for n, s in enumerate(stations):
        for year in range(today.year - 2, today.year + 1):
            income = _yield_yuan(s, year, today, rng)
            if s["kind"] == "household":
                share = 0  # a household's own income
            elif n == 1 and year == today.year - 1:
                share = 0.9  # exactly the floor
            elif n == 2 and year == today.year - 2:
                share = 0.85  # kept back for maintenance: below the floor
            else:
                share = rng.choice([0.9, 0.92, 0.95, 1.0])
            to_villages = int(income * share) // 100 * 100 if share != 0.9 else income * 9 // 10
            settled = D(year + 1, 1, 20) if D(year + 1, 1, 20) <= today else None
            incomes.append({"station_code": s["code"], "year": year, "income": income, "to_villages": to_villages,
                            "settled_on": str(settled) if settled else None,
                            "note": "留存电站运维费用" if share == 0.85 else None})
            targets = {"village": [by_code[s["division_code"]]], "centralized": served}.get(s["kind"], [])
            for v in targets:
                received[(v.code, year)] = received.get((v.code, year), 0) + to_villages // len(targets)
    uses = []
    for (village, year), fen in sorted(received.items()):
        share = rng.choice([0.8, 0.82, 0.85, 0.9, 0.95]) if rng.random() > 0.2 else rng.choice([0.6, 0.72])
        used = -(-fen * 4 // 5) if share == 0.8 else int(fen * share)  # 80% to the fen
        post_wages = used * 7 // 10
        uses.append({"village_code": village, "year": year, "received": fen, "post_wages": post_wages,
                     "poor_post_wages": post_wages * 3 // 4, "labour": used - post_wages,
                     "other": fen - used if fen > used else None,
                     "note": "部分收益用于电站设备维修" if share < 0.8 else None})
    return {"pv_stations": stations, "pv_incomes": incomes, "pv_village_uses": uses}
