"""The industry ledgers' demo rows (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县): the registry's
enterprises of the demo as entities lifting its lifted and monitored households, and the five-haves declarations of
most villages (not all: the gap pages have gaps to show) and of a few households."""
from __future__ import annotations

import datetime as dt
import math
import random

from fangpin.demo.ledgers import day_between
from fangpin.orgunits.models import OrgUnit
from fangpin.orgunits.villages import short_name
from fangpin.registry.choices import Category, EnterpriseKind
from fangpin.registry.models import Enterprise, Household

D = dt.date
K = EnterpriseKind
WAYS = {
    K.COOPERATIVE: ["equity", "guaranteed_dividend", "contract_farming", "custody_farming"],
    K.FAMILY_FARM: ["raw_materials", "floor_price", "asset_lease"],
    K.LEAD_ENTERPRISE: ["contract_farming", "floor_price", "employment"],
    K.EMPLOYER: ["employment", "contract_farming"],
    K.WORKSHOP: ["employment"],
    K.COMMUNITY_FACTORY: ["employment"],
}
INDUSTRIES = ["肉牛养殖", "肉羊养殖", "马铃薯种植", "小杂粮种植加工", "食用菌", "中药材（黄芪）", "设施蔬菜", "奶山羊养殖",
              "苹果种植", "中蜂养殖"]
PROJECTS = ["养羊8只", "入股合作社分红", "种植马铃薯5亩", "庭院养鸡", "光伏收益分红", "种植黄芪3亩", "养蜂6箱"]
SKILLS = ["农村实用技术培训结业", "中式烹调师（初级）证书", "电焊工（初级）证书", "初级职业农民", "家政服务员证书"]


def _years(today: dt.date) -> tuple[int, int]:
    return today.year - 1, today.year


def _households(villages: list[OrgUnit]) -> list[Household]:
    return list(Household.objects.filter(village__in=villages, category__in=(Category.LIFTED, Category.MONITORED))
                .order_by("number"))


def _entity(e: Enterprise, year: int, rng: random.Random, afforestation: bool, today: dt.date) -> dict:
    members = members_target = None
    if e.kind == K.COOPERATIVE:
        # the afforestation cooperative: 20 members with 12 of the target households (60%) last year, one fewer now
        members = (20 if year < today.year else 19) if afforestation else rng.randrange(25, 120)
        members_target = 12 if afforestation else math.ceil(members * rng.choice([0.4, 0.55, 0.65, 0.8]))
    employees = e.total_employees or rng.randrange(5, 40)
    return {"credit_code": e.credit_code, "year": year,
            "level": rng.choice(["county", "county", "city", "province", "none"]),
            "leading_industry": rng.choice(INDUSTRIES), "members": members, "members_target": members_target,
            "employees": employees, "employees_target": int(employees * rng.choice([0.1, 0.3, 0.5])),
            "afforestation": afforestation, "revenue": rng.randrange(50, 3000) * 10_000_00,
            "evaluation": "none" if year == today.year else rng.choice(["good", "fairly_good", "fair", "poor"]),
            "status": rng.choice(["normal"] * 8 + ["suspended"])}


def build_linkage(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
                  today: dt.date) -> dict:
    """Last year's and this year's entity rows for every enterprise that lifts households, and their links to
    households of about two thirds of the villages."""
    enterprises = list(Enterprise.objects.filter(org_unit__in=villages, kind__in=list(WAYS)).order_by("credit_code"))
    households = _households(villages)
    linked_villages = {v.code for v in rng.sample(villages, max(1, len(villages) * 2 // 3))}
    candidates = [h for h in households if h.village_id in linked_villages]
    cooperatives = [e for e in enterprises if e.kind == K.COOPERATIVE]
    entities, links = [], []
    for year in _years(today):
        end = min(today, D(year, 12, 31))
        for e in enterprises:
            entities.append(_entity(e, year, rng, bool(cooperatives) and e == cooperatives[0], today))
            for h in rng.sample(candidates, min(len(candidates), rng.randrange(5, 20))):
                links.append({"credit_code": e.credit_code, "year": year, "household_number": h.number,
                              "way": rng.choice(WAYS[e.kind]), "income": rng.randrange(500, 20_000) * 100,
                              "started_on": str(day_between(rng, D(year, 1, 1), end))})
    seen, unique = set(), []
    for link in links:  # one row per entity, year, household and way
        key = (link["credit_code"], link["year"], link["household_number"], link["way"])
        if key not in seen:
            seen.add(key)
            unique.append(link)
    return {"linkage_entities": entities, "linkage_links": unique}


def build_five_haves(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
                     today: dt.date) -> dict:
    """Most villages declare their leading industry, some the names of an entity or a cooperative; a few households
    declare a project or skills."""
    rows, declared = [], []
    for year in _years(today):
        for v in villages:
            if rng.random() < 0.25:  # no declaration: the village misses 有脱贫产业
                continue
            name = short_name(v.name)
            rows.append({"division_code": v.code, "year": year, "leading_industry": rng.choice(INDUSTRIES),
                         "entity_name": f"{name}{rng.choice(['种养', '农牧'])}专业合作社" if rng.random() < 0.3 else None,
                         "cooperative_name": f"{name}股份经济合作社" if rng.random() < 0.5 else None})
        for h in _households(villages):
            if rng.random() < 0.1:
                declared.append({"household_number": h.number, "year": year,
                                 "income_project": rng.choice(PROJECTS) if rng.random() < 0.7 else None,
                                 "skills": rng.choice(SKILLS) if rng.random() < 0.6 else None})
    return {"five_haves_villages": rows, "five_haves_households": declared}


OPERATORS = ("中国邮政", "顺丰速运", "中通快递", "韵达快递", "圆通速递")


def build_express(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
                  today: dt.date) -> dict:
    """Most townships have an outlet or two, opened over the last years; now and then one has closed."""
    rows = []
    for t in townships:
        if t.code != "140603203000" and rng.random() < 0.15:  # a township without an outlet: coverage below 100%
            continue  # (双碾乡, the demo's township, has one: its ledger page shows a township that meets the check)
        for n in range(rng.choice((1, 1, 2))):
            operator = rng.choice(OPERATORS)
            opened = today - dt.timedelta(days=rng.randrange(200, 3600))
            closes = rng.random() < 0.1 and not (t.code == "140603203000" and n == 0)
            closed = opened + dt.timedelta(days=rng.randrange(100, 800)) if closes else None
            rows.append({"division_code": t.code, "name": f"{short_name(t.name)}{operator}服务站{n + 1 if n else ''}",
                         "operator": operator, "opened_on": str(opened),
                         "closed_on": str(closed) if closed and closed < today else None})
    return {"express_outlets": rows}

