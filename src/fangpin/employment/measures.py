"""What the posts checks measure (checks.yaml), on a date, over the posts of a unit (a village's code: its posts).

Who counts is read from the registry as it stands: a member of a household registered 脱贫户 or 监测户 (risk
eliminated or not), or of a household with a member holding a disability grade (残疾人家庭). A post counts on a day
when it was set up by then and not abolished before it; a person holds it from 上岗日期 to 离岗日期, both included."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio
from fangpin.lib import divisions
from fangpin.registry.choices import Category, PostKind
from fangpin.registry.models import Member

from .models import Post, PostHolder

TARGET = Q(member__household__category__in=(Category.LIFTED, Category.MONITORED))


def _kinds(kinds) -> str:
    return "、".join(PostKind(k).label.split("（")[0] for k in kinds)


def posts_on(code: str, day: dt.date, kinds):
    """The unit's posts of the kinds that exist on `day`."""
    return Post.objects.filter(access.subtree("village_id", divisions.prefix(code)), kind__in=kinds,
                               created_on__lte=day).filter(Q(abolished_on__isnull=True) | Q(abolished_on__gte=day))


def holders_on(code: str, day: dt.date, kinds):
    """Who holds one of those posts on `day` (a person in two posts is one row per post)."""
    return PostHolder.objects.filter(post__in=posts_on(code, day, kinds), started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def _persons(qs) -> int:
    return qs.values("member_id").distinct().count()


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def post_share(code: str, year: int, on: dt.date, *, kinds=(PostKind.VILLAGE,)) -> Ratio:
    """脱贫户、监测户、残疾人家庭劳动力安置人数 ÷ 公益岗位总数, on the day: persons (each once) over posts (filled or not)."""
    disabled = Member.objects.filter(household_id=OuterRef("member__household_id"), disability_grade__isnull=False)
    holders = holders_on(code, on, kinds).filter(TARGET | Q(Exists(disabled)))
    label = _kinds(kinds)
    return Ratio(_persons(holders), posts_on(code, on, kinds).count(),
                 f"{label}上的脱贫户、监测户、残疾人家庭劳动力（人）", f"{label}总数（个）", unit="count")


def holders_kept(code: str, year: int, on: dt.date, *, kinds=(PostKind.VILLAGE,)) -> Ratio:
    """吸纳脱贫人口和监测对象就业规模: the lifted and monitored persons in the posts on the day, over those on the same
    day a year before."""
    before = _year_before(on)
    label = _kinds(kinds)
    return Ratio(_persons(holders_on(code, on, kinds).filter(TARGET)),
                 _persons(holders_on(code, before, kinds).filter(TARGET)),
                 f"{on:%Y-%m-%d}{label}上的脱贫人口和监测对象（人）", f"上年同日（{before:%Y-%m-%d}）", unit="count")
