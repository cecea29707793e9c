"""Reads for the monitoring pages, scoped through accounts.access."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit

from fangpin.registry.choices import Category
from fangpin.registry import selectors as registry_selectors
from fangpin.registry.models import Household

from .models import (Cadre, Case, ContactCadre, FeedUpload, IncomeAccount, MonitoringLine, MonitoringTally, OpenItem,
                     Measure, ScreeningRun, Warning)


FLAGS = {"below": "低于监测标准", "edge": "边缘（低于标准×系数）", "sharp_fall": "收入大幅下降"}


def income_flag_list(*, user, year: int, area: str = "", flag: str = ""):
    """收入核算 of the year for households below the line, at its edge or whose income fell sharply (all three unless
    `flag` names one), in the user's area or a unit of it. Listed village by village like every household list: the
    database walks the area's households in order and probes each one's account of the year by its unique key."""
    access.require(user, "monitoring.read")
    qs = access.scope(user, IncomeAccount.objects.filter(year=year), "monitoring.read")
    qs = _in_area(qs, area, "household__village_id")
    if flag == "sharp_fall":
        qs = qs.filter(sharp_fall=True)
    elif flag in FLAGS:
        qs = qs.filter(band=flag)
    else:
        qs = qs.filter(Q(band__in=["below", "edge"]) | Q(sharp_fall=True))
    return qs.select_related("household", "household__village", "household__village__parent")


def lines_for(*, user, year: int) -> list[MonitoringLine]:
    """The lines that can apply in the user's area this year: national, the province's, and the county's (or, above a
    county, the counties' below)."""
    access.require(user, "monitoring.read")
    prefix = access.user_prefix(user)
    above = {"", prefix[:2]} | ({prefix[:6]} if len(prefix) >= 6 else set())
    below = Q(region_prefix__startswith=prefix) & ~Q(region_prefix="") if len(prefix) < 6 else Q(pk__in=[])
    return list(MonitoringLine.objects.filter(Q(region_prefix__in=above) | below, year=year).order_by("region_prefix"))


# --- work queues ---------------------------------------------------------------------------------------------------

QUEUE_SHOWN = 50  # rows per work list on the workbench, the most urgent first; the totals come from the tallies

# The case states each level works on; a leader reads them all.
LEVEL_STATES = {"village": ["village", "notice"], "township": ["township"], "county": ["county"]}


def _monitored(user):
    return access.scope(user, Household.objects.filter(category=Category.MONITORED, risk_eliminated_on__isnull=True),
                        "monitoring.read")


def queue(*, user, limit: int = QUEUE_SHOWN) -> dict:
    """What the user's level has to do: warnings to verify, cases at its level, open green-channel items, monitored
    households without a cadre or without measures. Overdue first."""
    access.require(user, "monitoring.read")
    level = access.workflow_level(user)
    states = LEVEL_STATES.get(level, [s for v in LEVEL_STATES.values() for s in v])
    cases = access.scope(user, Case.objects.filter(state__in=states), "monitoring.read")
    monitored = _monitored(user)
    out = {
        "warnings": list(access.scope(user, Warning.objects.filter(status=Warning.Status.OPEN), "monitoring.read")
                         .select_related("household", "household__village").order_by("deadline", "id")[:limit]),
        "cases": list(cases.select_related("household", "household__village", "locked_by").order_by("due", "id")[:limit]),
        "open_items": list(access.scope(user, OpenItem.objects.filter(done_at__isnull=True), "monitoring.read")
                           .select_related("case", "case__household", "case__household__village")
                           .order_by("deadline")[:limit]),
        # NOT EXISTS, so the database walks the area's monitored households in order and probes each one's cadre or
        # measures by index, stopping at `limit` (NOT IN read every pairing and every measure of the city first)
        "no_cadre": list(monitored.exclude(Exists(ContactCadre.objects.filter(household=OuterRef("pk"),
                                                                              until__isnull=True)))
                         .select_related("village").order_by("village_id", "number")[:limit]),
        "no_measures": list(monitored.exclude(Exists(Measure.objects.filter(household=OuterRef("pk"))))
                            .select_related("village").order_by("village_id", "number")[:limit]),
    }
    registry_selectors.attach_head_names([w.household for w in out["warnings"]] + [c.household for c in out["cases"]]
                                         + [i.case.household for i in out["open_items"]] + out["no_cadre"]
                                         + out["no_measures"])
    return out


