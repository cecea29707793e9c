"""The approval procedure as a state machine: every (state, action, level) is tried; exactly the listed transitions are
allowed, each recorded; the green channel; locking and two reviewers at once; elimination criteria."""
import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.monitoring import workflow
from fangpin.monitoring.models import Case, ContactCadre, IncomeAccount, Measure, OpenItem, Transition, Warning
from fangpin.monitoring.workflow import STEPS

TODAY = dt.date(2026, 11, 23)
APPRAISAL = {"date": TODAY, "attendance": 23, "record": "村民代表23人参加，22票同意纳入"}


def users(world):
    return {"village": world.clerk, "township": world.township, "county": world.county}


def new_case(world, household, user=None, **kw):
    args = dict(kind="enrollment", channel="self_application", monitor_type="unstable", risk_causes="因病，医疗支出大")
    return workflow.open_case(user or world.clerk, household, today=TODAY, **{**args, **kw})


def put_in(case, state):
    """A case in a given state as the procedure would leave it (the notice over, for 'notice')."""
    Case.objects.filter(pk=case.pk).update(state=state, notice_end=TODAY - dt.timedelta(days=1) if state == "notice"
                                           else None)
    case.refresh_from_db()
    return case


ALL = [(state, action, level) for state in Case.State.values for action in workflow.ACTIONS
       for level in ("village", "township", "county")]


@pytest.mark.parametrize("state,action,level", ALL)
def test_every_transition_is_allowed_or_refused(world, households, state, action, level):
    case = put_in(new_case(world, households["shuangnian"]), state)
    step = workflow.step_for(state, action)
    allowed = step is not None and step.level == level
    user = users(world)[level]
    kwargs = {"reason": "理由"} | ({"appraisal": APPRAISAL} if action == "appraise" else {})
    before = Transition.objects.filter(case=case).count()
    if allowed:
        workflow.act(user, case, action, version=case.version, today=TODAY, **kwargs)
        case.refresh_from_db()
        assert case.state == step.target and case.version == 1
        t = Transition.objects.filter(case=case).last()
        assert (t.action, t.level, t.from_state, t.to_state, t.user, t.reason) == (
            action, level, state, step.target, user, "理由")
    else:
        with pytest.raises(PermissionDenied):
            workflow.act(user, case, action, version=case.version, today=TODAY, **kwargs)
        case.refresh_from_db()
        assert case.state == state and case.version == 0
        assert Transition.objects.filter(case=case).count() == before


def test_the_table_is_the_documented_procedure():
    assert {(s.source, s.action, s.level, s.target) for s in STEPS} == {
        ("village", "appraise", "village", "notice"), ("notice", "object", "village", "village"),
        ("notice", "submit", "village", "township"), ("village", "decline", "village", "declined"),
        ("township", "approve", "township", "county"), ("township", "return", "township", "village"),
        ("township", "withdraw", "village", "village"),
        ("county", "approve", "county", "done"), ("county", "return", "county", "township")}
    # Each level acts only on states the level below produced: no county step leaves a village state.
    order = {"village": 0, "township": 1, "county": 2}
    produced_by = {s.target: order[s.level] for s in STEPS if s.target not in ("done", "declined")}
    produced_by["village"] = 0  # a new case
    for s in STEPS:
        assert produced_by[s.source] >= order[s.level] - 1
    # and only taking back its own submission lets a level act on a state that waits on the level above it
    waits_on = {"village": 0, "notice": 0, "township": 1, "county": 2}
    assert {s.action for s in STEPS if order[s.level] < waits_on[s.source]} == workflow.TAKE_BACK


def test_the_village_withdraws_its_submission_until_the_township_holds_it(world, households):
    case = put_in(new_case(world, households["shuangnian"]), "township")
    with pytest.raises(ValidationError, match="理由"):
        workflow.act(world.clerk, case, "withdraw", version=0, reason=" ", today=TODAY)
    assert not workflow.claim(world.clerk, case)  # the village never locks the township's case
    assert workflow.claim(world.township, Case.objects.get(pk=case.pk))
    with pytest.raises(workflow.Conflict, match="正由township审核"):  # the township is deciding
        workflow.act(world.clerk, Case.objects.get(pk=case.pk), "withdraw", version=0, reason="漏报收入", today=TODAY)
    workflow.release(world.township, case)
    case = workflow.act(world.clerk, Case.objects.get(pk=case.pk), "withdraw", version=0, reason="漏报收入",
                        today=TODAY)
    assert case.state == "village" and case.version == 1
    t = Transition.objects.filter(case=case).last()
    assert (t.action, t.level, t.from_state, t.to_state, t.reason) == ("withdraw", "village", "township", "village",
                                                                        "漏报收入")
    # once the township has approved, there is nothing to withdraw
    case = put_in(case, "county")
    with pytest.raises(PermissionDenied):
        workflow.act(world.clerk, case, "withdraw", version=case.version, reason="晚了", today=TODAY)


