"""Writes to the registry. Each checks the user's right over the target village, validates with the
same rules as the importer, and records history with the acting user."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from fangpin.accounts import access
from fangpin.lib import idnumber

from . import constraints, rules
from .choices import Relation
from .models import Household, Member

HOUSEHOLD_FIELDS = (
    "category", "monitor_type", "lifted_year", "dibao", "address", "phone",
    "contracted_land_mu", "grain_area_mu", "courtyard_economy", "industry_project",
)
MEMBER_FIELDS = ("name", "relation", "labor_capacity", "disability_grade", "tekun", "school_stage", "training_willing",
                 "serious_illness", "phone")


def _without_nulls(model, data: dict) -> dict:
    """None for a text field means blank; for another non-nullable field it is an error.

    (Django's full_clean() skips blank-allowed fields holding None, so this has to be said here.)"""
    out, errors = {}, {}
    for key, value in data.items():
        field = model._meta.get_field(key)
        if value is None and not field.null:
            if isinstance(field, models.CharField):
                value = ""
            else:
                errors[key] = f"“{field.verbose_name}”不能为空"
        out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


def _locked(household: Household, user) -> Household:
    """The household row as it is now, locked until the write commits; the user's area checked on it, not on the copy
    the page loaded."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    access.check_write(user, current.village_id)
    return current


def _save(obj) -> None:
    """Save; a constraint the database enforces (two users at the same moment) becomes a Chinese message."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as e:
        raise ValidationError(constraints.explain(e)) from None


def _check_household(data: dict) -> None:
    problems = rules.household_problems(
        category=data.get("category"), monitor_type=data.get("monitor_type") or "", lifted_year=data.get("lifted_year")
    )
    if problems:
        raise ValidationError({field: msg for field, msg in problems})


def _village_of(user, village_code: str) -> str:
    from fangpin.orgunits.models import OrgUnit

    unit = access.scope(user, OrgUnit.objects.filter(code=village_code, level="village")).first()
    if unit is None:
        raise ValidationError({"village": f"村区划代码“{village_code}”不存在或不在您的管辖范围内"})
    return unit.code


def _next_number(village_code: str) -> str:
    last = (
        Household.objects.select_for_update()
        .filter(access.subtree("number", village_code), number__regex=r"^\d{16}$")  # a range: the number index
        .order_by("-number").values_list("number", flat=True).first()
    )
    seq = int(last[12:]) + 1 if last else 1
    return f"{village_code}{seq:04d}"


OFF_SYSTEM = "监测户的纳入、类型变更和风险消除须通过动态监测的识别和消除程序办理（严禁体外循环）"


def _check_monitoring_unchanged(before: dict, after: dict) -> None:
    """Monitoring status changes only through the monitoring workflow, never through a form or the API."""
    if rules.monitoring_status(before.get("category"), before.get("monitor_type")) != rules.monitoring_status(
            after.get("category"), after.get("monitor_type")):
        raise ValidationError({"category": OFF_SYSTEM})


@transaction.atomic
def household_create(*, user, village_code: str, head: dict, **data) -> Household:
    """A new household with its head. The number is the village code plus a 4-digit sequence."""
    access.check_write(user, village_code)
    village = _village_of(user, village_code)
    data = _without_nulls(Household, {k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    _check_household(data)
    _check_monitoring_unchanged({}, data)
    household = Household(number=_next_number(village), village_id=village, **{k: data[k] for k in HOUSEHOLD_FIELDS if k in data})
    household._history_user = user
    household.full_clean()
    _save(household)
    member_create(user=user, household=household, **{**head, "relation": Relation.HEAD})
    return household


@transaction.atomic
def household_update(*, user, household: Household, **data) -> Household:
    access.check_write(user, household.village_id)
    household.village_id = _locked(household, user).village_id
    changes = _without_nulls(Household, {k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    current = {k: getattr(household, k) for k in HOUSEHOLD_FIELDS}
    merged = current | changes
    _check_household(merged)
    _check_monitoring_unchanged(current, merged)
    for k, v in merged.items():
        setattr(household, k, v)
    household._history_user = user
    household.full_clean()
    _save(household)
    return household


def _person(id_number: str) -> dict:
    try:
        info = idnumber.parse(id_number)
    except idnumber.IdNumberError as e:
        raise ValidationError({"id_number": str(e)}) from None
    return {"id_number": idnumber.normalize(id_number), "sex": info.sex, "birth_date": info.birth_date}


@transaction.atomic
def member_create(*, user, household: Household, id_number: str, **data) -> Member:
    access.check_write(user, household.village_id)
    household = _locked(household, user)
    person = _person(id_number)
    data = _without_nulls(Member, {k: v for k, v in data.items() if k in MEMBER_FIELDS})
    other = Member.objects.filter(id_number=person["id_number"]).select_related("household").first()
    if other:
        where = other.household.number if access.covers(user, other.household.village_id) else "（其他区划）"
        raise ValidationError({"id_number": f"该身份证号已登记在户{where}：一人只能登记在一户"})
    if data.get("relation") == Relation.HEAD and household.members.filter(relation=Relation.HEAD).exists():
        raise ValidationError({"relation": "该户已有户主"})
    member = Member(household=household, **person, **{k: data[k] for k in MEMBER_FIELDS if k in data})
    member._history_user = user
    member.full_clean()
    _save(member)
    return member


@transaction.atomic
def member_update(*, user, member: Member, **data) -> Member:
    access.check_write(user, member.household.village_id)
    member.household = _locked(member.household, user)
    data = _without_nulls(Member, {k: v for k, v in data.items() if k in MEMBER_FIELDS})
    if data.get("relation") == Relation.HEAD and member.relation != Relation.HEAD and member.household.members.filter(
        relation=Relation.HEAD
    ).exclude(pk=member.pk).exists():
        raise ValidationError({"relation": "该户已有户主"})
    for k in MEMBER_FIELDS:
        if k in data:
            setattr(member, k, data[k])
    member._history_user = user
    member.full_clean()
    _save(member)
    return member