def village_counts(*, user, today) -> list[dict]:
    """One row per village of the user's area: monitored households, open and overdue warnings, cases under way,
    households without cadre or measures. From the maintained tallies (monitoring/tallies.py)."""
    access.require(user, "monitoring.read")
    return _tally_rows(user, access.user_prefix(user), 12, today)


def area_counts(*, user, today, unit: OrgUnit) -> list[dict]:
    """The same counts for each unit one level below `unit` (a city's counties, a county's townships, a township's
    villages; a village itself): what the workbench shows, level by level."""
    access.require(user, "monitoring.read")
    if not access.covers(user, unit.code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    level = divisions.level_below(unit.level)
    return _tally_rows(user, unit.prefix, divisions.PREFIX_LENGTH[level], today,
                       OrgUnit.objects.filter(parent=unit) if unit.level != "village" else [unit])


def _tally_rows(user, prefix: str, width: int, today, units=None) -> list[dict]:
    """One dict per unit: each measure's total (`monitored`, `cases` ...), its overdue part for the dated ones
    (`cases_overdue`), and each keyed part (`monitored:unstable`, `cases:township`, `bands:2025:below`)."""
    tallies = (access.scope(user, MonitoringTally.objects.filter(village__code__startswith=prefix), "monitoring.read")
               .annotate(part=Substr("village_id", 1, width)).values("part", "measure", "key")
               .annotate(count=Sum("n"), overdue=Sum("n", filter=Q(due__lt=today))).order_by())
    tallies = list(tallies)
    if units is None:  # villages: their names
        units = OrgUnit.objects.filter(code__in={t["part"] for t in tallies})
    by_prefix = {divisions.prefix(u.code, u.level): u for u in units}
    rows: dict[str, dict] = {}
    for t in tallies:
        u = by_prefix.get(t["part"])
        code = u.code if u else t["part"].ljust(12, "0")
        row = rows.setdefault(code, {"code": code, "name": u.name if u else t["part"], "level": u.level if u else ""})
        measure = t["measure"]
        if measure != MonitoringTally.Measure.BANDS:  # bands add up over years: only their parts mean anything
            row[measure] = row.get(measure, 0) + t["count"]
        if t["key"]:
            row[f"{measure}:{t['key']}"] = row.get(f"{measure}:{t['key']}", 0) + t["count"]
        if measure in (MonitoringTally.Measure.WARNINGS, MonitoringTally.Measure.CASES):
            row[f"{measure}_overdue"] = row.get(f"{measure}_overdue", 0) + (t["overdue"] or 0)
    return sorted(rows.values(), key=lambda r: r["code"])


def _in_area(qs, area: str, field: str):
    """Rows whose household lies under `area` (any unit's code; blank: the whole scope), by a range on the code."""
    if not area:
        return qs
    try:
        prefix = divisions.prefix(divisions.full_code(area))
    except ValueError:
        return qs.none()
    return qs.filter(access.subtree(field, prefix))


def warning_list(*, user, area: str = "", status: str = "", risk: str = ""):
    """Warnings of the user's area for the list page: most urgent first unless sorted otherwise."""
    qs = access.scope(user, Warning.objects.select_related("household", "household__village",
                                                          "household__village__parent", "verified_by"),
                      "monitoring.read")
    qs = _in_area(qs, area, "household__village_id")
    if status:
        qs = qs.filter(status=status)
    if risk:
        qs = qs.filter(risk=risk)
    return qs


def measure_list(*, user, area: str = "", kind: str = "", status: str = ""):
    """帮扶措施 of every household of the user's area, by division, kind and status."""
    qs = access.scope(user, Measure.objects.select_related("household", "household__village",
                                                          "household__village__parent"), "monitoring.read")
    qs = _in_area(qs, area, "household__village_id")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


UNDER_WAY = "under_way"  # the list's filter for every open stage


def case_list(*, user, area: str = "", state: str = "", kind: str = ""):
    qs = access.scope(user, Case.objects.select_related("household", "household__village", "household__village__parent",
                                                       "locked_by"), "monitoring.read")
    qs = _in_area(qs, area, "household__village_id")
    if state == UNDER_WAY:
        qs = qs.exclude(state__in=[Case.State.DONE, Case.State.DECLINED])
    elif state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def case_get(*, user, pk: int) -> Case:
    return access.scope(user, Case.objects.select_related("household", "household__village", "opened_by",
                                                          "locked_by", "assignee"), "monitoring.read").filter(pk=pk).first() or _missing()


def warning_get(*, user, pk: int) -> Warning:
    return access.scope(user, Warning.objects.select_related("household", "household__village", "case"),
                        "monitoring.read").filter(pk=pk).first() or _missing()


def warning_sources(warning: Warning, limit: int = 10) -> list[dict]:
    """The department rows a warning came from, as a person reads them: the department, the file's name, the row (the
    first `limit`; the warning itself was fetched through the user's scope)."""

    pairs = [(int(u), int(r)) for u, r in (warning.sources or [])[:limit]]
    uploads = FeedUpload.objects.in_bulk({u for u, _ in pairs})
    out = []
    for upload_id, row in pairs:
        up = uploads.get(upload_id)
        out.append({"department": up.get_feed_display() if up else "（文件已删除）",
                    "filename": up.filename if up else "", "row": row})
    return out


def household_monitoring(*, user, household) -> dict:
    """The monitoring side of one household (already fetched through the registry's scope)."""
    access.require(user, "monitoring.read")
    return {
        "cadres": list(household.contact_cadres.all()),
        "measures": list(household.measures.all()),
        "cases": list(household.cases.select_related("opened_by").all()),
        "warnings": list(household.warnings.order_by("-created_at")),
        "accounts": list(household.income_accounts.order_by("-year")[:3]),
        "disasters": household_disasters(household=household),
        "relocation": household_relocation(household=household),
    }


def uploads(*, user, limit: int = 50):
    return access.feed_scope(user, FeedUpload.objects.select_related("region", "uploaded_by"))[:limit]


def runs(*, user, limit: int = 20):
    return access.scope(user, ScreeningRun.objects.select_related("started_by"), "monitoring.screen")[:limit]


def run_problems(*, user, run: ScreeningRun, limit: int | None = 500):
    """The unmatched rows of a run (already fetched through the user's scope), in file and row order; all of them
    with limit=None (the Excel file)."""
    qs = run.problems.select_related("upload").order_by("upload_id", "row", "pk")
    return qs if limit is None else qs[:limit]


def run_get(*, user, pk: int) -> ScreeningRun:
    return access.scope(user, ScreeningRun.objects.select_related("started_by", "region"), "monitoring.screen").filter(
        pk=pk).first() or _missing()


def measure_get(*, household, pk: int):
    """A measure of a household the caller already fetched through the registry's scope."""
    return household.measures.filter(pk=pk).first() or _missing()


# --- the cadre roster -----------------------------------------------------------------------------------------------

def cadre_list(*, user, area: str = "", active: str = ""):
    """帮扶干部名册 as the user may use it: the cadres registered in the user's area and in the units above it (a
    township's cadres are paired in its villages). `area` narrows to the cadres who may serve there: those of the
    unit, of its subtree and of the units above it."""
    access.require(user, "monitoring.read")
    unit = user.org_unit
    qs = Cadre.objects.select_related("org_unit", "org_unit__parent").filter(
        access.subtree("org_unit_id", unit.prefix) | Q(org_unit_id__in=divisions.lineage(unit.code)[:-1]))
    if area:
        try:
            code = divisions.full_code(area)
        except ValueError:
            return qs.none()
        qs = qs.filter(access.subtree("org_unit_id", divisions.prefix(code))
                       | Q(org_unit_id__in=divisions.lineage(code)[:-1]))
    if active in ("1", "0"):
        qs = qs.filter(active=active == "1")
    return qs


def cadre_pairings(cadres, *, user) -> dict[int, int]:
    """How many households of the user's area each of these cadres is the current contact of (the page's rows only;
    a county's cadre paired across the county shows a village clerk the village's pairings)."""
    pairings = access.scope(user, ContactCadre.objects.filter(cadre__in=[c.pk for c in cadres], until__isnull=True),
                            "monitoring.read")
    return dict(pairings.order_by().values("cadre_id").annotate(n=Count("id")).values_list("cadre_id", "n"))


def cadre_get(*, user, pk: int) -> Cadre:
    """A cadre the user may edit: registered in the user's own area."""
    access.require(user, "monitoring.assist")
    return access.scope(user, Cadre.objects.select_related("org_unit"), "monitoring.assist").filter(
        pk=pk).first() or _missing()


def cadre_current_households(*, cadre: Cadre, limit: int = 200) -> list:
    """The households a cadre (already fetched through the user's scope) is the current contact of, heads named."""
    pairings = list(ContactCadre.objects.filter(cadre=cadre, until__isnull=True)
                    .select_related("household", "household__village").order_by("household__village_id", "pk")[:limit])
    registry_selectors.attach_head_names([p.household for p in pairings])
    return pairings


def cadre_history(*, cadre: Cadre) -> list:
    return list(cadre.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])