def test_a_green_channel_withdrawal_reopens_the_villages_item(world, households):
    case = new_case(world, households["shuangnian"], green_cause="disaster", monitor_type="sudden_hardship")
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)
    workflow.act(world.clerk, case, "submit", version=1, today=TODAY + dt.timedelta(days=5))
    assert OpenItem.objects.get(case=case, step="village").done_at is not None
    case.refresh_from_db()
    workflow.act(world.clerk, case, "withdraw", version=case.version, reason="补充材料", today=TODAY)
    assert OpenItem.objects.get(case=case, step="village").done_at is None
    assert Case.objects.get(pk=case.pk).state == "village"


def test_whole_procedure_enrolls_the_household(world, households):
    h = households["shuangnian"]
    case = new_case(world, h)
    assert h.category == "lifted" and case.state == "village" and case.due == TODAY + dt.timedelta(days=10)
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)
    case.refresh_from_db()
    assert (case.notice_start, case.notice_end) == (TODAY, TODAY + dt.timedelta(days=4))  # five days
    with pytest.raises(ValidationError, match="公示期至2026-11-27"):
        workflow.act(world.clerk, case, "submit", version=1, today=TODAY + dt.timedelta(days=4))
    workflow.act(world.clerk, case, "submit", version=1, today=TODAY + dt.timedelta(days=5))
    case.refresh_from_db()
    workflow.act(world.township, case, "approve", version=case.version, today=TODAY)
    case.refresh_from_db()
    h.refresh_from_db()
    assert h.category == "lifted"  # not before the county has approved
    workflow.act(world.county, case, "approve", version=case.version, today=TODAY)
    h.refresh_from_db()
    case.refresh_from_db()
    assert (h.category, h.monitor_type, case.state) == ("monitored", "unstable", "done") and case.closed_at
    assert h.history.first().history_change_reason.startswith(f"识别纳入案件{case.pk}")
    assert list(case.transitions.values_list("action", flat=True)) == ["open", "appraise", "submit", "approve",
                                                                       "approve"]


def test_rejection_returns_to_the_level_below_with_a_reason(world, households):
    case = put_in(new_case(world, households["shuangnian"]), "county")
    with pytest.raises(ValidationError, match="理由"):
        workflow.act(world.county, case, "return", version=0, reason=" ", today=TODAY)
    workflow.act(world.county, case, "return", version=0, reason="收入核算有误", today=TODAY)
    case.refresh_from_db()
    assert case.state == "township"
    workflow.act(world.township, case, "return", version=1, reason="补充民主评议记录", today=TODAY)
    case.refresh_from_db()
    assert case.state == "village"
    assert [t.reason for t in case.transitions.all()][-2:] == ["收入核算有误", "补充民主评议记录"]


def test_appraisal_record_is_required(world, households):
    case = new_case(world, households["shuangnian"])
    with pytest.raises(ValidationError) as e:
        workflow.act(world.clerk, case, "appraise", version=0, appraisal={"date": TODAY + dt.timedelta(days=1)},
                     today=TODAY)
    assert set(e.value.message_dict) == {"appraisal_date", "appraisal_attendance", "appraisal_record"}


def test_area_and_role(world, households):
    case = new_case(world, households["shuangnian"])
    with pytest.raises(PermissionDenied):
        workflow.act(world.clerk2, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)  # another village
    for user in (world.leader, world.department, world.other_county):
        with pytest.raises(PermissionDenied):
            workflow.act(user, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)
    with pytest.raises(PermissionDenied, match="村级发起"):
        workflow.open_case(world.county, households["wujiayao"], kind="elimination", risk_causes="x", today=TODAY)


def test_one_open_case_per_household_and_kind(world, households):
    new_case(world, households["shuangnian"])
    with pytest.raises(workflow.Conflict):
        new_case(world, households["shuangnian"])


