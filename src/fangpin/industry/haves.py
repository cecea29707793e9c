"""The “five haves” (五有, 山西十二条 引言), computed from the registry and the linkage ledger where facts exist and
taken from the five-haves ledger's declarations otherwise.

A village has 脱贫产业 when it declares its leading industry; 带动主体 when an entity of the linkage ledger lifts one
of its households in the year (else when it names one); 合作经济组织 when a farmers' cooperative of the registry lies
in it (else when it names one). A household has an 增收产业项目 when the registry marks its industry project or
courtyard economy, a member runs a start-up, or an entity lifts it in the year (else when it declares one); its
laborers have skills when every member with full labour capacity has a training record by then (else when it
declares their skills); a household without such members needs none.

Everything is a few queries over an area (subqueries per row, never a query per household)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from fangpin.registry.choices import Category, EnterpriseKind, LaborCapacity
from fangpin.registry.models import Enterprise, Household, Member, Startup, Training

from .choices import HaveSource
from .models import HouseholdHaves, Link, VillageHaves

POPULATION = (Category.LIFTED, Category.MONITORED)  # 贫困户 of 2020, read as 脱贫户 and 监测户
VILLAGE_HAVES = (("industry", "有脱贫产业"), ("entity", "有带动主体"), ("cooperative", "有合作经济组织"))
HOUSEHOLD_HAVES = (("project", "有增收产业项目"), ("skills", "有劳动能力的有技能"))
MET = (HaveSource.COMPUTED, HaveSource.DECLARED, HaveSource.NOT_NEEDED)


def as_of(year: int, on: dt.date) -> dt.date | None:
    """The day a year's haves are judged on: the date asked, or the year's end for a past year; None before the year."""
    if on < dt.date(year, 1, 1):
        return None
    return min(on, dt.date(year, 12, 31))


def _started(day: dt.date) -> Q:
    return Q(started_on__isnull=True) | Q(started_on__lte=day)


def village_flags(villages: QuerySet, year: int, day: dt.date) -> QuerySet:
    """OrgUnit rows (villages) with what tells each have."""
    declared = VillageHaves.objects.filter(village=OuterRef("code"), year=year)
    return villages.annotate(
        industry_declared=Exists(declared.exclude(leading_industry="")),
        entity_computed=Exists(Link.objects.filter(_started(day), household__village=OuterRef("code"), year=year)),
        entity_declared=Exists(declared.exclude(entity_name="")),
        cooperative_computed=Exists(Enterprise.objects.filter(org_unit=OuterRef("code"),
                                                              kind=EnterpriseKind.COOPERATIVE)),
        cooperative_declared=Exists(declared.exclude(cooperative_name="")),
    )


def household_flags(households: QuerySet, year: int, day: dt.date) -> QuerySet:
    """Household rows with what tells each have."""
    declared = HouseholdHaves.objects.filter(household=OuterRef("pk"), year=year)
    laborers = Member.objects.filter(household=OuterRef("pk"), labor_capacity=LaborCapacity.LABORER)
    trained = Training.objects.filter(member=OuterRef("pk"), year__lte=year, start_date__lte=day)
    return households.annotate(
        linked=Exists(Link.objects.filter(_started(day), household=OuterRef("pk"), year=year)),
        started_up=Exists(Startup.objects.filter(member__household=OuterRef("pk"), started_on__lte=day)),
        project_declared=Exists(declared.exclude(income_project="")),
        has_laborers=Exists(laborers),
        untrained=Exists(laborers.filter(~Exists(trained))),
        skills_declared=Exists(declared.exclude(skills="")),
    )


# what a missing have is, as a filter on the annotated rows
PROJECT_MISSING = Q(industry_project=False, courtyard_economy=False, linked=False, started_up=False,
                    project_declared=False)
SKILLS_MISSING = Q(untrained=True, skills_declared=False)
HOUSEHOLD_GAP = PROJECT_MISSING | SKILLS_MISSING


def village_gap(year: int, day: dt.date) -> Q:
    """A village missing a have of its own, or with a household of the population missing one."""
    gaps = household_flags(Household.objects.filter(village=OuterRef("code"), category__in=POPULATION), year, day)
    return (Q(industry_declared=False) | Q(entity_computed=False, entity_declared=False)
            | Q(cooperative_computed=False, cooperative_declared=False) | Q(Exists(gaps.filter(HOUSEHOLD_GAP))))


def _source(computed: bool, declared: bool) -> str:
    if computed:
        return HaveSource.COMPUTED
    return HaveSource.DECLARED if declared else HaveSource.MISSING


def village_sources(v) -> dict[str, str]:
    """have -> HaveSource for a village annotated by village_flags."""
    return {"industry": _source(False, v.industry_declared),
            "entity": _source(v.entity_computed, v.entity_declared),
            "cooperative": _source(v.cooperative_computed, v.cooperative_declared)}


def household_sources(h) -> dict[str, str]:
    """have -> HaveSource for a household annotated by household_flags."""
    project = h.industry_project or h.courtyard_economy or h.linked or h.started_up
    if not h.has_laborers:
        skills = HaveSource.NOT_NEEDED
    else:
        skills = _source(not h.untrained, h.skills_declared)
    return {"project": _source(project, h.project_declared), "skills": skills}


def missing(sources: dict[str, str], labels) -> list[str]:
    return [label for key, label in labels if sources[key] not in MET]


@dataclass
class VillageTally:
    """A village's households of the population and how many of them have each household have."""
    households: int = 0
    project: int = 0
    skills: int = 0
    both: int = 0
    laborers: int = 0  # households with a laborer (山西十二条 一)
    laborers_project: int = 0


def tallies(households: QuerySet, year: int, day: dt.date) -> dict[str, VillageTally]:
    """village code -> its tally, over the population households of `households` (one query)."""
    out: dict[str, VillageTally] = {}
    rows = household_flags(households.filter(category__in=POPULATION), year, day).only(
        "village_id", "industry_project", "courtyard_economy")
    for h in rows.iterator(chunk_size=2000):
        t = out.setdefault(h.village_id, VillageTally())
        s = household_sources(h)
        project, skills = s["project"] in MET, s["skills"] in MET
        t.households += 1
        t.project += project
        t.skills += skills
        t.both += project and skills
        if h.has_laborers:
            t.laborers += 1
            t.laborers_project += project
    return out


def population_villages(villages: QuerySet, year: int) -> QuerySet:
    """The villages judged (贫困村 of 2020, read as 脱贫村): those with 脱贫户 or 监测户 in the registry, or with a
    declaration of the year (the division tree has no flag for 脱贫村)."""
    return villages.filter(level="village").filter(
        Exists(Household.objects.filter(village=OuterRef("code"), category__in=POPULATION))
        | Exists(VillageHaves.objects.filter(village=OuterRef("code"), year=year)))
