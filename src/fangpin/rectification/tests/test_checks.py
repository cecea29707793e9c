"""The rectification checks on their boundaries: an item closed on its deadline is on time and a day later is not;
open on the deadline day it is pending, the day after overdue; without its own deadline the seed's day applies
(山西 30 June, 湖南 20 July) to items found by then; outside the seeds' regions nothing is judged."""
import dataclasses
import datetime as dt

import pytest

from conftest import PINGLU, SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING, Done, Subject, judge_deadline
from fangpin.orgunits.models import OrgUnit
from fangpin.rectification import measures
from fangpin.rectification.models import Problem

D = dt.date
pytestmark = pytest.mark.django_db


def _problem(code, found, *, place=SHUANGNIAN_CUN, deadline=None, closed=None, reviewer="王五"):
    return Problem.objects.create(code=code, found_on=found, source="audit", category="industry",
                                  description="分红未按协议兑现", org_unit_id=place, responsible_unit="双碾乡人民政府",
                                  deadline=deadline, closed_on=closed, reviewer=reviewer if closed else "",
                                  evidence="整改报告" if closed else "")


def _findings(on, year=None, area=PINGLU):
    unit = OrgUnit.objects.get(code=area)
    return {f.subject.label.split("（")[0]: f for f in
            checks.for_area("rectification", unit, year=year or on.year, on=on)}


@pytest.mark.parametrize(("closed", "on", "status"), [
    (D(2020, 6, 30), D(2020, 12, 31), MET),  # closed on the deadline itself: on time
    (D(2020, 6, 29), D(2020, 6, 29), MET),  # closed before it: met at once
    (D(2020, 7, 1), D(2020, 12, 31), MISSED),  # a day late
    (None, D(2020, 6, 30), PENDING),  # open on the deadline day: still time
    (None, D(2020, 7, 1), MISSED),  # open the day after
    (D(2020, 7, 5), D(2020, 7, 1), MISSED),  # closed later than the day asked: open then, and overdue
    (D(2020, 6, 10), D(2020, 6, 1), PENDING),  # closed after the day asked: open then, deadline to come
])
def test_the_seeds_first_half_deadline_in_shanxi(world, closed, on, status):
    _problem("P1", D(2020, 3, 1), closed=closed)
    found = _findings(on)["问题P1"]
    assert found.status == status
    assert found.check.id == "shanxi_closed_by_deadline"
    assert "应于2020-06-30前整改到位" in found.explanation and "山西十二条 九" in found.explanation


def test_the_explanations_read_naturally(world):
    _problem("P1", D(2020, 3, 1), closed=D(2020, 6, 20))
    _problem("P2", D(2020, 3, 1), closed=D(2020, 7, 3))
    _problem("P3", D(2020, 3, 1))
    found = _findings(D(2020, 7, 10))
    assert found["问题P1"].explanation.startswith(
        "问题P1（双碾乡人民政府，产业帮扶）：应于2020-06-30前整改到位，已于2020-06-20销号（审核人：王五）（山西十二条 九")
    assert found["问题P1"].explanation.endswith("：达标") and found["问题P1"].judged_on == D(2020, 6, 20)
    assert "已于2020-07-03销号（审核人：王五），逾期3天" in found["问题P2"].explanation
    assert "截至2020-07-10尚未销号，已逾期10天" in found["问题P3"].explanation
    assert found["问题P3"].explanation.endswith("：未达标") and found["问题P3"].value_text == "0%"
    early = _findings(D(2020, 6, 25))["问题P3"]
    assert early.status == PENDING and "距期限还有5天" in early.explanation


def test_an_items_own_deadline_comes_first(world):
    _problem("LATER", D(2020, 3, 1), deadline=D(2020, 9, 30), closed=D(2020, 9, 30))
    _problem("SOONER", D(2020, 3, 1), deadline=D(2020, 4, 30), closed=D(2020, 5, 1))
    found = _findings(D(2020, 12, 31))
    assert found["问题LATER"].status == MET and "应于2020-09-30前" in found["问题LATER"].explanation
    assert found["问题SOONER"].status == MISSED


def test_an_item_found_after_the_seeds_day_needs_its_own_deadline(world):
    _problem("ON", D(2020, 6, 30))  # found on 30 June: the seed's day still applies
    _problem("AFTER", D(2020, 7, 1))
    found = _findings(D(2020, 7, 2))
    assert found["问题ON"].subject.due == D(2020, 6, 30) and found["问题ON"].status == MISSED
    assert found["问题AFTER"].status == NO_DATA
    assert "发现于6月30日之后，且未填整改时限，无从判定" in found["问题AFTER"].explanation


