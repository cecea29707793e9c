"""The access rules as a matrix: every role against every capability, and every role against the
households of the test world (which it sees, which it may change)."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangpin.accounts import access
from fangpin.accounts.models import User
from fangpin.registry.models import Employment, Household, IncomeRecord, Member

CAPABILITY_MATRIX = {
    # role:         read  write import export full-id upload
    "clerk":        (1, 1, 1, 1, 1, 0),
    "township":     (1, 0, 0, 1, 0, 0),
    "county":       (1, 1, 1, 1, 1, 1),
    "department":   (0, 0, 0, 0, 0, 1),
    "leader":       (1, 0, 0, 1, 0, 0),
    "other_county": (1, 1, 1, 1, 1, 1),
}
CAPS = ("registry.read", "registry.write", "registry.import", "registry.export", "id_number.full", "department.upload")

# which of the world's households each user sees
VISIBLE = {
    "clerk": {"shuangnian"},
    "township": {"shuangnian", "wujiayao"},
    "county": {"shuangnian", "wujiayao", "other_township"},
    "department": set(),
    "leader": {"shuangnian", "wujiayao", "other_township"},
    "other_county": {"longxian"},
}


@pytest.mark.parametrize("who", CAPABILITY_MATRIX)
def test_capabilities(world, who):
    user = world.users()[who]
    assert tuple(int(access.can(user, c)) for c in CAPS) == CAPABILITY_MATRIX[who]


def test_anonymous_and_inactive_users_can_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world.county.is_active = False
    for user in (AnonymousUser(), world.county):
        assert not any(access.can(user, c) for c in CAPS)


@pytest.mark.parametrize("who", VISIBLE)
def test_scope_of_households_and_their_rows(world, households, who):
    user = world.users()[who]
    names = {v: k for k, v in households.items()}
    seen = {names[h] for h in access.scope(user, Household.objects.all())}
    assert seen == VISIBLE[who]
    # the same subtree for every table that hangs off a household
    member_households = {names[m.household] for m in access.scope(user, Member.objects.select_related("household"))}
    assert member_households == VISIBLE[who]


@pytest.mark.parametrize("who", VISIBLE)
def test_write_check_per_village(world, households, who):
    user = world.users()[who]
    for name, household in households.items():
        allowed = access.can(user, "registry.write") and name in VISIBLE[who]
        if allowed:
            access.check_write(user, household.village_id)
        else:
            with pytest.raises(PermissionDenied):
                access.check_write(user, household.village_id)


def test_every_scoped_model_has_a_path(world):
    from django.apps import apps

    registry_models = {m._meta.label_lower for m in apps.get_app_config("registry").get_models()
                       if not m._meta.label_lower.startswith("registry.historical")}
    assert registry_models <= set(access.SCOPE_PATHS)
    for model in (Household, Member, IncomeRecord, Employment):
        assert list(access.scope(world.department, model.objects.all())) == []


def test_a_prefix_is_not_a_substring_match(world, households):
    """双碾村 140603203200 must not see a village whose code merely contains it."""
    qs = access.scope(world.clerk, Household.objects.all())
    assert all(h.village_id == "140603203200" for h in qs)


@pytest.mark.parametrize("role,unit,ok", [
    ("village_clerk", "140603203200", True),
    ("village_clerk", "140603203000", False),
    ("township_reviewer", "140603203000", True),
    ("township_reviewer", "140603000000", False),
    ("county_bureau", "140603000000", True),
    ("county_bureau", "140600000000", False),
    ("department_officer", "140603000000", True),
    ("department_officer", "140603203200", False),
    ("leader", "140600000000", True),
    ("leader", "140603203200", True),
])
def test_role_binding_levels(db, role, unit, ok):
    user = User(username=f"u-{role}-{unit}", role=role, org_unit_id=unit)
    user.set_password("x" * 12)
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError):
            user.full_clean()
