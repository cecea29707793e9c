"""The consumption ledger's demo rows: a county's assisting units, budget units with canteens and 五进 units, with
three years of purchases (the last one under way)."""
from __future__ import annotations

import datetime as dt
import random

from fangpin.lib import creditcode
from fangpin.orgunits.models import OrgUnit

UNITS = {  # name, level, five entries, canteen, assisting
    "140603000000": [("朔州市农业农村局", "city", True, True, True), ("朔州市人民医院", "city", True, True, False),
                     ("平鲁区人民政府办公室", "county", True, True, True), ("平鲁区教育局", "county", True, True, True),
                     ("双碾乡人民政府", "township", True, True, False), ("双碾乡中心学校", "township", False, True, False),
                     ("平鲁区供销合作社", "county", False, False, True)],
    "610327000000": [("宝鸡市乡村振兴局", "city", True, True, True), ("陇县人民医院", "county", True, True, False),
                     ("陇县农业农村局", "county", False, True, True)],
}


def build(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    units, purchases = [], []
    for i, (name, level, five, canteen, assisting) in enumerate(UNITS.get(county.code, [])):
        code = creditcode.make(county.code[:6], f"DM{i:07d}", registrar="11")
        village = rng.choice(villages).code if assisting else None
        place = townships[0].code if level == "township" else county.code  # a township's units sit in it
        units.append({"credit_code": code, "name": name, "level": level, "division_code": place,
                      "five_entries": five, "canteen": canteen, "assisting": assisting, "assisted_village": village})
        for year in (today.year - 2, today.year - 1, today.year):
            row = {"credit_code": code, "year": year}
            if five or canteen:
                total = rng.randrange(30, 200) * 10_000_00
                row["canteen_total"] = total
                row["canteen_directed"] = int(total * rng.choice([0.15, 0.2, 0.25, 0.3])) // 100 * 100
                farm = rng.randrange(20, 120) * 10_000_00
                row["farm_total"] = farm
                row["farm_832"] = int(farm * rng.choice([0.08, 0.1, 0.12])) // 100 * 100
            if assisting:
                budget = rng.randrange(5, 30) * 10_000_00
                row["welfare_budget"] = budget
                row["welfare_bought"] = int(budget * rng.choice([0.25, 0.3, 0.35])) // 100 * 100
                row["bulk_bought"] = rng.choice([8_000, 10_000, 15_000, 20_000, 26_000]) * 100
            if year == today.year:  # the year under way: part of it so far
                for key in ("canteen_directed", "farm_832", "welfare_bought", "bulk_bought"):
                    if key in row:
                        row[key] = row[key] // 2 // 100 * 100
            purchases.append(row)
    return {"consumption_units": units, "consumption_purchases": purchases}