def cadre_choices(*, user, household) -> list[Cadre]:
    """The cadres a household may be paired with: in the roster of its village or a unit above, still active."""
    access.require(user, "monitoring.assist")
    return list(Cadre.objects.select_related("org_unit").filter(
        org_unit_id__in=divisions.lineage(household.village_id), active=True).order_by("-org_unit_id", "name", "id"))


def _missing():
    raise Http404("没有该记录，或不在您的管辖范围内")


def disaster_get(*, user, pk: int):
    """An event the user may see: of a county in the user's area, or one that hit a village of it (a township's, a
    village's users)."""
    from .models import AffectedVillage, DisasterEvent

    access.require(user, "monitoring.read")
    event = DisasterEvent.objects.select_related("county").filter(pk=pk).first()
    if event is None or not (access.covers(user, event.county_id)
                             or access.scope(user, AffectedVillage.objects.filter(event=event)).exists()):
        return _missing()
    return event


def household_disasters(*, household) -> list:
    """The events that hit a household (already fetched through the registry's scope), newest first."""
    return list(household.disasters.select_related("event", "case").order_by("-event__start"))


def household_relocation(*, household):
    """The household's relocation (site and day), if it moved to a centralized site."""
    from .models import RelocatedHousehold

    return RelocatedHousehold.objects.select_related("site", "moved_from").filter(household=household).first()


