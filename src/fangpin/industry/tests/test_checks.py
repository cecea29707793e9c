"""The industry ledgers' checks on their boundaries: an afforestation cooperative of 20 members is met and of 19
missed, exactly 60% is met; 忻州's 70% only in 2020 and only in 忻州; a village missing one have is missed; each have
computed from the registry and the linkage ledger, or declared; pending before the year, no data without households,
not judged outside Shanxi."""
import datetime as dt

import pytest

from conftest import PINGLU, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.industry import haves
from fangpin.industry.models import HouseholdHaves, Link, LinkEntity, VillageHaves
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Member, Startup, Training

from .factories import enterprise

pytestmark = pytest.mark.django_db
D = dt.date
XINZHOU_VILLAGE = "140902001002"  # a community of 忻府区
END = D(2024, 12, 31)


def _findings(ledger, check_id, area=PINGLU, year=2024, on=END):
    unit = OrgUnit.objects.get(code=area)
    return [f for f in checks.for_area(ledger, unit, year=year, on=on) if f.check.id == check_id]


def _entity(place=SHUANGNIAN_CUN, kind="cooperative", year=2024, **values):
    return LinkEntity.objects.create(enterprise=enterprise(place, kind), year=year, **values)


# -- 造林合作社 (双发〔2022〕67号 第17条) ----------------------------------------------------------------------------

@pytest.mark.parametrize(("members", "status"), [(20, MET), (19, MISSED), (21, MET)])
def test_afforestation_members_at_twenty(world, members, status):
    _entity(members=members, members_target=12, afforestation=True)
    [finding] = _findings("linkage", "afforestation_members")
    assert finding.status == status
    assert finding.value_text == f"{members}人" and finding.check.target_text == "不低于20人"
    assert f"社员{members}，{'不低于' if status == MET else '低于'}20人" in finding.explanation
    assert "双发〔2022〕67号 第17条" in finding.explanation


@pytest.mark.parametrize(("target", "members", "status"), [(12, 20, MET), (60, 100, MET), (59, 100, MISSED),
                                                            (0, 0, NO_DATA)])
def test_afforestation_target_share_at_sixty_percent(world, target, members, status):
    _entity(members=members, members_target=target, afforestation=True)
    [finding] = _findings("linkage", "afforestation_target_share")
    assert finding.status == status


def test_only_afforestation_cooperatives_of_shuangnian_are_judged_from_the_years_start(world):
    _entity(members=5, members_target=1)  # not an afforestation cooperative
    _entity(place=world.other_township_village, members=5, members_target=1, afforestation=True)  # outside 双碾乡
    assert _findings("linkage", "afforestation_members") == []
    _entity(members=19, members_target=12, afforestation=True)
    [before] = _findings("linkage", "afforestation_members", on=D(2023, 12, 31))
    assert before.status == PENDING and "应于该年度开始后不低于20人" in before.explanation
    [first_day] = _findings("linkage", "afforestation_members", on=D(2024, 1, 1))
    assert first_day.status == MISSED and first_day.judged_on == D(2024, 1, 1)


def test_an_entity_without_members_has_no_data(world):
    e = _entity(members=20, members_target=12, afforestation=True)
    LinkEntity.objects.filter(pk=e.pk).update(members=None, members_target=None)
    [finding] = _findings("linkage", "afforestation_members")
    assert finding.status == NO_DATA and "社员未填，无从计算" in finding.explanation


# -- 忻州 五.九: 吸纳贫困户70%以上 (2020) -------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "values", "status"), [
    ("cooperative", {"members": 100, "members_target": 70}, MET),
    ("cooperative", {"members": 100, "members_target": 69}, MISSED),
    ("family_farm", {"employees": 10, "employees_target": 7}, MET),  # not a cooperative: its workers
    ("family_farm", {"employees": 10, "employees_target": 6, "members": 10, "members_target": 10}, MISSED),
])
def test_xinzhou_absorption_at_seventy_percent_in_2020(world, kind, values, status):
    _entity(place=XINZHOU_VILLAGE, kind=kind, year=2020, **values)
    [finding] = _findings("linkage", "absorbed_poor_share", area="140900000000", year=2020, on=D(2020, 12, 31))
    assert finding.status == status


def test_xinzhou_absorption_is_not_judged_after_2020_outside_xinzhou_or_for_an_employer(world):
    _entity(place=XINZHOU_VILLAGE, year=2021, members=100, members_target=10)
    _entity(place=XINZHOU_VILLAGE, kind="employer", year=2020, employees=10, employees_target=1)
    _entity(year=2020, members=100, members_target=10)  # 平鲁区
    assert _findings("linkage", "absorbed_poor_share", area="140900000000", year=2021, on=D(2021, 12, 31)) == []
    assert _findings("linkage", "absorbed_poor_share", area="140900000000", year=2020, on=D(2020, 12, 31)) == []
    assert _findings("linkage", "absorbed_poor_share", year=2020, on=D(2020, 12, 31)) == []


# -- 五有 -------------------------------------------------------------------------------------------------------------

def _village(findings, code=SHUANGNIAN_CUN):
    return next(f for f in findings if f.subject.code == code)


@pytest.fixture
def village(world):
    """双碾村 with one lifted household of one laborer, and every have but the cooperative."""
    h = make_household(SHUANGNIAN_CUN, "1406032032000001", head_name="王建国")
    VillageHaves.objects.create(village_id=SHUANGNIAN_CUN, year=2024, leading_industry="肉牛养殖")
    coop = enterprise(WUJIAYAO, "family_farm")
    Link.objects.create(enterprise=coop, year=2024, household=h, way="employment", started_on=D(2024, 3, 1))
    return h


