"""Disasters and epidemics (湖南十条 一、五; 陇县十条 一): the county's ledger of events, villages and households (errors
by sheet, row and column, nothing written), the bulk green-channel enrollment (once, with each household's outcome,
only in affected villages of the area), counts by village, and the checks."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import workbooks
from fangpin.ledgers.importer import import_file
from fangpin.monitoring import disasters, workflow
from fangpin.monitoring.ledger import DISASTERS as LEDGER
from fangpin.monitoring.models import AffectedHousehold, AffectedVillage, Case, DisasterEvent, OpenItem

pytestmark = pytest.mark.django_db

EVENT = {"code": "平鲁区2025-洪涝-01", "division_code": "140603000000", "name": "2025年7月平鲁区洪涝灾害", "kind": "flood",
         "start": "2025-07-20", "end": "2025-07-25", "note": "持续强降雨"}


def _xlsx(tmp_path, sheets, name="disasters.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _doc(households, *, villages=(SHUANGNIAN_CUN,), rows=None):
    return {"disaster_events": [EVENT],
            "disaster_villages": [{"event_code": EVENT["code"], "village_code": v} for v in villages],
            "disaster_households": rows if rows is not None else [
                {"event_code": EVENT["code"], "household_number": households["shuangnian"].number, "loss": 1250000,
                 "situation": "房屋倒塌"}]}


def test_the_county_imports_an_event_with_its_villages_and_households(world, households, tmp_path):
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households)))
    assert result.ok, result.problems
    event = DisasterEvent.objects.get()
    assert (event.county_id, event.kind, event.end, event.green_cause) == ("140603000000", "flood",
                                                                           dt.date(2025, 7, 25), "disaster")
    assert list(AffectedVillage.objects.values_list("village_id", flat=True)) == [SHUANGNIAN_CUN]
    row = AffectedHousehold.objects.get()
    assert (row.household, row.loss, row.situation, row.outcome) == (households["shuangnian"], 1250000, "房屋倒塌", "")
    assert event.history.first().history_user == world.county


def test_bad_rows_name_sheet_row_and_column_and_nothing_is_written(world, households, tmp_path):
    doc = _doc(households, villages=(SHUANGNIAN_CUN, "140603203000"), rows=[
        {"event_code": EVENT["code"], "household_number": households["longxian"].number},  # 陇县's: outside the area
        {"event_code": "没有的事件", "household_number": households["shuangnian"].number},
        {"event_code": EVENT["code"], "household_number": households["wujiayao"].number, "loss": -1},
    ])
    doc["disaster_events"] = [{**EVENT, "end": "2025-07-19"}]
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, doc))
    found = {(p.sheet, p.row, p.letter) for p in result.problems}
    messages = " ".join(p.message for p in result.problems)
    assert ("灾害事件", 2, "F") in found and "不能早于“开始日期”" in messages
    assert ("受灾村", 3, "B") in found and "应为村（社区）" in messages
    assert ("受灾户", 2, "B") in found and ("受灾户", 3, "A") in found and ("受灾户", 4, "C") in found
    assert not DisasterEvent.objects.exists() and not AffectedHousehold.objects.exists()


def test_only_a_county_bureau_keeps_the_ledger(world, households, tmp_path):
    for user in (world.clerk, world.township, world.leader):
        result = import_file(user=user, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households)))
        assert not result.ok and "无权" in result.problems[0].message
    result = import_file(user=world.other_county, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households)))
    assert not result.ok and not DisasterEvent.objects.exists()


@pytest.fixture
def event(world, households, tmp_path):
    """双碾村 hit; on the list: 双碾村's lifted household, a monitored one of 双碾村, one with a case under way, and
    吴家窑村's (a village not on the event's list)."""
    monitored = make_household(SHUANGNIAN_CUN, "1406032032000055", category="monitored", monitor_type="marginal",
                               head_name="孙监测")
    pending = make_household(SHUANGNIAN_CUN, "1406032032000056", head_name="周办理")
    under_way = workflow.open_case(world.clerk, pending, kind="enrollment", channel="cadre_visit",
                                   monitor_type="unstable", risk_causes="走访发现")
    rows = [{"event_code": EVENT["code"], "household_number": h.number, "loss": 500000, "situation": "农作物绝收"}
            for h in (households["shuangnian"], monitored, pending, households["wujiayao"])]
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households, rows=rows))).ok
    return {"event": DisasterEvent.objects.get(), "monitored": monitored, "pending": pending, "under_way": under_way}


def test_bulk_enrollment_opens_a_green_case_per_household_once(world, households, event):
    e = event["event"]
    done = disasters.enroll(world.county, e, today=dt.date(2026, 1, 5))
    assert (done.opened, done.monitored, done.under_way, done.outside) == (1, 1, 1, 1)
    h = households["shuangnian"]
    h.refresh_from_db()
    assert (h.category, h.monitor_type) == ("monitored", "sudden_hardship")
    case = Case.objects.get(household=h)
    assert (case.channel, case.green, case.green_cause, case.state, case.opened_by) == (
        "disaster_list", True, "disaster", "village", world.county)
    assert case.risk_causes == "2025年7月平鲁区洪涝灾害（洪涝，2025-07-20起）：农作物绝收，直接经济损失5,000.00元"
    assert set(OpenItem.objects.filter(case=case).values_list("step", flat=True)) == {"village", "township", "county"}
    assert case.transitions.get().level == "county"
    outcomes = dict(AffectedHousehold.objects.values_list("household__number", "outcome"))
    assert outcomes == {h.number: disasters.OPENED, event["monitored"].number: disasters.MONITORED,
                        event["pending"].number: disasters.UNDER_WAY, households["wujiayao"].number: disasters.OUTSIDE}
    assert AffectedHousehold.objects.get(household=event["pending"]).case == event["under_way"]
    again = disasters.enroll(world.county, e)
    assert (again.opened, again.monitored, again.under_way, again.outside) == (0, 0, 0, 0)
    assert Case.objects.filter(household=h).count() == 1
    # The village then completes the procedure: the green case waits on its appraisal.
    assert workflow.turn_of(case.state, "village")


def test_counts_by_village_and_who_may_enroll(world, households, event):
    e = event["event"]
    before = {r["code"]: r for r in disasters.by_village(world.county, e)}
    assert before[SHUANGNIAN_CUN]["n"] == 3 and before[SHUANGNIAN_CUN]["pending"] == 3
    for user in (world.clerk, world.township, world.leader, world.other_county):
        with pytest.raises(PermissionDenied):
            disasters.enroll(user, e)
    disasters.enroll(world.county, e)
    rows = disasters.by_village(world.county, e)
    got = {r["code"]: (r["n"], r["opened"], r["other"], r["pending"]) for r in rows}
    assert got[SHUANGNIAN_CUN] == (3, 1, 2, 0)
    assert got[""] == (1, 0, 0, 0)  # 吴家窑村's household: not in an affected village
    # The clerk of 吴家窑村 sees no affected village of its own.
    assert disasters.by_village(world.clerk2, e) == [{"code": "", "name": "不在受灾村名单中的户", "n": 1, "opened": 0,
                                                      "other": 0, "pending": 0}]
    assert WUJIAYAO not in got


def test_the_checks_judge_each_affected_household_in_their_regions(world, households, event):
    from fangpin.ledgers import checks
    from fangpin.monitoring.measures import affected_in_system

    def judged(on=dt.date(2026, 1, 5)):  # the 2025 events, judged at the year's end
        return {s.label.split("户")[-1]: ratio(on).numerator
                for s, ratio in affected_in_system("140603000000", 2025, on)}

    found = judged()
    assert found[households["shuangnian"].number] == 0 and found[event["monitored"].number] == 1
    assert found[event["pending"].number] == 0  # its case was opened after the day judged
    Case.objects.filter(pk=event["under_way"].pk).update(opened_at=dt.datetime(2025, 8, 1, tzinfo=dt.UTC))
    assert judged()[event["pending"].number] == 1  # a case opened by then, whatever the channel
    disasters.enroll(world.county, event["event"])
    assert judged()[households["shuangnian"].number] == 1  # monitored now (the category is read as it is today)
    assert len(judged()) == 4  # every household on the list, its village on the event's list or not
    by_id = {c.id: c for c in checks.checks_of("disasters")}
    assert by_id["hunan_affected_green_channel"].regions == ("43",)
    assert by_id["longxian_affected_in_system"].applies_to("610327100001")
    assert not by_id["longxian_affected_in_system"].applies_to(SHUANGNIAN_CUN)


def test_the_page_starts_the_enrollment_as_a_job_one_at_a_time(world, households, tmp_path, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from fangpin.monitoring import tasks

    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households))).ok
    event = DisasterEvent.objects.get()
    for user in (world.clerk, world.township, world.other_county):
        with pytest.raises(PermissionDenied):
            disasters.start(user, event)
    queued = []
    monkeypatch.setattr(tasks, "enroll_event", SimpleNamespace(enqueue=lambda *args: queued.append(args)))
    with django_capture_on_commit_callbacks(execute=True):
        assert disasters.start(world.county, event)
    assert queued == [(event.pk, world.county.pk)]
    assert not disasters.start(world.county, event)  # one at a time
    event.refresh_from_db()
    assert event.enrolling_since is not None and not Case.objects.exists()
    # the job: enrolls, records the outcome, clears the mark
    disasters.run_enrollment(event.pk, world.county)
    event.refresh_from_db()
    assert event.enrolling_since is None and event.enroll_summary.startswith("绿色通道纳入1户")
    assert Case.objects.get().household == households["shuangnian"]
    # a mark left by a dead worker does not block for ever
    DisasterEvent.objects.filter(pk=event.pk).update(enrolling_since=timezone.now() - disasters.STALE
                                                     - dt.timedelta(minutes=1))
    assert disasters.start(world.county, event)


def test_the_page_shows_the_run_and_its_outcome(world, households, tmp_path, client, django_capture_on_commit_callbacks):
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, _doc(households))).ok
    event = DisasterEvent.objects.get()
    client.force_login(world.county)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs once the request's work is committed
        text = client.post(f"/monitoring/disasters/{event.pk}/", follow=True).content.decode()
    assert "已开始批量纳入" in text and 'id="enrolling"' in text and 'id="enroll-form"' not in text
    text = client.get(f"/monitoring/disasters/{event.pk}/").content.decode()
    assert "上次批量纳入" in text and "绿色通道纳入1户" in text and 'id="enrolled"' in text
    assert 'id="enrolling"' not in text and 'id="enroll-form"' not in text  # nothing left
