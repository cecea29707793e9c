"""Who may do what, and over which rows. The only place these rules live.

Every query for pages, API, exports and jobs goes through `scope()`; views and API handlers never
touch a model manager directly (tests/test_layering.py checks that). A user's rows are those whose
division code starts with the prefix of the user's org unit: a village clerk's prefix is 12 digits,
a county bureau's 6.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from .models import Role

# Capabilities by role. Reading the registry is scoped; the list says whether the role may at all.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VILLAGE_CLERK: frozenset(
        {"registry.read", "registry.write", "registry.import", "registry.export", "id_number.full", "policy.read",
         "monitoring.read", "monitoring.verify", "monitoring.act", "monitoring.assist", "payments.read",
         "payments.correct", "ledgers.read", "indicators.read"}),
    Role.TOWNSHIP_REVIEWER: frozenset({"registry.read", "registry.export", "policy.read", "monitoring.read",
                                       "monitoring.act", "payments.read", "ledgers.read", "indicators.read"}),
    Role.COUNTY_BUREAU: frozenset(
        {"registry.read", "registry.write", "registry.import", "registry.export", "id_number.full", "department.upload",
         "policy.read", "policy.edit", "monitoring.read", "monitoring.recompute", "monitoring.line",
         "monitoring.screen", "monitoring.act", "monitoring.assist", "payments.read", "payments.manage",
         "payments.correct", "ledgers.read", "indicators.read", "indicators.snapshot"}
    ),
    Role.DEPARTMENT_OFFICER: frozenset({"department.upload"}),
    Role.LEADER: frozenset({"registry.read", "registry.export", "policy.read", "monitoring.read", "payments.read",
                            "ledgers.read", "indicators.read"}),
}

# Who keeps each ledger (台账), in the keeper's own area: a county bureau keeps every ledger of its county; townships
# keep the rectification items they are responsible for. Reading a ledger is `ledgers.read`, scoped like the registry.
LEDGER_KEEPERS: dict[str, frozenset[str]] = {
    "funds": frozenset({Role.COUNTY_BUREAU}),
    "assets": frozenset({Role.COUNTY_BUREAU}),
    "pv": frozenset({Role.COUNTY_BUREAU}),
    "rectification": frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_REVIEWER}),
    "consumption": frozenset({Role.COUNTY_BUREAU}),
    "linkage": frozenset({Role.COUNTY_BUREAU}),
    "five_haves": frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_REVIEWER}),
    "express": frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_REVIEWER}),
    "credit": frozenset({Role.COUNTY_BUREAU}),
    "posts": frozenset({Role.COUNTY_BUREAU, Role.VILLAGE_CLERK}),  # a clerk: the posts of the own village
    "disasters": frozenset({Role.COUNTY_BUREAU}),
    "referrals": frozenset({Role.COUNTY_BUREAU}),
    "relocation": frozenset({Role.COUNTY_BUREAU}),
}

# How each scoped model reaches a division code.
SCOPE_PATHS: dict[str, str] = {
    "orgunits.orgunit": "code",
    "registry.household": "village__code",
    "registry.villagetally": "village__code",
    "monitoring.monitoringtally": "village__code",
    "registry.member": "household__village__code",
    "registry.incomerecord": "household__village__code",
    "registry.employment": "member__household__village__code",
    "registry.training": "member__household__village__code",
    "registry.startup": "member__household__village__code",
    "registry.enterprise": "org_unit__code",
    "monitoring.incomeaccount": "household__village__code",
    "monitoring.warning": "household__village__code",
    "monitoring.case": "household__village__code",
    "monitoring.disasterevent": "county__code",
    "monitoring.affectedvillage": "village__code",
    "monitoring.affectedhousehold": "household__village__code",
    "monitoring.referral": "household__village__code",
    "monitoring.guaranteeproblem": "household__village__code",
    "monitoring.relocationsite": "place__code",
    "monitoring.relocatedhousehold": "household__village__code",
    "monitoring.contactcadre": "household__village__code",
    "monitoring.cadre": "org_unit__code",
    "payments.payeeaccount": "member__household__village__code",
    "payments.roundrow": "village__code",
    "payments.application": "village__code",
    "monitoring.measure": "household__village__code",
    "monitoring.feedupload": "region__code",
    "monitoring.screeningrun": "region__code",
    "monitoring.openitem": "case__household__village__code",
    "funds.project": "org_unit_id",
    "funds.allocation": "project__org_unit_id",
    "funds.expenditure": "project__org_unit_id",
    "consumption.unit": "org_unit_id",
    "consumption.purchase": "unit__org_unit_id",
    "industry.linkentity": "enterprise__org_unit_id",
    "industry.link": "household__village_id",
    "industry.villagehaves": "village_id",
    "industry.householdhaves": "household__village_id",
    "industry.expressoutlet": "township_id",
    "rectification.problem": "org_unit_id",
    "credit.loan": "member__household__village_id",
    "credit.repayment": "loan__member__household__village_id",
    "credit.compensation": "loan__member__household__village_id",
    "assets.asset": "org_unit_id",
    "assets.assetincome": "asset__org_unit_id",
    "assets.station": "org_unit_id",
    "assets.stationincome": "station__org_unit_id",
    "assets.villagepvuse": "village_id",
    "employment.post": "village_id",
    "employment.postholder": "post__village_id",
}

# The level at which a role decides in the approval procedure (识别纳入、风险消除), in order.
WORKFLOW_LEVELS = ("village", "township", "county")
_ROLE_LEVEL = {Role.VILLAGE_CLERK: "village", Role.TOWNSHIP_REVIEWER: "township", Role.COUNTY_BUREAU: "county"}


def can(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.org_unit_id:
        return False
    return capability in CAPABILITIES.get(user.role, frozenset())


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied("您的角色无权进行此操作")


def user_prefix(user) -> str:
    return user.org_unit.prefix


def scope(user, queryset: QuerySet, capability: str = "registry.read") -> QuerySet:
    """The rows of `queryset` the user may see with `capability`; none if the role lacks it."""
    if not can(user, capability):
        return queryset.none()
    path = SCOPE_PATHS[queryset.model._meta.label_lower]
    return queryset.filter(subtree(path, user_prefix(user)))


def subtree(path: str, prefix: str) -> Q:
    """Rows whose division code at `path` starts with `prefix`, as a range of codes: `code >= '140981' AND code <
    '140982'`. Division codes are digits only, so the range is exactly the prefix in any collation, and any btree index
    on the column serves it in its own order (a LIKE needs a pattern index, and then cannot give the rows sorted by
    a second column: a county's first page of households walked the whole city)."""
    upper = _next_prefix(prefix)
    return Q(**{f"{path}__gte": prefix}) & (Q(**{f"{path}__lt": upper}) if upper else Q())


def _next_prefix(prefix: str) -> str | None:
    """The smallest string of digits above every code that starts with `prefix` (None for 99…: no upper bound)."""
    stripped = prefix.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def covers(user, division_code: str | None) -> bool:
    """Whether a division code lies in the user's subtree (for writes that name a village)."""
    if not division_code or not getattr(user, "is_authenticated", False) or not user.org_unit_id:
        return False
    return division_code.startswith(user_prefix(user))


def workflow_level(user) -> str | None:
    """village / township / county for the roles that decide cases; None for the others."""
    return _ROLE_LEVEL.get(user.role) if can(user, "monitoring.act") else None


def feed_scope(user, queryset: QuerySet) -> QuerySet:
    """Department files a user may see: uploads for the user's area or for an area above it (a city's medical
    insurance file covers its counties); a department officer sees only what its own unit uploaded."""
    if not (can(user, "department.upload") or can(user, "monitoring.screen")):
        return queryset.none()
    prefix = user_prefix(user)
    if user.role == Role.DEPARTMENT_OFFICER:
        return queryset.filter(region_id=user.org_unit_id)
    above = [user.org_unit.code[:n].ljust(12, "0") for n in (2, 4, 6, 9) if n < len(prefix)]
    return queryset.filter(Q(region__code__startswith=prefix) | Q(region__code__in=above))


def can_edit_policy(user, regions) -> bool:
    """Policy parameters: a county bureau whose area holds every region the document applies to."""
    return can(user, "policy.edit") and all(covers(user, r) for r in regions)


def can_keep(user, ledger: str) -> bool:
    """Whether the user keeps (imports, edits) the ledger in their area."""
    return can(user, "ledgers.read") and user.role in LEDGER_KEEPERS.get(ledger, frozenset())


def require_keep(user, ledger: str) -> None:
    if not can_keep(user, ledger):
        raise PermissionDenied("您的角色无权修改此台账")


def require_area(user, division_code: str | None, message: str = "该区划不在您的管辖范围内") -> None:
    if not covers(user, division_code):
        raise PermissionDenied(message)


def check_write(user, division_code: str | None) -> None:
    require(user, "registry.write")
    require_area(user, division_code)


def object_code(obj: Model) -> str:
    """The division code an object belongs to, following its scope path."""
    value = obj
    for part in SCOPE_PATHS[obj._meta.label_lower].split("__"):
        value = getattr(value, part)
    return value
