"""就业台账 (湖南十条 三): the lifted and monitored laborers' employment by place, from the registry's work spells
(registry.Employment), for each unit one level below the one asked, this year and last.

Every figure counts persons: a member of a household registered 脱贫户 or 监测户 with a work spell of the year (of
any kind: wage work, public-welfare post, flexible work), counted once per column however many spells. Places map one
to one: the registry's 跨省 is 省外, 省内县（区）外 is 省内县外, 县（区）内 is 县内; a person with spells in two places
counts in both, once in 务工人数.

One grouped query gives every unit's figures: the spells of the two years under the unit, grouped by the first digits
of the village code (the township's nine, the village's twelve), each figure a distinct count with its condition."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear, Greatest, Least, Substr

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.choices import Category, EmploymentKind, EmploymentPlace, EnterpriseKind
from fangpin.registry.models import Employment

PATH = "member__household__village_id"
TARGET = Q(member__household__category__in=(Category.LIFTED, Category.MONITORED))
SIX_MONTHS = 6


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    note: str = ""


PLACES = (
    Measure("employed", "务工人数", "有本年度就业记录的人数（一人只计一次）"),
    Measure("cross_province", "省外", "户籍信息“务工地域”为跨省"),
    Measure("in_province", "省内县外", "户籍信息“务工地域”为省内县（区）外"),
    Measure("in_county", "县内", "户籍信息“务工地域”为县（区）内"),
    Measure("six_months", "务工6个月以上", "本年度在岗月数合计不少于6个月"),
)
BATCHES = (
    Measure("cooperation", "劳务协作稳定一批", "县外务工（省外和省内县外）的人数"),
    Measure("local", "就近就业吸纳一批", "公益岗位或帮扶车间就业的人数（以工代赈务工户籍信息中没有）"),
    Measure("posts", "其中：公益岗位", "就业类型为公益岗位"),
    Measure("workshops", "其中：帮扶车间", "用工单位为帮扶车间（不含社区工厂）"),
    Measure("returnees", "回流人员转岗一批", "标记为返乡回流人员、本年度有就业记录的人数"),
)
# The batches the registry knows nothing of: said on the page and in the export.
NOT_DERIVED = (
    ("新成长劳动力帮扶一批", "户籍信息没有高校毕业生、“雨露计划”毕业生和“一人一档”的记录；“首次稳定就业”标记的是外出务工"
                       "首次稳定就业（陇县求职补贴），不是新成长劳动力，不据此统计"),
    ("落实就业政策支持一批", "交通补贴、劳务补助、技能培训补助等的发放不在就业记录中，由待遇兑现和发放台账反映"),
    ("以工代赈项目务工", "户籍信息的就业记录不记以工代赈项目，就近就业吸纳一批中不含这部分"),
)


def months_in_year(year: int):
    """The spell's months inside the year, as the policies count them (本年度在岗月数, policies.tables): its
    连续务工月数 less those before 1 January, and at most the calendar months from its start (or January) to its end
    (or December)."""
    first_day, last_day = dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = Case(When(start_date__lt=first_day, then=Value(1)), When(start_date__gt=last_day, then=Value(13)),
                 default=ExtractMonth("start_date"), output_field=IntegerField())
    last = Case(When(end_date__isnull=True, then=Value(12)), When(end_date__gt=last_day, then=Value(12)),
                When(end_date__lt=first_day, then=Value(0)), default=ExtractMonth("end_date"),
                output_field=IntegerField())
    inside = Greatest(last - first + 1, Value(0), output_field=IntegerField())
    started = ExtractYear("start_date") * 12 + ExtractMonth("start_date")
    before = Least(Greatest(Value(year * 12 + 1) - started, Value(0), output_field=IntegerField()), F("months"),
                   output_field=IntegerField())
    return Least(Greatest(F("months") - before, Value(0), output_field=IntegerField()), inside,
                 output_field=IntegerField())


def _six_months(prefix: str, year: int):
    """The members of the area whose months in the year add up to six or more."""
    return (Employment.objects.filter(access.subtree(PATH, prefix), year=year).annotate(m=months_in_year(year))
            .values("member_id").annotate(total=Sum("m")).filter(total__gte=SIX_MONTHS).values("member_id"))


def _conditions(prefix: str, year: int) -> dict[str, Q]:
    posts = Q(kind=EmploymentKind.PUBLIC_WELFARE_POST)
    workshops = Q(employer__kind=EnterpriseKind.WORKSHOP)
    return {
        "employed": Q(),
        "cross_province": Q(place=EmploymentPlace.CROSS_PROVINCE),
        "in_province": Q(place=EmploymentPlace.IN_PROVINCE_OUT_OF_COUNTY),
        "in_county": Q(place=EmploymentPlace.IN_COUNTY),
        "six_months": Q(member_id__in=_six_months(prefix, year)),
        "cooperation": Q(place__in=(EmploymentPlace.CROSS_PROVINCE, EmploymentPlace.IN_PROVINCE_OUT_OF_COUNTY)),
        "local": posts | workshops,
        "posts": posts,
        "workshops": workshops,
        "returnees": Q(returnee=True),
    }


def _counts(user, unit: OrgUnit, year: int, width: int) -> dict[str, dict]:
    """part (the first `width` digits of the village code) -> {"key:year": persons}: one query."""
    aggregates = {}
    for y in (year, year - 1):
        for key, condition in _conditions(unit.prefix, y).items():
            aggregates[f"{key}:{y}"] = Count("member_id", distinct=True, filter=Q(year=y) & condition)
    spells = (access.scope(user, Employment.objects.filter(access.subtree(PATH, unit.prefix), TARGET,
                                                           year__in=(year, year - 1)), "ledgers.read")
              .annotate(part=Substr(PATH, 1, width)).values("part").annotate(**aggregates).order_by())
    return {r.pop("part"): r for r in spells}


def units_below(unit: OrgUnit) -> list[OrgUnit]:
    """The rows of the report: the unit's children (a village: itself)."""
    if unit.level == "village":
        return [unit]
    return list(OrgUnit.objects.filter(parent=unit).order_by("code"))


def by_place(user, unit: OrgUnit, year: int) -> list[dict]:
    """One row per unit below `unit`: code, name, level, and for each measure `key:year`, `key:year-1` and
    `key:change`."""
    access.require(user, "ledgers.read")
    access.require_area(user, unit.code)
    level = divisions.level_below(unit.level)
    width = divisions.PREFIX_LENGTH[level]
    found = _counts(user, unit, year, width)
    rows = []
    for u in units_below(unit):
        counts = found.get(divisions.prefix(u.code, level if unit.level != "village" else "village"), {})
        row = {"code": u.code, "name": u.name, "level": u.level}
        for m in (*PLACES, *BATCHES):
            now, before = counts.get(f"{m.key}:{year}", 0), counts.get(f"{m.key}:{year - 1}", 0)
            row.update({f"{m.key}:{year}": now, f"{m.key}:{year - 1}": before, f"{m.key}:change": now - before})
        rows.append(row)
    return rows


def totals(rows: list[dict]) -> dict:
    """The sums of the rows (each person lives in one village: the units' counts add up)."""
    keys = [k for k in (rows[0] if rows else {}) if k not in ("code", "name", "level")]
    return {k: sum(r[k] for r in rows) for k in keys}