def test_a_village_missing_one_have_is_missed_and_met_once_it_has_all_three(world, village):
    finding = _village(_findings("five_haves", "village_haves"))
    assert finding.status == MISSED
    assert "已具备（有脱贫产业、有带动主体）2，应具备3" in finding.explanation
    enterprise(SHUANGNIAN_CUN, "cooperative")  # a cooperative of the registry in the village: computed
    assert _village(_findings("five_haves", "village_haves")).status == MET


def test_village_haves_computed_or_declared(world, village):
    v = haves.village_flags(OrgUnit.objects.filter(code=SHUANGNIAN_CUN), 2024, END).get()
    assert haves.village_sources(v) == {"industry": "declared", "entity": "computed", "cooperative": "missing"}
    # before the link started, the entity is missing; a declared name then counts as declared
    v = haves.village_flags(OrgUnit.objects.filter(code=SHUANGNIAN_CUN), 2024, D(2024, 2, 29)).get()
    assert haves.village_sources(v)["entity"] == "missing"
    VillageHaves.objects.filter(village_id=SHUANGNIAN_CUN).update(entity_name="双碾村农牧专业合作社",
                                                                 cooperative_name="双碾村股份经济合作社")
    v = haves.village_flags(OrgUnit.objects.filter(code=SHUANGNIAN_CUN), 2024, D(2024, 2, 29)).get()
    assert haves.village_sources(v) == {"industry": "declared", "entity": "declared", "cooperative": "declared"}
    # a link of another year does not count
    v = haves.village_flags(OrgUnit.objects.filter(code=SHUANGNIAN_CUN), 2025, END).get()
    assert haves.village_sources(v) == {"industry": "missing", "entity": "missing", "cooperative": "missing"}


def _sources(h, year=2024, on=END):
    from fangpin.registry.models import Household

    return haves.household_sources(haves.household_flags(Household.objects.filter(pk=h.pk), year, on).get())


def test_a_households_project_is_computed_from_the_registry_and_the_ledger_or_declared(world, village):
    assert _sources(village)["project"] == "computed"  # the linkage ledger's link
    assert _sources(village, on=D(2024, 2, 29))["project"] == "missing"  # not started yet
    for flag in ("industry_project", "courtyard_economy"):
        type(village).objects.filter(pk=village.pk).update(**{flag: True})
        assert _sources(village, on=D(2024, 2, 29))["project"] == "computed"
        type(village).objects.filter(pk=village.pk).update(**{flag: False})
    member = village.members.get()
    Startup.objects.create(member=member, kind="individual", started_on=D(2024, 2, 1), operating_months=3)
    assert _sources(village, on=D(2024, 2, 29))["project"] == "computed"
    assert _sources(village, on=D(2024, 1, 31))["project"] == "missing"
    HouseholdHaves.objects.create(household=village, year=2024, income_project="养羊8只")
    assert _sources(village, on=D(2024, 1, 31))["project"] == "declared"


def test_every_laborer_needs_a_training_or_the_households_declared_skills(world, village):
    assert _sources(village)["skills"] == "missing"
    first = village.members.get()
    Training.objects.create(member=first, year=2024, kind="skills", start_date=D(2024, 5, 1), days=10)
    assert _sources(village)["skills"] == "computed"
    assert _sources(village, on=D(2024, 4, 30))["skills"] == "missing"  # trained after the day
    Member.objects.create(household=village, id_number="140603199001011234", name="王小明", relation="child",
                          sex="male", birth_date=D(1990, 1, 1), labor_capacity="laborer")
    assert _sources(village)["skills"] == "missing"  # one laborer untrained
    HouseholdHaves.objects.create(household=village, year=2024, skills="电焊工（初级）证书")
    assert _sources(village)["skills"] == "declared"
    Member.objects.filter(household=village).update(labor_capacity="weak")
    assert _sources(village)["skills"] == "not_needed"


def test_household_haves_per_village_at_every_household(world, village):
    other = make_household(SHUANGNIAN_CUN, "1406032032000002", category="monitored", monitor_type="marginal")
    make_household(SHUANGNIAN_CUN, "1406032032000003", category="ordinary")  # not of the population
    for h in (village, other):
        HouseholdHaves.objects.create(household=h, year=2024, income_project="入股合作社分红", skills="实用技术培训")
    found = _village(_findings("five_haves", "household_haves"))
    assert found.status == MET and (found.ratio.numerator, found.ratio.denominator) == (2, 2)
    HouseholdHaves.objects.filter(household=other).update(skills="")
    found = _village(_findings("five_haves", "household_haves"))
    assert found.status == MISSED and (found.ratio.numerator, found.ratio.denominator) == (1, 2)
    labour = _village(_findings("five_haves", "laborer_households_project"))
    assert labour.status == MET and labour.ratio.denominator == 2


def test_five_haves_pending_before_the_year_no_data_without_households_and_not_outside_shanxi(world, village):
    assert _village(_findings("five_haves", "village_haves", on=D(2023, 12, 31))).status == PENDING
    VillageHaves.objects.create(village_id=WUJIAYAO, year=2024, leading_industry="马铃薯种植")  # no households
    assert _village(_findings("five_haves", "household_haves"), WUJIAYAO).status == NO_DATA
    make_household(world.longxian_village, f"{world.longxian_village}0001", region="610327")
    assert _findings("five_haves", "village_haves", area="610327000000") == []
    # a village of 平鲁区 without households or a declaration is not judged
    assert {f.subject.code for f in _findings("five_haves", "village_haves")} == {SHUANGNIAN_CUN, WUJIAYAO}
