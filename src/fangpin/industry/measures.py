"""What the industry ledgers' checks measure (linkage_checks.yaml, five_haves_checks.yaml). Every check here is judged
per row (an entity's year, a village): each measure gives, for the area named by `code`, one (subject, ratio_on) per
row. A row is judged on the day its year's figures are read (industry.haves.as_of): the date asked, or the year's end
for a past year; a year not begun yet is pending."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio, Subject
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.choices import EnterpriseKind
from fangpin.registry.models import Household

from . import haves
from .models import LinkEntity


def _entities(code: str, year: int, **filters):
    return (LinkEntity.objects.filter(access.subtree("enterprise__org_unit_id", divisions.prefix(code)), year=year,
                                      **filters)
            .select_related("enterprise").order_by("enterprise__credit_code"))


def _entity_subject(e: LinkEntity, on: dt.date) -> Subject:
    return Subject(f"{e.enterprise.name}（{e.year}年）", e.enterprise.org_unit_id,
                   reverse("ledger_entry", args=["linkage", "linkage_entities", e.pk]), due=haves.as_of(e.year, on))


def _fixed(ratio: Ratio):
    return lambda day: ratio


def afforestation_members(code: str, year: int, on: dt.date):
    """An afforestation cooperative's members, a count (双发〔2022〕67号 第17条: 社员稳定在20人以上)."""
    for e in _entities(code, year, afforestation=True):
        ratio = Ratio(e.members or 0, 1 if e.members is not None else 0, "社员", "", unit="count")
        yield _entity_subject(e, on), _fixed(ratio)


def afforestation_target_share(code: str, year: int, on: dt.date):
    """Its members who are laborers of lifted and monitored households, over its members (… 劳动力达到60%以上)."""
    for e in _entities(code, year, afforestation=True):
        ratio = Ratio(e.members_target or 0, e.members or 0, "社员中脱贫户和监测户劳动力", "社员总数", unit="count")
        yield _entity_subject(e, on), _fixed(ratio)


def absorbed_share(code: str, year: int, on: dt.date, *, kinds=()):
    """A new-type agricultural entity's absorption of poor households (忻州 五.九: 吸纳贫困户70%以上): a cooperative's
    members who are laborers of lifted and monitored households over its members; any other entity's workers likewise
    over its workers."""
    for e in _entities(code, year, enterprise__kind__in=kinds):
        if e.enterprise.kind == EnterpriseKind.COOPERATIVE:
            ratio = Ratio(e.members_target or 0, e.members or 0, "社员中脱贫户和监测户劳动力", "社员总数", unit="count")
        else:
            ratio = Ratio(e.employees_target or 0, e.employees or 0, "职工中脱贫户和监测户劳动力", "职工总数", unit="count")
        yield _entity_subject(e, on), _fixed(ratio)


# -- five haves ---------------------------------------------------------------------------------------------------

def _villages(code: str, year: int, day: dt.date, households: bool):
    """The area's judged villages with their flags, and their households' tallies if asked (one query each)."""
    prefix = divisions.prefix(code)
    villages = haves.population_villages(OrgUnit.objects.filter(access.subtree("code", prefix)), year)
    flagged = list(haves.village_flags(villages.select_related("parent"), year, day).order_by("code"))
    tallies = haves.tallies(Household.objects.filter(access.subtree("village_id", prefix)), year, day) if households else {}
    return [(v, tallies.get(v.code, haves.VillageTally())) for v in flagged]


def _village_subject(v: OrgUnit, year: int, on: dt.date) -> Subject:
    url = reverse("ledger_list", args=["five_haves", "household_gaps"]) + f"?village={v.code}&year={year}"
    return Subject(f"{v.parent.name}{v.name}", v.code, url, due=haves.as_of(year, on))


def _five_haves(code: str, year: int, on: dt.date, ratio_of, households: bool = True):
    day = haves.as_of(year, on) or on
    for v, tally in _villages(code, year, day, households):
        yield _village_subject(v, year, on), _fixed(ratio_of(v, tally))


def village_haves(code: str, year: int, on: dt.date):
    """A village's haves of its own (有脱贫产业、有带动主体、有合作经济组织): how many of the three."""
    def ratio(v, tally):
        sources = haves.village_sources(v)
        met = [label for key, label in haves.VILLAGE_HAVES if sources[key] in haves.MET]
        return Ratio(len(met), len(haves.VILLAGE_HAVES), f"已具备（{'、'.join(met) or '无'}）", "应具备", unit="count")
    return _five_haves(code, year, on, ratio, households=False)


def household_haves(code: str, year: int, on: dt.date):
    """A village's lifted and monitored households that have both household haves, over all of them."""
    return _five_haves(code, year, on, lambda v, t: Ratio(
        t.both, t.households, "两项都具备的脱贫户和监测户", "脱贫户和监测户", unit="count"))


def laborer_households_project(code: str, year: int, on: dt.date):
    """A village's lifted and monitored households with a laborer that have an income project (山西十二条 一)."""
    return _five_haves(code, year, on, lambda v, t: Ratio(
        t.laborers_project, t.laborers, "其中有产业项目的", "有劳动能力的脱贫户和监测户", unit="count"))


# -- express outlets -------------------------------------------------------------------------------------------------

def township_outlets(code: str, year: int, on: dt.date):
    """Each township of the area: whether an express outlet is open on the day judged (山西十二条 二), one query."""
    from django.db.models import Exists, OuterRef, Q

    from .models import ExpressOutlet

    day = haves.as_of(year, on) or on
    open_ = ExpressOutlet.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day), township=OuterRef("code"),
                                         opened_on__lte=day)
    townships = (OrgUnit.objects.filter(access.subtree("code", divisions.prefix(code)), level="township")
                 .select_related("parent").annotate(open=Exists(open_)).order_by("code"))
    url = reverse("ledger_list", args=["express", "express_outlets"])
    for t in townships:
        subject = Subject(f"{t.parent.name}{t.name}", t.code, f"{url}?area={t.code}", due=haves.as_of(year, on))
        yield subject, _fixed(Ratio(int(t.open), 1, "营业中的快递网点", "应有", unit="count"))

