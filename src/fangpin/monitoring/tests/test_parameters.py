"""Monitoring parameters per county and date (监测参数): the value on a day (from its start date on, else rules.yaml's),
one county's value never another's, who may set them, bad values refused, the procedure and the screening reading them,
and the page with its history."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from conftest import SHUANGNIAN_CUN
from fangpin.monitoring import parameters, screening, workflow
from fangpin.monitoring.models import Case

pytestmark = pytest.mark.django_db
PINGLU = "140603000000"


def set_(world, key="notice_days", value="7", on=dt.date(2026, 3, 1), user=None, county=PINGLU, reason="区里文件"):
    return parameters.set_value(user or world.county, county=county, key=key, valid_from=on, value=Decimal(value),
                                reason=reason)


def test_a_value_applies_from_its_start_date_in_its_county_only(world):
    default = parameters.PARAMETERS["notice_days"].default
    assert default == Decimal(screening.RULES.procedure["notice_days"])
    set_(world)
    set_(world, value="9", on=dt.date(2026, 6, 1))
    assert parameters.days("notice_days", SHUANGNIAN_CUN, dt.date(2026, 2, 28)) == default  # the day before
    assert parameters.days("notice_days", SHUANGNIAN_CUN, dt.date(2026, 3, 1)) == 7          # from the day itself
    assert parameters.days("notice_days", SHUANGNIAN_CUN, dt.date(2026, 5, 31)) == 7
    assert parameters.days("notice_days", SHUANGNIAN_CUN, dt.date(2026, 6, 1)) == 9
    assert parameters.days("notice_days", world.longxian_village, dt.date(2026, 7, 1)) == default  # 陇县: its own
    set_(world, value="8", reason="更正")  # the same date again: a correction, history kept
    assert parameters.days("notice_days", SHUANGNIAN_CUN, dt.date(2026, 3, 1)) == 8
    assert [h.value for h in parameters.history(PINGLU)][:2] == [Decimal(8), Decimal(9)]


def test_only_a_county_bureau_sets_its_own_county(world):
    for user in (world.clerk, world.township, world.leader):
        with pytest.raises(PermissionDenied):
            set_(world, user=user)
    with pytest.raises(PermissionDenied):
        set_(world, user=world.other_county)  # 陇县's bureau, 平鲁区's value
    with pytest.raises(PermissionDenied):
        set_(world, county="140603203000")  # a township is not a county


@pytest.mark.parametrize("key,value,field", [("notice_days", "0", "value"), ("notice_days", "2.5", "value"),
                                             ("notice_days", "31", "value"), ("rule.medical_expense.at_least", "0", "value"),
                                             ("rule.medical_expense.at_least", "1.005", "value"), ("nothing", "1", "key")])
def test_bad_values_are_refused(world, key, value, field):
    with pytest.raises(ValidationError) as e:
        set_(world, key=key, value=value)
    assert field in e.value.message_dict
    with pytest.raises(ValidationError, match="调整依据"):
        set_(world, reason=" ")


def test_the_start_date_lies_between_the_mechanism_and_a_year_ahead(world):
    latest = timezone.localdate() + dt.timedelta(days=366)
    for on in (dt.date(2019, 12, 31), latest + dt.timedelta(days=1), dt.date(1, 1, 1)):
        with pytest.raises(ValidationError) as e:
            set_(world, on=on)
        assert "valid_from" in e.value.message_dict
    assert set_(world, on=dt.date(2020, 1, 1)).valid_from == dt.date(2020, 1, 1)
    assert set_(world, on=latest).valid_from == latest


def test_the_procedure_reads_the_countys_days(world, households):
    set_(world, key="review_days", value="3", on=dt.date(2026, 1, 1))
    set_(world, key="notice_days", value="2", on=dt.date(2026, 1, 1))
    case = workflow.open_case(world.clerk, households["shuangnian"], kind=Case.Kind.ENROLLMENT,
                              channel="cadre_visit", monitor_type="unstable", risk_causes="走访",
                              today=dt.date(2026, 1, 5))
    assert case.due == dt.date(2026, 1, 8)
    case = workflow.act(world.clerk, case, "appraise", version=case.version, today=dt.date(2026, 1, 5),
                        appraisal={"date": dt.date(2026, 1, 5), "attendance": 20, "record": "同意"})
    assert (case.notice_start, case.notice_end) == (dt.date(2026, 1, 5), dt.date(2026, 1, 6))


def test_the_screening_reads_the_countys_thresholds_and_days(world):
    set_(world, key="rule.medical_expense.at_least", value="20000", on=dt.date(2026, 1, 1))
    set_(world, key="rule.school_dropout.days", value="5", on=dt.date(2026, 1, 1))
    rules = {r.id: r for r in parameters.rules_for(SHUANGNIAN_CUN, dt.date(2026, 1, 2))}
    assert rules["medical_expense"].at_least == 2_000_000 and rules["school_dropout"].days == 5
    before = {r.id: r for r in parameters.rules_for(SHUANGNIAN_CUN, dt.date(2025, 12, 31))}
    assert before["medical_expense"].at_least == screening.RULES.rule("medical_expense").at_least
    assert {r.id: r.at_least for r in parameters.rules_for(world.longxian_village, dt.date(2026, 1, 2))} == {
        r.id: r.at_least for r in screening.RULES.rules}


def test_the_page_shows_the_values_and_their_history_and_the_bureau_sets_one(world):
    from django.utils import timezone

    county = Client()
    county.force_login(world.county)
    today = timezone.localdate()
    r = county.post("/monitoring/parameters/", {"key": "notice_days", "valid_from": str(today), "value": "6",
                                                "reason": "平鲁区监测帮扶实施细则"})
    assert r.status_code == 302
    page = county.get("/monitoring/parameters/").content.decode()
    table = page.split('id="parameter-table"')[1].split("</table>")[0]
    assert "村级民主评议后公示天数" in table and "<strong>6天</strong>" in table and "平鲁区监测帮扶实施细则" in table
    history = page.split('id="parameter-history"')[1].split("</table>")[0]
    assert "新增" in history and "平鲁区监测帮扶实施细则" in history
    clerk = Client()
    clerk.force_login(world.clerk)
    page = clerk.get("/monitoring/parameters/").content.decode()
    assert "<strong>6天</strong>" in page and 'id="parameter-form"' not in page  # the village reads its county's
    assert clerk.post("/monitoring/parameters/", {"key": "notice_days", "valid_from": str(today), "value": "1",
                                                  "reason": "x"}).status_code == 403
    other = Client()
    other.force_login(world.other_county)
    assert "<strong>6天</strong>" not in other.get("/monitoring/parameters/").content.decode()
    r = county.post("/monitoring/parameters/", {"key": "notice_days", "valid_from": str(today), "value": "0",
                                                "reason": "x"})
    assert r.status_code == 200 and "1到30之间的整数" in r.content.decode()
    assert county.get("/monitoring/parameters/?format=xlsx").status_code == 200