def colleagues(*, user, case) -> list:
    """Whom the user may hand the case to (workflow.colleague_ok): the active users of the same role and unit."""
    from fangpin.accounts.models import User

    from .workflow import colleague_ok

    same = User.objects.filter(is_active=True, role=user.role, org_unit_id=user.org_unit_id).exclude(pk=user.pk)
    return [u for u in same.order_by("last_name", "first_name", "username") if colleague_ok(user, u, case)]


def guarantee_list(*, user, area: str = "", kind: str = "", status: str = ""):
    """两不愁三保障和饮水安全问题 of the user's area, by division, kind and status (open by default on the page)."""
    from .models import GuaranteeProblem

    qs = access.scope(user, GuaranteeProblem.objects.select_related(
        "household", "household__village", "household__village__parent", "person"), "monitoring.read")
    qs = _in_area(qs, area, "household__village_id")
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(cleared_on__isnull=True)
    elif status == "cleared":
        qs = qs.filter(cleared_on__isnull=False)
    return qs


def guarantee_get(*, household, pk: int):
    return household.guarantee_problems.filter(pk=pk).first() or _missing()


def relocation_site_get(*, user, pk: int):
    """A site the user may see: in the user's area, or with relocated households of it."""
    from .models import RelocatedHousehold, RelocationSite

    access.require(user, "monitoring.read")
    site = RelocationSite.objects.select_related("place").filter(pk=pk).first()
    if site is None or not (access.covers(user, site.place_id)
                            or access.scope(user, RelocatedHousehold.objects.filter(site=site)).exists()):
        return _missing()
    return site


