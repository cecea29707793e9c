import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import SHUANGNIAN_CUN, new_id
from fangpin.registry import services
from fangpin.registry.models import Household, Member

HEAD = {"name": "王大明", "labor_capacity": "laborer"}


def test_create_household_numbers_from_the_village(world):
    h1 = services.household_create(user=world.clerk, village_code=SHUANGNIAN_CUN, head={**HEAD, "id_number": new_id()},
                                   category="lifted")
    h2 = services.household_create(user=world.clerk, village_code=SHUANGNIAN_CUN, head={**HEAD, "id_number": new_id()},
                                   category="ordinary")
    assert (h1.number, h2.number) == (SHUANGNIAN_CUN + "0001", SHUANGNIAN_CUN + "0002")
    head = h1.members.get()
    assert head.relation == "head" and head.birth_date.year == 1980 and head.sex == "male"


def test_create_records_history_with_the_user(world):
    h = services.household_create(user=world.clerk, village_code=SHUANGNIAN_CUN, head={**HEAD, "id_number": new_id()},
                                  category="lifted")
    assert h.history.get().history_user == world.clerk
    assert Member.history.get(household_id=h.pk).history_user == world.clerk


@pytest.mark.parametrize("category,monitor_type,ok", [
    ("monitored", "", False),
    ("monitored", "unstable", False),  # well formed, but enrollment goes through the workflow only
    ("lifted", "unstable", False),
    ("ordinary", "", True),
])
def test_monitor_type_goes_with_monitored(world, category, monitor_type, ok):
    kwargs = dict(user=world.clerk, village_code=SHUANGNIAN_CUN, head={**HEAD, "id_number": new_id()},
                  category=category, monitor_type=monitor_type)
    if ok:
        services.household_create(**kwargs)
    else:
        with pytest.raises(ValidationError, match="监测"):
            services.household_create(**kwargs)
        assert not Household.objects.exists()


def test_monitoring_status_changes_only_in_the_workflow(world, households):
    h = households["shuangnian"]
    h.category, h.monitor_type = "monitored", "unstable"
    h.save()
    with pytest.raises(ValidationError, match="体外循环"):
        services.household_update(user=world.clerk, household=h, category="lifted", monitor_type="")
    with pytest.raises(ValidationError, match="体外循环"):
        services.household_update(user=world.clerk, household=h, monitor_type="sudden_hardship")
    services.household_update(user=world.clerk, household=h, address="新地址")  # other fields stay editable
    h.refresh_from_db()
    assert (h.category, h.monitor_type, h.address) == ("monitored", "unstable", "新地址")
    other = households["other_township"]  # lifted
    with pytest.raises(ValidationError, match="体外循环"):
        services.household_update(user=world.county, household=other, category="monitored", monitor_type="unstable")


def test_one_person_in_one_household(world, households):
    taken = households["wujiayao"].members.get().id_number
    with pytest.raises(ValidationError, match="已登记在户1406032032030001"):
        services.member_create(user=world.county, household=households["shuangnian"], id_number=taken, name="重复",
                               relation="child", labor_capacity="laborer")


def test_other_village_is_not_named_to_a_clerk(world, households):
    taken = households["other_township"].members.get().id_number
    with pytest.raises(ValidationError, match="（其他区划）"):
        services.member_create(user=world.clerk, household=households["shuangnian"], id_number=taken, name="重复",
                               relation="child", labor_capacity="laborer")


def test_bad_id_number_is_refused(world, households):
    with pytest.raises(ValidationError, match="校验位错误"):
        services.member_create(user=world.clerk, household=households["shuangnian"], id_number="11010519491231002" + "1",
                               name="甲", relation="child", labor_capacity="laborer")


def test_one_head_per_household(world, households):
    with pytest.raises(ValidationError, match="已有户主"):
        services.member_create(user=world.clerk, household=households["shuangnian"], id_number=new_id(), name="乙",
                               relation="head", labor_capacity="laborer")
    child = households["shuangnian"].members.filter(relation="child").first()
    with pytest.raises(ValidationError, match="已有户主"):
        services.member_update(user=world.clerk, member=child, relation="head")


def test_update_keeps_history_of_each_change(world, households):
    h = households["shuangnian"]
    services.household_update(user=world.clerk, household=h, dibao=True, address="一组3号")
    last = h.history.first()
    assert last.history_user == world.clerk and last.dibao and last.address == "一组3号"
    assert {c.field for c in last.diff_against(last.prev_record).changes} == {"dibao", "address"}


@pytest.mark.parametrize("who", ["township", "leader", "department", "clerk2", "other_county"])
def test_writes_outside_role_or_scope_are_denied(world, households, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.household_update(user=user, household=households["shuangnian"], dibao=True)
    with pytest.raises(PermissionDenied):
        services.household_create(user=user, village_code=SHUANGNIAN_CUN, head={**HEAD, "id_number": new_id()},
                                  category="lifted")
    assert not Household.objects.get(pk=households["shuangnian"].pk).dibao


def test_village_must_exist_and_be_a_village(world):
    with pytest.raises(PermissionDenied):
        services.household_create(user=world.county, village_code="999999999999", head={**HEAD, "id_number": new_id()},
                                  category="lifted")
    with pytest.raises(ValidationError, match="不存在或不在您的管辖范围内"):
        services.household_create(user=world.county, village_code="140603203000", head={**HEAD, "id_number": new_id()},
                                  category="lifted")


def test_null_text_means_blank_and_null_elsewhere_is_refused(world, households):
    h = services.household_update(user=world.clerk, household=households["shuangnian"], phone=None, address=None)
    h.refresh_from_db()
    assert (h.phone, h.address) == ("", "")
    with pytest.raises(ValidationError, match="“低保户”不能为空"):
        services.household_update(user=world.clerk, household=households["shuangnian"], dibao=None)
    head = households["shuangnian"].members.get(relation="head")
    assert services.member_update(user=world.clerk, member=head, phone=None).phone == ""
    with pytest.raises(ValidationError, match="“特困人员”不能为空"):
        services.member_update(user=world.clerk, member=head, tekun=None)
