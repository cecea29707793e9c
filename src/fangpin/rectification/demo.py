"""The rectification ledger's demo rows (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县)."""
from __future__ import annotations

import datetime as dt
import random

from fangpin.demo.ledgers import day_between
from fangpin.orgunits.models import OrgUnit
from fangpin.orgunits.villages import short_name

D = dt.date
ABBREVIATIONS = {"140603000000": "PL", "610327000000": "LX"}

PROBLEMS = {
    "industry": ["合作社带贫机制不健全，分红未按协议兑现", "产业奖补资金未及时兑付到户", "帮扶车间停工，吸纳务工人数下降"],
    "employment": ["公益岗位人员考勤记录不全", "跨省务工交通补贴发放台账与务工记录不符"],
    "funds": ["衔接资金项目开工滞后，支出进度偏慢", "项目公示内容不全，未公示资金来源"],
    "assets": ["扶贫项目资产未确权登记", "村级光伏电站运维不到位，发电量下降"],
    "monitoring": ["监测户帮扶措施未落实到位", "部门预警信息核实不及时"],
    "guarantees": ["个别脱贫户住房存在安全隐患", "饮水设施冬季冻管，供水不稳定", "控辍保学台账不全"],
    "conduct": ["帮扶干部入户走访记录不实"],
}
MEASURES = ["制定整改方案，明确责任人和时限", "逐户核实，补齐台账资料", "督促责任单位限期整改并复核", "召开专题会议研究解决"]
PEOPLE = ["王海军", "李文斌", "张晓燕", "刘建国", "赵志强", "陈丽娟", "杨国华", "孙立新"]
SOURCES = ["inspection_tour", "audit", "assessment", "supervision", "unannounced_visit", "petition", "self_check"]


def _place(rng, county, villages, townships) -> tuple[OrgUnit, str]:
    roll = rng.random()
    if roll < 0.7:
        village = rng.choice(villages)
        return village, f"{short_name(village.name)}村民委员会"
    if roll < 0.9 and townships:
        township = rng.choice(townships)
        return township, f"{township.name}人民政府"
    return county, f"{county.name}{rng.choice(['乡村振兴局', '农业农村局', '人力资源和社会保障局'])}"


def build(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    """2020's problems (the year of 山西十二条's 大排查, its 30 June deadline), last year's and this year's: most closed
    on time, some late, some still open; those found in the first half of the year mostly without their own deadline
    (the seed's 30 June applies in 2020), later ones with one."""
    rows, n = [], 0
    prefix = ABBREVIATIONS.get(county.code, "WT")
    for year in (2020, today.year - 1, today.year):
        last = min(today, D(year, 12, 31))
        for _ in range(14):
            n += 1
            found = day_between(rng, D(year, 1, 5), last)
            half = D(year, 6, 30)
            own = found > half and rng.random() < 0.85 or found <= half and rng.random() < 0.4
            deadline = found + dt.timedelta(days=rng.randrange(30, 120)) if own else None
            due = deadline or (half if found <= half else None)
            place, unit = _place(rng, county, villages, townships)
            category = rng.choice(list(PROBLEMS))
            row = {"code": f"{prefix}ZG{year}{n:03d}", "found_on": found, "source": rng.choice(SOURCES),
                   "category": category, "description": rng.choice(PROBLEMS[category]), "division_code": place.code,
                   "responsible_unit": unit, "responsible_person": rng.choice(PEOPLE), "deadline": deadline,
                   "measures": rng.choice(MEASURES)}
            outcome = rng.random()
            if due is not None and outcome < 0.6:  # on time
                closed = day_between(rng, min(found + dt.timedelta(days=7), due), due)
            elif due is not None and outcome < 0.75:  # late
                closed = due + dt.timedelta(days=rng.randrange(3, 40))
            else:
                closed = None
            if closed is not None and closed <= today:
                row |= {"closed_on": closed, "reviewer": rng.choice(PEOPLE),
                        "evidence": rng.choice(["整改报告、现场照片", "验收意见、兑付凭证", "复核记录、会议纪要"])}
            rows.append({k: (str(v) if isinstance(v, dt.date) else v) for k, v in row.items()})
    return {"rectification_problems": rows}
