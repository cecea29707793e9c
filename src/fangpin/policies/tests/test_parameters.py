"""Parameters adjusted on the page: who may, what is checked, that the engine uses them, and that history is kept."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import SHUANGNIAN_CUN
from fangpin.policies import entitlements, parameters
from fangpin.registry.models import Employment


def transport_for(user, household, as_of):
    owed = entitlements.for_households(user=user, household_ids=[household.pk], village_code=SHUANGNIAN_CUN, as_of=as_of)
    return [r["amount"] for r in owed.rows if r["benefit_id"] == "transport_subsidy"]


def test_a_value_set_on_the_page_applies_from_its_date_and_is_recorded(world, households):
    h = households["shuangnian"]
    # the standard is the one in force when the spell starts (双发〔2022〕67号 10): a spell starting on the new value's date
    Employment.objects.create(member=h.members.get(relation="head"), year=2025, place="cross_province",
                              start_date=dt.date(2025, 7, 1), months=3, monthly_wage=300000)
    assert transport_for(world.clerk, h, dt.date(2025, 6, 30)) == [150000]
    parameters.set_value(world.county, "sn2022-67", "transport_cross_province", dt.date(2025, 7, 1), "2000",
                         "区政府常务会议纪要〔2025〕12号")
    assert transport_for(world.clerk, h, dt.date(2025, 6, 30)) == [150000]   # the day before: the file's value
    assert transport_for(world.clerk, h, dt.date(2025, 7, 1)) == [200000]
    row = next(r for r in parameters.rows(world.leader, "sn2022-67", on=dt.date(2025, 7, 1))
               if r.key == "transport_cross_province")
    assert row.current == 2000
    assert [(d.isoformat(), int(v)) for d, v, _ in row.values] == [("2021-01-01", 800), ("2022-08-12", 1500),
                                                                   ("2025-07-01", 2000)]
    assert row.values[-1][2] == "页面设置：county，区政府常务会议纪要〔2025〕12号"
    parameters.set_value(world.county, "sn2022-67", "transport_cross_province", dt.date(2025, 7, 1), "1800", "更正")
    assert transport_for(world.clerk, h, dt.date(2025, 7, 1)) == [180000]
    history = parameters.history(world.township, "sn2022-67")
    assert [(x.history_type, x.value, x.history_user.username) for x in history] == [("~", "1800", "county"),
                                                                                     ("+", "2000", "county")]


def test_the_yearly_line_set_on_the_page_turns_on_the_gap_rule(world, households):
    from fangpin.registry.models import IncomeRecord

    h = households["shuangnian"]  # three persons, lifted
    IncomeRecord.objects.create(household=h, year=2025, wage=1500000)
    owed = entitlements.for_households(user=world.clerk, household_ids=[h.pk], village_code=SHUANGNIAN_CUN,
                                       as_of=dt.date(2025, 12, 31))
    assert not [r for r in owed.rows if r["benefit_id"] == "income_gap_compensation"]
    assert any("没有生效的取值" in m for m in owed.messages)
    parameters.set_value(world.county, "sn2022-67", "monitoring_line", dt.date(2025, 1, 1), "7000", "省里2025年标准")
    owed = entitlements.for_households(user=world.clerk, household_ids=[h.pk], village_code=SHUANGNIAN_CUN,
                                       as_of=dt.date(2025, 12, 31))
    assert [r["amount"] for r in owed.rows if r["benefit_id"] == "income_gap_compensation"] == [600000]


@pytest.mark.parametrize("who,doc,allowed", [
    ("county", "sn2022-67", True), ("other_county", "sn2022-67", False), ("other_county", "lx2022-10", True),
    ("county", "lx2022-10", False), ("clerk", "sn2022-67", False), ("township", "sn2022-67", False),
    ("leader", "sn2022-67", False), ("department", "sn2022-67", False),
])
def test_who_may_adjust(world, who, doc, allowed):
    user = world.users()[who]
    key = "transport_cross_province" if doc == "sn2022-67" else "transport_cross_province"
    if allowed:
        parameters.set_value(user, doc, key, dt.date(2025, 1, 1), "900", "测试")
    else:
        with pytest.raises(PermissionDenied):
            parameters.set_value(user, doc, key, dt.date(2025, 1, 1), "900", "测试")


@pytest.mark.parametrize("key,raw,reason,message", [
    ("transport_cross_province", "abc", "x", "不是数字"),
    ("transport_cross_province", "15.555", "x", "最多两位小数"),
    ("transport_cross_province", "-1", "x", "非负数"),
    ("post_floor_share", "1/0", "x", "分子/分母"),
    ("retention_min_months", "6.5", "x", "整数"),
    ("no_such_parameter", "1", "x", "没有参数"),
    ("transport_cross_province", "1600", "  ", "调整依据"),
    # beyond what 64-bit fen can carry through the rules: a message, never a 500 on every household page
    ("transport_cross_province", "1000000000.01", "x", "过大"),
    ("transport_cross_province", "99999999999999999999", "x", "过大"),
    ("transport_cross_province", "1E+30", "x", "过大"),
    ("transport_cross_province", "1e99999", "x", "过大"),
])
def test_bad_values_are_refused_with_a_chinese_message(world, key, raw, reason, message):
    with pytest.raises(ValidationError, match=message):
        parameters.set_value(world.county, "sn2022-67", key, dt.date(2025, 1, 1), raw, reason)
    assert parameters.history(world.county, "sn2022-67") == []


def test_the_largest_value_is_accepted(world):
    parameters.set_value(world.county, "sn2022-67", "transport_cross_province", dt.date(2025, 1, 1), "1000000000", "上限")
    assert len(parameters.history(world.county, "sn2022-67")) == 1


def test_ratio_values_accept_fractions_and_decimals(world):
    parameters.set_value(world.county, "sn2022-67", "post_floor_share", dt.date(2025, 1, 1), "0.6", "测试")
    row = next(r for r in parameters.rows(world.county, "sn2022-67", on=dt.date(2025, 1, 1)) if r.key == "post_floor_share")
    assert str(row.current) == "3/5"
