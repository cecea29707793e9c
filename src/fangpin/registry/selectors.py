"""Reads of the registry. Every one takes the user and goes through fangpin.accounts.access.scope."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from fangpin.accounts import access, masking
from fangpin.lib import divisions, idnumber
from fangpin.orgunits.models import OrgUnit

from . import name_index
from .models import Employment, Enterprise, Household, Member, Startup, Training, VillageTally
from .choices import Category


def is_number_query(q: str) -> bool:
    """A search for the start of an ID or household number (six digits or more, an ID's X allowed last)."""
    q = q.strip()
    return len(q) >= 6 and q[:-1].isdigit()


def household_list(*, user, q: str = "", village: str = "", category: str = "", monitor_type: str = "",
                   stage: str = "") -> QuerySet[Household]:
    """`village`: a village's code, or any unit's (a township's: its villages). `monitor_type` and `stage` (at_risk,
    eliminated) narrow to monitored households; the monitored are few, so the (village, category) index serves."""
    qs = access.scope(user, Household.objects.all())
    if village:
        try:
            qs = qs.filter(access.subtree("village__code", divisions.prefix(divisions.full_code(village))))
        except ValueError:  # not a division code: nothing is in it
            return qs.none()
    if category:
        qs = qs.filter(category=category)
    if monitor_type:
        qs = qs.filter(category=Category.MONITORED, monitor_type=monitor_type)
    if stage in ("at_risk", "eliminated"):
        qs = qs.filter(category=Category.MONITORED, risk_eliminated_on__isnull=stage == "at_risk")
    elif stage in ("no_cadre", "no_measures"):  # at risk, and without a current contact cadre / without measures
        from fangpin.monitoring.models import ContactCadre, Measure  # monitoring builds on the registry, not back

        gap = (ContactCadre.objects.filter(household=OuterRef("pk"), until__isnull=True) if stage == "no_cadre"
               else Measure.objects.filter(household=OuterRef("pk")))
        qs = qs.filter(category=Category.MONITORED, risk_eliminated_on__isnull=True).exclude(Exists(gap))
    q = q.replace("\x00", "").strip()  # a NUL byte reaches no database (PostgreSQL refuses it)
    if q:
        # Members are matched apart from households (the outer query is the scoped one): no join of every member and
        # no DISTINCT. The few households of a selective term go in as a list, which the database ORs with the
        # household-number index; a term matching many members stays a subquery (the matches come early in order).
        if is_number_query(q):
            # Digits: the start of a household number, or of an ID number (never masked digits; only for roles that
            # see ID numbers: to the others a hit would confirm a guessed number). A whole ID number is an exact match.
            match = Q(number__startswith=q)
            if masking.may_search_by_id_number(user):
                number = idnumber.normalize(q)
                # the start of an ID number as a range of numbers (digits, and X last: exact in any collation), which
                # the ID index serves on both databases (SQLite never uses an index for LIKE '1409…%')
                by_id = (Q(id_number=number) if len(number) == 18 else access.subtree("id_number", number)
                         if number.isdigit() else Q(id_number__startswith=number))
                match |= _households_of(Member.objects.filter(by_id))
            qs = qs.filter(match)
        else:
            # A name: three characters or more anywhere in it (a trigram index on PostgreSQL); one or two from its
            # start (a surname, a two-character name: the name index), since two characters make no trigram.
            named = _name_contains(q) if len(q) >= NAME_CONTAINS else Q(name__startswith=q)
            match = _households_of(Member.objects.filter(named))
            places = list(OrgUnit.objects.filter(level="village", name__contains=q).values_list("code", flat=True)[:FEW])
            if places:
                match |= Q(village_id__in=places)
            if q.isascii():  # household numbers are letters and digits: a Chinese term never matches one
                match |= Q(number__contains=q)
            qs = qs.filter(match)
    # A correlated count: the database counts members only for the page of households it returns.
    size = Member.objects.filter(household=OuterRef("pk")).order_by().values("household").annotate(n=Count("*")).values("n")
    return qs.select_related("village", "village__parent").annotate(size=Subquery(size)).order_by("village_id", "number")


FEW = 1000  # up to this many matched households are passed as a list
NAME_CONTAINS = 3  # a name term this long or longer is matched anywhere in the name, a shorter one at its start


def _name_contains(q: str) -> Q:
    """Members whose name contains `q` (three characters or more): on PostgreSQL the trigram index serves the LIKE; on
    SQLite the FTS5 trigram table, as a phrase (a substring of the name, quotes doubled)."""
    if connection.vendor == "sqlite" and name_index.available(connection.alias):
        phrase = '"' + q.replace('"', '""') + '"'
        return Q(id__in=RawSQL(f"SELECT rowid FROM {name_index.TABLE} WHERE {name_index.TABLE} MATCH %s", [phrase]))
    return Q(name__contains=q)


def _households_of(members: QuerySet[Member]) -> Q:
    ids = list(members.values_list("household_id", flat=True)[:FEW + 1])
    if len(ids) <= FEW:
        return Q(pk__in=ids)
    return Q(pk__in=members.values("household_id"))


def household_get(*, user, pk: int) -> Household:
    return get_object_or_404(access.scope(user, Household.objects.select_related("village", "village__parent")), pk=pk)


def household_members(*, user, household: Household) -> QuerySet[Member]:
    return access.scope(user, Member.objects.filter(household=household)).prefetch_related(
        "employments__employer", "trainings__institution", "startups"
    )


def household_head(*, user, household: Household) -> Member | None:
    return access.scope(user, Member.objects.filter(household=household, relation="head")).first()


def household_heads(*, user, households: list[Household]) -> dict[int, Member]:
    """The head of each household, by household id (one query for a page of households)."""
    qs = access.scope(user, Member.objects.filter(household__in=households, relation="head"))
    return {m.household_id: m for m in qs}


def attach_head_names(households) -> None:
    """Set `head_name` on each household already read through the user's scope (one query for them all): pages name
    a household by its head, with the number beside it."""
    households = [h for h in households if h is not None]
    names = dict(Member.objects.filter(household_id__in={h.pk for h in households}, relation="head")
                 .values_list("household_id", "name"))
    for h in households:
        h.head_name = names.get(h.pk, "")


def household_get_named(*, user, pk: int) -> Household:
    household = household_get(user=user, pk=pk)
    attach_head_names([household])
    return household


def household_history(*, user, household: Household) -> list:
    """The household's own changes and its members' and incomes', newest first."""
    access.require(user, "registry.read")
    records = list(household.history.select_related("history_user").all())
    member_ids = list(household.members.values_list("id", flat=True))
    records += list(Member.history.filter(Q(household_id=household.pk) | Q(id__in=member_ids)).select_related("history_user"))
    records += list(household.incomes.model.history.filter(household_id=household.pk).select_related("history_user"))
    records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    return records


def villages(*, user) -> QuerySet[OrgUnit]:
    return access.scope(user, OrgUnit.objects.filter(level="village"))


def townships(*, user, county: str = "") -> QuerySet[OrgUnit]:
    """The townships of the user's area, of one county of it when `county` (a 12-digit code) is given."""
    qs = access.scope(user, OrgUnit.objects.filter(level="township"))
    return qs.filter(parent_id=county) if county else qs


def counties(*, user) -> QuerySet[OrgUnit]:
    return access.scope(user, OrgUnit.objects.filter(level="county"))


def area_unit(*, user, code: str = "") -> OrgUnit | None:
    """The unit a rollup is asked for: the user's own without a code; None for a code that is not a division code, not
    a known unit or outside the user's area (the page answers 404)."""
    if not code:
        return user.org_unit
    unit = OrgUnit.objects.filter(code=code).first() if divisions.is_code(code) else None
    return unit if unit is not None and access.covers(user, unit.code) else None


def trail(*, user, unit: OrgUnit) -> list[OrgUnit]:
    """The units from the user's own down to `unit`, for the links back up."""
    codes, code = [], unit.code
    while code and code != user.org_unit_id:
        codes.insert(0, code)
        code = divisions.parent_code(code)
    return [user.org_unit] + list(OrgUnit.objects.filter(code__in=codes).order_by("code"))


def orgunit_children(*, user, code: str | None) -> QuerySet[OrgUnit]:
    qs = access.scope(user, OrgUnit.objects.all())
    if code:
        return qs.filter(parent_id=code) if divisions.is_code(code) else qs.none()
    return qs.filter(code=user.org_unit_id)


# Enterprises outside the subtree that the user's people work for, were placed by, trained at or founded.
REFERENCED_ENTERPRISES = (
    (Employment, "employer_id"), (Employment, "agency_id"), (Training, "institution_id"), (Startup, "enterprise_id"),
)


def enterprises_visible(*, user, capability: str = "registry.read") -> QuerySet[Enterprise]:
    """Enterprises in the user's subtree, and those linked to the user's people. Each link is a correlated EXISTS on
    the enterprise's own rows (by the indexed foreign key), so that asking about one enterprise never reads every
    work spell of a county, as `pk IN (all linked ids)` did."""
    if not access.can(user, capability):
        return Enterprise.objects.none()
    visible = Q(pk__in=access.scope(user, Enterprise.objects.all(), capability).values("pk"))
    for model, column in REFERENCED_ENTERPRISES:
        visible |= Exists(access.scope(user, model.objects.filter(**{column: OuterRef("pk")}), capability))
    return Enterprise.objects.filter(visible)


def enterprise_list(*, user, q: str = "", kind: str = "") -> QuerySet[Enterprise]:
    qs = enterprises_visible(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    q = q.replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(credit_code__startswith=q.upper()))
    workers = access.scope(user, Employment.objects.filter(employer=OuterRef("pk"))).order_by().values("employer")
    return qs.select_related("org_unit", "org_unit__parent").annotate(
        workers=Subquery(workers.annotate(n=Count("member", distinct=True)).values("n")[:1])
    ).order_by("credit_code")


def enterprise_get(*, user, pk: int) -> Enterprise:
    return get_object_or_404(enterprises_visible(user=user).select_related("org_unit"), pk=pk)


def enterprise_people(*, user, enterprise: Enterprise) -> dict:
    """The user's people linked to the enterprise: employment spells, placements, trainings, start-ups."""
    def people(qs):
        return access.scope(user, qs).select_related("member", "member__household").order_by("-year", "member__name")

    return {
        "employments": people(Employment.objects.filter(employer=enterprise)),
        "placements": people(Employment.objects.filter(agency=enterprise)),
        "trainings": people(Training.objects.filter(institution=enterprise)),
    }


def area_counts(*, user, unit: OrgUnit) -> list[dict]:
    """Households per category for each unit one level below `unit` (the villages of a township; a village itself), from
    the maintained tallies: one GROUP BY over at most a few thousand tally rows, whatever the number of households."""
    access.require(user, "registry.read")
    if not access.covers(user, unit.code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    level = divisions.level_below(unit.level)
    width = divisions.PREFIX_LENGTH[level]
    tallies = (access.scope(user, VillageTally.objects.filter(households__gt=0, village__code__startswith=unit.prefix))
               .annotate(part=Substr("village_id", 1, width)).values("part", "category")
               .annotate(n=Sum("households")).order_by())
    units = {divisions.prefix(u.code, u.level): u for u in
             (OrgUnit.objects.filter(parent=unit) if unit.level != "village" else [unit])}
    rows: dict[str, dict] = {}
    for rec in tallies:
        u = units.get(rec["part"])
        if u is None:  # a tally below a unit missing from the tree: shown by its code
            u = OrgUnit(code=rec["part"].ljust(12, "0"), name=rec["part"], level=level)
        row = rows.setdefault(u.code, {"code": u.code, "name": u.name, "level": u.level, "total": 0})
        row[rec["category"]] = rec["n"]
        row["total"] += rec["n"]
    return sorted(rows.values(), key=lambda r: r["code"])


def village_counts(*, user) -> QuerySet:
    """Households per village and category in the user's area, from the maintained tallies (registry/tallies.py)."""
    return (
        access.scope(user, VillageTally.objects.filter(households__gt=0))
        .values("village_id", "village__name", "category", n=F("households"))
        .order_by("village_id", "category")
    )