def test_enrollment_checks_type_and_status(world, households):
    with pytest.raises(ValidationError, match="已是监测户"):
        new_case(world, households["wujiayao"], user=world.clerk2)  # monitored, risk not eliminated
    with pytest.raises(ValidationError, match="部门筛查预警须由核实预警发起"):
        new_case(world, households["shuangnian"], channel="department_warning")
    with pytest.raises(ValidationError, match="脱贫户不能纳入为边缘易致贫户"):
        new_case(world, households["shuangnian"], monitor_type="marginal")


# --- green channel -------------------------------------------------------------------------------------------------

def test_green_channel_enrolls_at_once_and_tracks_the_skipped_steps(world, households):
    h = households["shuangnian"]
    case = new_case(world, h, green_cause="disaster", monitor_type="sudden_hardship")
    h.refresh_from_db()
    assert (h.category, h.monitor_type) == ("monitored", "sudden_hardship")
    items = {i.step: i for i in case.open_items.all()}
    assert set(items) == {"village", "township", "county"}
    assert {i.deadline for i in items.values()} == {TODAY + dt.timedelta(days=30)}
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)
    workflow.act(world.clerk, case, "submit", version=1, today=TODAY + dt.timedelta(days=5))
    assert set(OpenItem.objects.filter(case=case, done_at__isnull=True).values_list("step", flat=True)) == {
        "township", "county"}
    case.refresh_from_db()
    workflow.act(world.township, case, "approve", version=case.version, today=TODAY)
    case.refresh_from_db()
    workflow.act(world.county, case, "return", version=case.version, reason="补充材料", today=TODAY)
    assert set(OpenItem.objects.filter(case=case, done_at__isnull=True).values_list("step", flat=True)) == {
        "township", "county"}  # the township has to review again
    case.refresh_from_db()
    workflow.act(world.township, case, "approve", version=case.version, today=TODAY)
    case.refresh_from_db()
    workflow.act(world.county, case, "approve", version=case.version, today=TODAY)
    assert not OpenItem.objects.filter(case=case, done_at__isnull=True).exists()
    h.refresh_from_db()
    assert h.category == "monitored"


def test_green_channel_declined_afterwards_restores_the_household(world, households):
    h = households["shuangnian"]
    case = new_case(world, h, green_cause="epidemic", monitor_type="unstable")
    workflow.act(world.clerk, case, "decline", version=0, reason="核实后家庭收入稳定", today=TODAY)
    h.refresh_from_db()
    assert (h.category, h.monitor_type) == ("lifted", "")
    assert not OpenItem.objects.filter(case=case, done_at__isnull=True).exists()


# --- locking and concurrency ---------------------------------------------------------------------------------------

def test_a_stale_version_is_told_and_changes_nothing(world, households):
    case = put_in(new_case(world, households["shuangnian"]), "township")
    seen_by_first, seen_by_second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    workflow.act(world.township, seen_by_first, "approve", version=0, today=TODAY)
    second = type(world.township).objects.create(username="township2", role="township_reviewer",
                                                 org_unit_id=world.township.org_unit_id)
    with pytest.raises(workflow.Conflict, match="已被他人处理"):
        workflow.act(second, seen_by_second, "return", version=0, reason="x", today=TODAY)
    case.refresh_from_db()
    assert case.state == "county" and case.transitions.filter(action="return").count() == 0


def test_a_case_is_locked_while_a_level_decides(world, households):
    case = put_in(new_case(world, households["shuangnian"]), "township")
    second = type(world.township).objects.create(username="township2", role="township_reviewer",
                                                 org_unit_id=world.township.org_unit_id)
    assert workflow.claim(world.township, case)
    assert not workflow.claim(second, Case.objects.get(pk=case.pk))
    with pytest.raises(workflow.Conflict, match="正由township审核"):
        workflow.act(second, Case.objects.get(pk=case.pk), "approve", version=0, today=TODAY)
    Case.objects.filter(pk=case.pk).update(locked_at=timezone.now() - dt.timedelta(minutes=31))  # lapsed
    assert workflow.claim(second, Case.objects.get(pk=case.pk))
    assert not workflow.claim(world.clerk, Case.objects.get(pk=case.pk))  # not the village's turn


