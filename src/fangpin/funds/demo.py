"""The funds ledger's demo rows (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县)."""
from __future__ import annotations

import datetime as dt
import random

from fangpin.demo.ledgers import day_between
from fangpin.orgunits.models import OrgUnit
from fangpin.orgunits.villages import short_name

D = dt.date
ABBREVIATIONS = {"140603000000": "PL", "610327000000": "LX"}  # project codes: 平鲁, 陇县

PROJECT_NAMES = {
    "industry": ["肉牛养殖场扩建", "食用菌大棚", "马铃薯良种繁育基地", "小杂粮加工车间", "中药材种植基地", "光伏农业大棚",
                 "苹果矮化密植园", "奶山羊养殖场", "冷链仓储设施", "农产品电商服务站"],
    "infrastructure": ["产业路硬化", "田间灌溉管网", "村内巷道硬化", "小型水利设施修缮", "生产便桥"],
    "employment": ["帮扶车间厂房", "乡村就业驿站"],
    "public_service": ["村卫生室改造", "村级养老互助点"],
}


def build(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    """Three years of projects: most industry, a few work-for-relief roads; the district's and the centre's linkage
    funds and some integrated funds; spending spread over the year, the current year's behind its milestones in
    places."""
    projects, allocations, expenditures = [], [], []
    prefix = ABBREVIATIONS.get(county.code, "XM")
    n = 0
    for year in (today.year - 2, today.year - 1, today.year):
        for i in range(10 if len(villages) > 10 else 8):
            n += 1
            kind = rng.choices(["industry", "infrastructure", "employment", "public_service"], [6, 2, 1, 1])[0]
            place = rng.choice(villages) if rng.random() < 0.8 else rng.choice(townships)
            relief = "dedicated" if kind == "infrastructure" and rng.random() < 0.6 else (
                "promoted" if kind == "infrastructure" else "none")
            stored = day_between(rng, D(year - 1, 10, 1), D(year, 1, 31))
            steps = [stored]
            for gap in (10, 40, 150, 30):
                nxt = steps[-1] + dt.timedelta(days=gap + rng.randrange(20))
                if nxt > today or (year == today.year and rng.random() < 0.25):
                    break
                steps.append(nxt)
            code = f"{prefix}{year}-{n:03d}"
            name = f"{short_name(place.name)}{rng.choice(PROJECT_NAMES[kind])}"
            dates = dict(zip(("stored_on", "announced_on", "started_on", "completed_on", "accepted_on"), steps))
            budget = rng.randrange(20, 300) * 10_000_00
            projects.append({"code": code, "name": name, "year": year, "division_code": place.code, "kind": kind,
                             "relief_mode": relief, "implementer": f"{place.name}人民政府" if place.level == "township"
                             else f"{short_name(place.name)}股份经济合作社", "budget": budget,
                             "households": rng.randrange(5, 80) if kind == "industry" else None, **dates})
            total = 0
            for source, fund_kind, share in (("central", "linkage", 0.5), ("province", "linkage", 0.2),
                                             ("county", "linkage", 0.2), ("county", "integrated", 0.1)):
                if rng.random() < 0.2 and source != "central":
                    continue
                amount = int(budget * share) // 100 * 100
                total += amount
                allocations.append({"project_code": code, "source": source, "fund_kind": fund_kind, "amount": amount,
                                    "allocated_on": str(min(today, day_between(rng, D(year, 1, 15), D(year, 4, 30)))),
                                    "document": f"{county.name[:2]}财农〔{year}〕{rng.randrange(1, 60)}号"})
            started = dates.get("started_on")
            if started is None:
                continue
            spent_until = min(today, dates.get("completed_on", D(year, 12, 31)) + dt.timedelta(days=20))
            pace = 0.95 if year < today.year else rng.choice([0.5, 0.7, 0.85, 1.0])
            left = int(total * pace) // 100 * 100
            labour = relief != "none"
            for k in range(4):
                if left <= 0 or started > spent_until:
                    break
                amount = left if k == 3 else left // 2 // 100 * 100
                left -= amount
                is_labour = labour and k == 1
                if is_labour:  # labour remuneration of about 13-20% of the central and provincial funds
                    base = sum(a["amount"] for a in allocations if a["project_code"] == code
                               and a["source"] in ("central", "province"))
                    amount = int(base * rng.choice([0.13, 0.16, 0.2])) // 100 * 100
                expenditures.append({"project_code": code, "source": "central" if k % 2 == 0 else "county",
                                     "fund_kind": "linkage", "amount": max(amount, 100),
                                     "paid_on": str(day_between(rng, started, spent_until)), "labour": is_labour,
                                     "voucher": f"记-{year}{k:02d}{n:03d}"})
    return {"fund_projects": projects, "fund_allocations": allocations, "fund_expenditures": expenditures}