def test_items_are_listed_by_the_year_found_and_only_once_found(world):
    _problem("OLD", D(2019, 12, 20), deadline=D(2020, 2, 1))
    _problem("NEW", D(2020, 5, 1))
    assert set(_findings(D(2020, 4, 30))) == set()  # NEW is not found yet, OLD is 2019's
    assert set(_findings(D(2020, 5, 1))) == {"问题NEW"}
    # 2019's items: the 2020 document asks nothing of that year
    assert set(_findings(D(2020, 5, 1), year=2019)) == set()


def test_the_seeds_ask_only_of_their_year(world):
    """山西十二条 is the 2020 work's (“做好2020年产业扶贫工作”): an item found in 2021 is listed (its state shows in the
    ledger) but not judged by it; 湖南十条 is 2022's."""
    _problem("LATER", D(2021, 3, 1))
    assert _findings(D(2021, 12, 31), year=2021) == {}
    assert [c.period_text for c in checks.checks_of("rectification")] == ["2020年", "2022年"]


def test_the_area_narrows_the_items(world):
    _problem("V", D(2020, 3, 1))
    _problem("T", D(2020, 3, 1), place=SHUANGNIAN)
    _problem("C", D(2020, 3, 1), place=PINGLU)
    assert set(_findings(D(2020, 5, 1), area=SHUANGNIAN)) == {"问题V", "问题T"}
    assert set(_findings(D(2020, 5, 1), area=SHUANGNIAN_CUN)) == {"问题V"}


def test_hunans_deadline_is_20_july(world):
    county = OrgUnit.objects.filter(code__startswith="43", level="county").order_by("code").first()
    _problem("H1", D(2022, 5, 1), place=county.code, closed=D(2022, 7, 20))
    _problem("H2", D(2022, 5, 1), place=county.code, closed=D(2022, 7, 21))
    found = _findings(D(2022, 12, 31), area=county.code)
    assert found["问题H1"].status == MET and found["问题H2"].status == MISSED
    assert found["问题H1"].check.id == "hunan_closed_by_deadline"
    assert "应于2022-07-20前整改到位" in found["问题H1"].explanation and "湖南十条 七" in found["问题H1"].explanation


def test_no_check_outside_the_seeds_regions(world):
    _problem("L1", D(2020, 3, 1), place=world.longxian_village)
    longxian = OrgUnit.objects.get(code="610327000000")
    assert checks.for_area("rectification", longxian, year=2020, on=D(2020, 12, 31)) == []


def test_the_list_shows_each_items_deadline_and_state(world):
    on_time = _problem("A", D(2020, 3, 1), closed=D(2020, 6, 1))
    late = _problem("B", D(2020, 3, 1), closed=D(2020, 7, 1))
    open_ = _problem("C", D(2020, 3, 1))
    after = _problem("D", D(2020, 7, 2))
    outside = _problem("E", D(2020, 3, 1), place=world.longxian_village, deadline=D(2020, 4, 1))
    assert measures.due_shown(on_time, D(2020, 7, 1)) == D(2020, 6, 30)
    assert [measures.state_shown(p, D(2020, 6, 30)) for p in (on_time, late, open_, after, outside)] == [
        "已销号", "逾期销号", "整改中", "未销号（无整改时限）", "逾期未整改"]
    assert measures.state_shown(open_, D(2020, 7, 1)) == "逾期未整改"


def test_the_deadline_judge_without_a_due_day():
    check = next(c for c in checks.checks_of("rectification") if c.id == "hunan_closed_by_deadline")
    subject = Subject("问题X", "430102000000")
    finding = judge_deadline(check, subject, 2022, D(2022, 8, 1), Done(None))
    assert finding.status == NO_DATA and "发现于7月20日之后" in finding.explanation
    finding = judge_deadline(dataclasses.replace(check, params={}), dataclasses.replace(subject, due=D(2022, 7, 20)),
                             2022, D(2022, 7, 21), Done(None))
    assert "应于2022-07-20前完成，截至2022-07-21尚未完成，已逾期1天" in finding.explanation


def test_the_checks_say_their_target():
    found = {c.id: c for c in checks.checks_of("rectification")}
    assert found["shanxi_closed_by_deadline"].target_text.endswith("于发现当年6月30日前销号")
    assert found["hunan_closed_by_deadline"].schedule == ()
