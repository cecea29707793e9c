"""The posts ledger's demo rows (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县): each village's posts,
held by the demo registry's laborers over three years.

Each village post keeps one target person (a lifted or monitored household's laborer) and one other person; the post
is held by the one or the other in each period (the year before last, last year, this year), so that the share on
the date asked and the count at each year's end are set per village: met in some villages, missed in others."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Exists, OuterRef

from fangpin.orgunits.models import OrgUnit
from fangpin.registry.choices import Category, LaborCapacity, SchoolStage
from fangpin.registry.models import Member

D = dt.date
ABBREVIATIONS = {"140603000000": "PL", "610327000000": "LX"}
VILLAGE_POSTS = ["保洁员", "护路员", "养老护理员", "爱心超市管理员", "消防安全员", "水管员", "疫情防控员", "护林员"]


def _pools(village: OrgUnit, rng: random.Random) -> tuple[list[str], list[str]]:
    """The village's laborers (not at school): those of lifted or monitored households, and those of other households
    without a disabled member; each shuffled."""
    disabled = Member.objects.filter(household_id=OuterRef("household_id"), disability_grade__isnull=False)
    rows = (Member.objects.filter(household__village_id=village.code, school_stage=SchoolStage.NONE)
            .exclude(labor_capacity=LaborCapacity.NONE)
            .annotate(disabled=Exists(disabled)).order_by("id_number")
            .values_list("id_number", "household__category", "disabled"))
    targets = [i for i, category, _ in rows if category in (Category.LIFTED, Category.MONITORED)]
    others = [i for i, category, disabled in rows if category == Category.ORDINARY and not disabled]
    rng.shuffle(targets)
    rng.shuffle(others)
    return targets, others


def _holdings(post: str, people: list[str | None], starts: list[dt.date], wage: int | None) -> list[dict]:
    """One row per stretch a person holds the post: `people[k]` from `starts[k]` to the day before the next start."""
    rows = []
    for k, person in enumerate(people):
        if person is None:
            continue
        if rows and rows[-1]["id_number"] == person and rows[-1]["ended_on"] == str(starts[k] - dt.timedelta(days=1)):
            rows[-1]["ended_on"] = None if k == len(people) - 1 else str(starts[k + 1] - dt.timedelta(days=1))
            continue
        end = None if k == len(people) - 1 else str(starts[k + 1] - dt.timedelta(days=1))
        rows.append({"post_code": post, "id_number": person, "started_on": str(starts[k]), "ended_on": end,
                     "monthly_wage": wage})
    return rows


def _village(i: int, village: OrgUnit, prefix: str, rng: random.Random, today: dt.date) -> tuple[list, list]:
    year = today.year
    targets, others = _pools(village, rng)
    if not targets and not others:
        return [], []
    n = min(rng.randint(4, 6), max(len(targets), len(others)))
    half = (n + 1) // 2
    share_met, kept = i % 2 == 0, i % 3 != 1
    now = half if share_met else half - 1  # even n and met: exactly 50%
    last = rng.choice([half - 1, half]) if kept else half
    before = max(0, last - rng.choice([0, 1])) if kept else min(n, last + 1)
    starts = [D(year - 3, rng.randint(3, 9), 1), D(year - 1, 3, 1), min(today, D(year, 3, 1))]
    posts, holders = [], []
    base = village.code[-6:]
    for k in range(n):
        code = f"{prefix}GY{base}-{k + 1:02d}"
        wage = rng.choice([50000, 60000, 80000])
        posts.append({"code": code, "village_code": village.code, "name": VILLAGE_POSTS[k % len(VILLAGE_POSTS)],
                      "kind": "village", "funding": rng.choice(["pv_income", "pv_income", "village_collective"]),
                      "monthly_wage": wage, "created_on": str(starts[0]), "abolished_on": None})
        target = targets[k] if k < len(targets) else None
        other = others[k] if k < len(others) else None
        people = [target if k < count else other for count in (before, last, now)]
        holders += _holdings(code, people, starts, None)
    spare = targets[n:]
    if spare:  # an employment-assistance post (clause 14), not counted in the village posts' checks
        code = f"{prefix}GY{base}-{n + 1:02d}"
        posts.append({"code": code, "village_code": village.code, "name": "就业帮扶专岗", "kind": "employment_assistance",
                      "funding": "employment_subsidy", "monthly_wage": 110000, "created_on": str(D(year - 2, 4, 1)),
                      "abolished_on": None})
        holders += _holdings(code, [spare[0]], [D(year - 2, 4, 1)], rng.choice([None, 115000]))
    if i % 4 == 3:  # a post set up and abolished in the year before last
        posts.append({"code": f"{prefix}GY{base}-{n + 2:02d}", "village_code": village.code, "name": "疫情防控员",
                      "kind": "other", "funding": "linkage", "monthly_wage": 60000,
                      "created_on": str(D(year - 2, 2, 1)), "abolished_on": str(D(year - 2, 6, 30))})
    return posts, holders


def build(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    prefix = ABBREVIATIONS.get(county.code, "XX")
    posts, holders = [], []
    for i, village in enumerate(villages):
        p, h = _village(i, village, prefix, rng, today)
        posts += p
        holders += h
    return {"employment_posts": posts, "employment_post_holders": holders}