def test_the_loser_reloading_after_the_winner_still_gets_the_conflict(world, households):
    """The API handler reloads the case before acting: the state it sees is the winner's, the version the user sent is
    the one the user saw. The answer is 'someone else decided' (409), never 'no action possible here' (403)."""
    case = put_in(new_case(world, households["shuangnian"]), "township")
    workflow.act(world.township, Case.objects.get(pk=case.pk), "approve", version=0, today=TODAY)
    second = type(world.township).objects.create(username="township2", role="township_reviewer",
                                                 org_unit_id=world.township.org_unit_id)
    reloaded = Case.objects.get(pk=case.pk)  # now at the county: the township has no action here
    with pytest.raises(workflow.Conflict, match="已被他人处理"):
        workflow.act(second, reloaded, "return", version=0, reason="x", today=TODAY)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_wins(world, households):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the conditional update is the same code (see the stale-version test)")
    second = type(world.township).objects.create(username="township2", role="township_reviewer",
                                                 org_unit_id=world.township.org_unit_id)
    for attempt in range(10):
        h = make_household(SHUANGNIAN_CUN, f"R{attempt}")
        case = put_in(new_case(world, h), "township")
        barrier, outcomes = threading.Barrier(2), []

        def decide(user, action):
            try:
                version = Case.objects.get(pk=case.pk).version  # what the page showed
                barrier.wait()
                # what the handler does on the POST: load the case again, act with the version the user saw
                workflow.act(user, Case.objects.get(pk=case.pk), action, version=version, reason="并发", today=TODAY)
                outcomes.append("ok")
            except (workflow.Conflict, PermissionDenied) as e:
                outcomes.append(type(e).__name__)
            finally:
                connection.close()

        threads = [threading.Thread(target=decide, args=a) for a in ((world.township, "approve"), (second, "return"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["Conflict", "ok"], (attempt, outcomes)
        assert Transition.objects.filter(case=case).exclude(action="open").count() == 1


# --- elimination ---------------------------------------------------------------------------------------------------

def monitored_ready(world, h, *, months_ago=7):
    """A household enrolled `months_ago` months ago, with a cadre, a measure in progress and 2025 income above the
    line."""
    case = new_case(world, h)
    Case.objects.filter(pk=case.pk).update(state="done", closed_at=timezone.make_aware(
        dt.datetime.combine(TODAY - dt.timedelta(days=31 * months_ago), dt.time(10))))
    h.category, h.monitor_type = "monitored", "unstable"
    h.save()
    ContactCadre.objects.create(household=h, name="刘干部", unit="区农业农村局科员", phone="13800000000",
                                since=TODAY - dt.timedelta(days=200))
    Measure.objects.create(household=h, kind="employment", description="推荐到帮扶车间就业", status="in_progress",
                           start=TODAY - dt.timedelta(days=150), created_by=world.clerk)
    IncomeAccount.objects.create(household=h, year=2025, size=3, net_income=3 * 800_000, per_capita=800_000,
                                 line=700_000, band="above")
    return h


def test_elimination_refused_with_every_failing_criterion(world, households):
    h = households["shuangnian"]
    monitored_ready(world, h, months_ago=2)
    IncomeAccount.objects.filter(household=h).update(net_income=3 * 700_000 - 1, per_capita=699_999)
    Measure.objects.update(status="planned")
    Warning.objects.create(household=h, rule="job_lost", label="失业", period="2026-10-01", risk="income", reason="r",
                           source_count=1, deadline=TODAY)
    with pytest.raises(ValidationError) as e:
        workflow.open_case(world.clerk, h, kind="elimination", risk_causes="收入稳定", today=TODAY)
    text = " ".join(e.value.messages)
    assert "不满6个月" in text and "2025年人均纯收入6999.99元，未达到监测标准（7000.00元）" in text
    assert "尚无已实施或已完成的帮扶措施" in text and "有1条预警尚未核实" in text


def test_income_exactly_at_the_line_is_enough(world, households):
    h = monitored_ready(world, households["shuangnian"])
    IncomeAccount.objects.filter(household=h).update(net_income=3 * 700_000, per_capita=700_000)
    case = workflow.open_case(world.clerk, h, kind="elimination", risk_causes="务工收入稳定", today=TODAY)
    assert case.kind == "elimination" and case.state == "village"


def test_elimination_needs_the_last_year_accounted(world, households):
    h = monitored_ready(world, households["shuangnian"])
    IncomeAccount.objects.filter(household=h).update(year=2024)
    with pytest.raises(ValidationError, match="缺少2025年的收入核算"):
        workflow.open_case(world.clerk, h, kind="elimination", risk_causes="x", today=TODAY)


def test_elimination_through_three_levels_and_the_cadre_tie(world, households):
    from fangpin.monitoring import assistance

    h = monitored_ready(world, households["shuangnian"])
    with pytest.raises(ValidationError, match="帮扶责任不脱钩"):
        assistance.end_cadre(world.clerk, h, reason="调走")
    case = workflow.open_case(world.clerk, h, kind="elimination", risk_causes="务工收入稳定", today=TODAY)
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=APPRAISAL, today=TODAY)
    workflow.act(world.clerk, case, "submit", version=1, today=TODAY + dt.timedelta(days=5))
    workflow.act(world.township, case, "approve", version=2, today=TODAY)
    case.refresh_from_db()
    # Criteria are checked again when the county decides: a new open warning stops it.
    w = Warning.objects.create(household=h, rule="job_lost", label="失业", period="2026-11-20", risk="income",
                               reason="r", source_count=1, deadline=TODAY)
    with pytest.raises(ValidationError, match="预警尚未核实"):
        workflow.act(world.county, case, "approve", version=3, today=TODAY)
    w.delete()
    workflow.act(world.county, case, "approve", version=3, today=TODAY)
    h.refresh_from_db()
    assert h.risk_eliminated_on == TODAY and h.category == "monitored"  # stays visible, with its history
    assistance.end_cadre(world.clerk, h, reason="风险已消除")
    assert not h.contact_cadres.filter(until__isnull=True).exists()


def test_a_reviewer_hands_a_case_to_a_colleague_who_alone_acts_until_it_moves_on(world, households):
    from conftest import make_user

    case = put_in(new_case(world, households["shuangnian"]), "township")
    mate = make_user("township2", "township_reviewer", world.township.org_unit_id)
    other_township = make_user("township3", "township_reviewer", "140603100000")
    clerk = make_user("clerk9", "village_clerk", SHUANGNIAN_CUN)
    for wrong in (None, other_township, clerk, world.township):
        with pytest.raises(ValidationError, match="同事"):
            workflow.hand_over(world.township, case, wrong, version=case.version, reason="休假")
    with pytest.raises(ValidationError, match="移交原因"):
        workflow.hand_over(world.township, case, mate, version=case.version, reason=" ")
    with pytest.raises(PermissionDenied):
        workflow.hand_over(world.county, case, world.county, version=case.version, reason="x")  # not its turn
    case = workflow.hand_over(world.township, case, mate, version=case.version, reason="休假一周")
    assert case.assignee == mate and case.state == "township"
    t = case.transitions.last()
    assert (t.action, t.action_label, t.user, t.from_state, t.to_state) == (
        "hand_over", "移交同级同事经办", world.township, "township", "township")
    assert "移交township2经办：休假一周" == t.reason
    with pytest.raises(workflow.Conflict, match="version|已被他人处理"):
        workflow.hand_over(world.township, case, mate, version=case.version - 1, reason="again")
    assert not workflow.claim(world.township, Case.objects.get(pk=case.pk))
    with pytest.raises(workflow.Conflict, match="已移交township2经办"):
        workflow.act(world.township, Case.objects.get(pk=case.pk), "approve", version=case.version, today=TODAY)
    with pytest.raises(workflow.Conflict, match="只有经办人"):
        workflow.hand_over(world.township, Case.objects.get(pk=case.pk), mate, version=case.version, reason="x")
    assert workflow.claim(mate, Case.objects.get(pk=case.pk))
    case = workflow.act(mate, Case.objects.get(pk=case.pk), "approve", version=case.version, today=TODAY)
    assert case.state == "county" and case.assignee is None  # the next level decides as usual


def test_a_colleague_takes_over_from_a_deactivated_assignee(world, households):
    from conftest import make_user

    case = put_in(new_case(world, households["shuangnian"]), "township")
    mate = make_user("township2", "township_reviewer", world.township.org_unit_id)
    case = workflow.hand_over(world.township, case, mate, version=case.version, reason="调岗前移交")
    type(mate).objects.filter(pk=mate.pk).update(is_active=False)
    case = Case.objects.get(pk=case.pk)
    assert workflow.claim(world.township, case)
    assert workflow.act(world.township, case, "approve", version=case.version, today=TODAY).state == "county"
