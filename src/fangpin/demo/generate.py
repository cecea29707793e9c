"""Synthetic demo households in the exchange format: plausible names, valid ID numbers whose region
prefix is the household's county, reproducible from a seed. Nothing here is real data."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from fangpin.exchange.spec import FORMAT_NAME, FORMAT_VERSION
from fangpin.lib import creditcode, idnumber

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_MALE = "伟强军明华建国平志刚勇斌海波辉林东鹏飞涛杰峰磊超永福贵生旺成宝山根柱全喜德兴文"
GIVEN_FEMALE = "芳秀英华兰玲娟梅霞丽红燕萍艳娥凤琴翠云桂珍莲花叶玉敏静丹婷雪"
EMPLOYERS_OUT = ("苏州某电子厂", "北京某物业公司", "天津某建筑公司", "内蒙古某煤矿", "宁波某服装厂", "西安某餐饮公司", "太原某物流公司")


class _People:
    def __init__(self, rng: random.Random, region: str):
        self.rng = rng
        self.region = region
        self.used: set[str] = set()

    def name(self, surname: str, sex: str) -> str:
        pool = GIVEN_MALE if sex == "male" else GIVEN_FEMALE
        return surname + "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))

    def id_number(self, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(1, 999)
            if (seq % 2 == 1) != (sex == "male"):
                seq = seq + 1 if seq < 998 else seq - 1
            value = idnumber.make(self.region, birth, seq)
            if value not in self.used:
                self.used.add(value)
                return value

    def birth(self, year_from: int, year_to: int) -> dt.date:
        start = dt.date(year_from, 1, 1).toordinal()
        end = dt.date(year_to, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))


def generate(*, county_code: str, villages: Sequence[str], households: int, seed: int = 2026) -> dict:
    """A document in the exchange format for one county's villages."""
    rng = random.Random(f"{seed}-{county_code}")
    region = county_code[:6]
    people = _People(rng, region)
    doc: dict = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "enterprises": [], "households": [], "members": [],
                 "incomes": [], "employments": [], "trainings": [], "startups": []}

    enterprises = []
    kinds = ("workshop", "community_factory", "cooperative", "training_institution", "intermediary", "employer", "family_farm")
    names = {"workshop": "帮扶车间", "community_factory": "社区工厂", "cooperative": "种养专业合作社", "training_institution": "职业培训学校",
             "intermediary": "人力资源服务有限公司", "employer": "农产品加工有限公司", "family_farm": "家庭农场"}
    for i, kind in enumerate(kinds * 2):
        village = rng.choice(villages)
        code = creditcode.make(region, f"MA{rng.randrange(10**5, 10**6)}{i % 10}", "92" if kind == "family_farm" else "91")
        enterprises.append(code)
        doc["enterprises"].append({
            "credit_code": code, "name": f"{rng.choice(SURNAMES)}氏{names[kind]}{i + 1}号", "kind": kind,
            "division_code": village, "base_level": rng.choice(("none", "none", "city", "province")) if kind == "workshop" else "none",
            "base_certified_on": "2022-03-01" if kind == "workshop" else None,
            "total_employees": rng.randint(300, 800) if kind in ("workshop", "community_factory", "employer", "cooperative") else rng.randint(8, 60), "labor_intensive": kind in ("workshop", "community_factory", "employer"),
            "contact": people.name(rng.choice(SURNAMES), "male"), "phone": f"13{rng.randrange(10**8, 10**9)}",
        })
    workplaces = [e["credit_code"] for e in doc["enterprises"] if e["kind"] in ("workshop", "community_factory", "employer", "cooperative")]
    trainers = [e["credit_code"] for e in doc["enterprises"] if e["kind"] == "training_institution"]
    agencies = [e["credit_code"] for e in doc["enterprises"] if e["kind"] == "intermediary"]

    seq_by_village: dict[str, int] = {}
    for _ in range(households):
        village = rng.choice(villages)
        seq_by_village[village] = seq_by_village.get(village, 0) + 1
        number = f"{village}{seq_by_village[village]:04d}"
        roll = rng.random()
        if roll < 0.60:
            category, monitor_type = "lifted", None
        elif roll < 0.68:
            category, monitor_type = "monitored", rng.choice(("unstable", "unstable", "marginal", "sudden_hardship"))
        else:
            category, monitor_type = "ordinary", None
        lifted = category == "lifted" or monitor_type == "unstable"
        surname = rng.choice(SURNAMES)
        doc["households"].append({
            "household_number": number, "village_code": village, "category": category, "monitor_type": monitor_type,
            "lifted_year": rng.choice((2016, 2017, 2018, 2019, 2020)) if lifted else None,
            "dibao": rng.random() < (0.25 if category != "ordinary" else 0.03),
            "address": f"{seq_by_village[village]}号", "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            "contracted_land_mu": f"{rng.randint(0, 60) / 2:.2f}", "grain_area_mu": f"{rng.randint(0, 40) / 2:.2f}",
            "courtyard_economy": rng.random() < 0.15,
            # facts added later draw from their own stream, so that the rest of the demo stays as it was
            "industry_project": category == "monitored" and _extra(number).random() < 0.4,
        })
        members = _family(rng, people, surname)
        workers = 0
        for relation, sex, birth in members:
            id_number = people.id_number(birth, sex)
            age = 2025 - birth.year
            labor = "laborer" if 18 <= age <= 60 else ("half" if 16 <= age <= 65 else ("weak" if age <= 75 and age > 65 else "none"))
            disabled = rng.random() < 0.05
            school = "none"
            if 6 <= age <= 11:
                school = "primary"
            elif 12 <= age <= 14:
                school = "junior"
            elif 15 <= age <= 17:
                school = rng.choice(("senior", "vocational"))
            elif 18 <= age <= 21 and rng.random() < 0.4:
                school, labor = "college", "none"
            doc["members"].append({
                "household_number": number, "id_number": id_number, "name": people.name(surname if relation != "spouse" else rng.choice(SURNAMES), sex),
                "relation": relation, "labor_capacity": labor, "disability_grade": rng.randint(1, 4) if disabled else None,
                "tekun": disabled and rng.random() < 0.2, "school_stage": school,
                "training_willing": labor == "laborer" and rng.random() < 0.3, "phone": "",
                "serious_illness": _extra(id_number).random() < 0.03,
            })
            if labor == "laborer" and school == "none" and rng.random() < 0.55:
                workers += 1
                _employment(doc, rng, id_number, workplaces, agencies)
            if labor == "laborer" and rng.random() < 0.08:
                doc["trainings"].append({
                    "id_number": id_number, "year": 2025, "kind": rng.choice(("skills", "order", "outbound", "general")),
                    "institution_credit_code": rng.choice(trainers), "start_date": f"2025-0{rng.randint(3, 9)}-1{rng.randint(0, 9)}",
                    "days": rng.choice((5, 7, 10, 15, 20, 30)), "employed_after": rng.random() < 0.7,
                })
            if labor == "laborer" and rng.random() < 0.02:
                doc["startups"].append({
                    "id_number": id_number, "kind": rng.choice(("individual", "individual", "micro_enterprise")),
                    "enterprise_credit_code": None, "started_on": f"202{rng.randint(2, 5)}-0{rng.randint(1, 9)}-01",
                    "operating_months": rng.randint(2, 36), "yearly_rent": rng.choice((0, 240000, 360000, 480000)),
                    "guaranteed_loan": rng.choice((0, 0, 5000000, 10000000)), "returnee": rng.random() < 0.5,
                    "stable_income": _extra(f"{id_number}:startup").random() < 0.6,
                })
        size = len(members)
        for year in (2023, 2024, 2025):
            base = rng.randint(4500, 9000) * size
            doc["incomes"].append({
                "household_number": number, "year": year,
                "wage": workers * rng.randint(12000, 36000) * 100,
                "business_income": rng.randint(0, 12000) * 100, "business_cost": rng.randint(0, 4000) * 100,
                "property_income": rng.randint(0, 800) * 100,
                "transfer_income": (base // 4 + (3600 * size if category != "ordinary" else 0)) * 100,
            })
    return doc


def _family(rng: random.Random, people: _People, surname: str) -> list[tuple[str, str, dt.date]]:
    head_sex = "male" if rng.random() < 0.85 else "female"
    head_birth = people.birth(1948, 1988)
    out = [("head", head_sex, head_birth)]
    if rng.random() < 0.85:
        spouse_year = min(max(head_birth.year + rng.randint(-4, 4), 1945), 1992)
        out.append(("spouse", "female" if head_sex == "male" else "male", people.birth(spouse_year, spouse_year)))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        y = min(head_birth.year + rng.randint(21, 34), 2022)
        out.append(("child", rng.choice(("male", "female")), people.birth(y, y)))
    if head_birth.year > 1970 and rng.random() < 0.3:
        y = head_birth.year - rng.randint(22, 30)
        out.append(("parent", rng.choice(("male", "female")), people.birth(y, y)))
    if head_birth.year < 1965 and rng.random() < 0.3:
        out.append(("grandchild", rng.choice(("male", "female")), people.birth(2010, 2020)))
    return out


def _extra(key: str) -> random.Random:
    """A stream of its own per row for facts added after the demo was first drawn."""
    return random.Random(f"fangpin-demo:{key}")


def _employment(doc, rng, id_number, workplaces, agencies) -> None:
    place = rng.choices(("cross_province", "in_province_out_of_county", "in_county"), (3, 3, 4))[0]
    months = rng.randint(2, 12)
    start_month = rng.randint(1, 13 - min(months, 12))
    start = dt.date(2025, start_month, rng.randint(1, 28))
    local = place == "in_county"
    doc["employments"].append({
        "id_number": id_number, "year": 2025, "kind": "public_welfare_post" if local and rng.random() < 0.2 else "wage_job",
        "place": place, "employer_credit_code": rng.choice(workplaces) if local else None,
        "employer_name": "" if local else rng.choice(EMPLOYERS_OUT),
        "agency_credit_code": rng.choice(agencies) if rng.random() < 0.2 else None,
        "start_date": start.isoformat(), "end_date": None, "months": months,
        "monthly_wage": rng.randint(8, 60) * 10000, "contract_months": rng.choice((None, 6, 12, 24)),
        "first_stable": rng.random() < 0.2, "returnee": rng.random() < 0.1,
    })
    spell = doc["employments"][-1]
    if spell["kind"] == "public_welfare_post":  # 就业帮扶公益岗位 (cl.14) or village posts paid from PV income (cl.13)
        extra = _extra(f"{id_number}:post")
        spell["post_kind"] = extra.choice(("employment_assistance", "village", "village", "one_household_one_post"))
        spell["post_created_year"] = extra.choice((2021, 2022, 2022, 2023))