WORK_FILTERS = {"idle": "有劳动力但无人就业", "working": "有人务工就业", "no_labor": "无劳动力"}


LABORERS = ("laborer", "half")  # who counts as a laborer in the relocation follow-up (劳动力、半劳力)


def followed(qs, year: int):
    """Relocated-household rows annotated with persons, laborers, members at work in `year` and measures under way
    or done (the follow-up page, its totals and the check read the same figures)."""
    from django.db.models import Count, Q

    return qs.annotate(
        persons=Count("household__members", distinct=True),
        laborers=Count("household__members", distinct=True, filter=Q(
            household__members__labor_capacity__in=LABORERS)),
        employed=Count("household__members", distinct=True, filter=Q(household__members__employments__year=year)),
        measures=Count("household__measures", distinct=True,
                       filter=Q(household__measures__status__in=["in_progress", "done"])))


def relocation_follow_up(*, user, site, year: int, area: str = "", work: str = ""):
    """The site's relocated households in the user's area (narrowed to `area`, and by `work`: WORK_FILTERS) with
    their follow-up in the year: persons, laborers, laborers with work, measures under way or done; one query (a page
    of it at a time), unordered (the page sorts)."""
    from .models import RelocatedHousehold

    qs = access.scope(user, RelocatedHousehold.objects.filter(site=site), "monitoring.read")
    qs = followed(_in_area(qs, area, "household__village_id"), year).select_related(
        "household", "household__village", "household__village__parent", "moved_from")
    if work == "idle":
        qs = qs.filter(laborers__gt=0, employed=0)
    elif work == "working":
        qs = qs.filter(employed__gt=0)
    elif work == "no_labor":
        qs = qs.filter(laborers=0)
    return qs


def relocation_year(*, site) -> int:
    """The year the follow-up shows by default: the latest (up to this one) with work recorded for the site's
    households, so that December or January does not show a year whose work is not entered yet."""
    from django.db.models import Max

    from fangpin.registry.models import Employment

    this_year = timezone.localdate().year
    latest = Employment.objects.filter(member__household__relocation__site=site, year__lte=this_year).aggregate(
        y=Max("year"))["y"]
    return latest or this_year


def relocation_totals(*, user, site, year: int, area: str = "") -> dict:
    """The site's totals in the user's area (narrowed to `area`): households, persons, laborers, laborers at work,
    and households with a laborer but nobody at work (aggregate queries over the site's members)."""
    from django.db.models import Count, Q

    from fangpin.registry.models import Member

    from .models import RelocatedHousehold

    households = _in_area(access.scope(user, RelocatedHousehold.objects.filter(site=site), "monitoring.read"), area,
                          "household__village_id")
    members = Member.objects.filter(household__relocation__in=households)
    m = members.aggregate(persons=Count("id"), laborers=Count("id", filter=Q(labor_capacity__in=LABORERS)),
                          employed=Count("id", distinct=True, filter=Q(employments__year=year)))
    idle = followed(households, year).filter(laborers__gt=0, employed=0).count()
    return {"households": households.count(), **m, "idle": idle}
