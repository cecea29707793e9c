"""Payment rounds: computed by the engine and frozen, corrected only with a reason and noticed again, reviewed and
approved level by level, and never paying one slot twice."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import SHUANGNIAN, WUJIAYAO
from fangpin.exchange import exporter
from fangpin.payments import approval, rounds
from fangpin.payments.models import Objection, Payment, PaymentRound, RoundNotice, RoundPart, RoundRow
from fangpin.policies import batch, catalog

AS_OF = dt.date(2025, 6, 30)
BENEFITS = ["consumption_voucher", "land_fertility_subsidy"]


@pytest.fixture
def facts(households):
    h = households["shuangnian"]
    h.contracted_land_mu = Decimal("10.50")
    h.save()
    return households


def new_round(user, area=SHUANGNIAN, benefits=BENEFITS, title="2025年第一批"):
    return rounds.create(user, title=title, document_id="sn2022-67", benefit_ids=benefits, as_of=AS_OF, area=area,
                         run=rounds.compute)


def included(rnd):
    return RoundRow.objects.filter(round=rnd, status=RoundRow.Status.INCLUDED)


def test_a_round_pays_what_evaluate_computes_on_the_same_rows_to_the_fen(world, facts, tmp_path):
    rnd = new_round(world.county)
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.OPEN, rnd.error
    # the same households as an exchange file, through `fangpin evaluate`'s path
    path = Path(tmp_path) / "area.json"
    with path.open("w", encoding="utf-8") as fh:
        exporter.write_json(world.county, fh)
    doc = catalog.load_catalog()["sn2022-67"]
    got = batch.evaluate(doc, path, AS_OF)
    expected = {}
    for r in got["results"]:
        if r["benefit_id"] in BENEFITS:
            expected[r["benefit_id"]] = expected.get(r["benefit_id"], 0) + r["amount"]
    paid = {}
    for r in included(rnd):
        paid[r.benefit_id] = paid.get(r.benefit_id, 0) + r.amount
    assert paid == expected and expected  # 1,500 yuan to the monitored member, 10.5 mu x 67 yuan to the other
    assert paid == {"consumption_voucher": 150000, "land_fertility_subsidy": 70350}
    assert rnd.rows == 2 and rnd.amount == 220350 and rnd.households == 2


def test_each_row_is_frozen_with_its_explanation_facts_and_payee(world, facts):
    rnd = new_round(world.county)
    row = included(rnd).get(benefit_id="land_fertility_subsidy")
    assert row.payee_name == "王建国" and row.household_id == facts["shuangnian"].pk and row.member_id is None
    assert "10.50亩" in row.explanation or "10.5亩" in row.explanation
    assert row.facts["household"]["contracted_land_mu"] == "10.50"
    assert row.facts["household"]["dibao"] is False and row.facts["household"]["village_code"] == "140603203200"
    voucher = included(rnd).get(benefit_id="consumption_voucher")
    assert voucher.payee_name == "李秀英" and voucher.member.household_id == facts["wujiayao"].pk
    assert voucher.facts["household"]["category"] == "monitored" and voucher.period == "P20220812"
    assert voucher.facts["member"]["relation"] == "head" and voucher.id_number
    for part in voucher.facts.values():  # the payee's keys and name are the row's columns, masked there by role
        assert not set(part) & {"household_number", "id_number", "credit_code", "name"}
    assert voucher.village_id == WUJIAYAO and voucher.part.township_id == SHUANGNIAN


def test_notices_run_the_notice_days_from_data(world, facts):
    child = facts["shuangnian"].members.exclude(relation="head").first()
    child.tekun = True  # a second row in 双碾村: one notice per village all the same
    child.save()
    rnd = new_round(world.county)
    assert RoundRow.objects.filter(round=rnd, village_id=facts["shuangnian"].village_id).count() == 2
    notices = list(RoundNotice.objects.filter(round=rnd))
    assert len(notices) == 2 and rnd.notice_days == rounds.rules()["notice_days"]
    assert all((n.end - n.start).days == rnd.notice_days - 1 for n in notices)


def test_a_village_with_several_rows_has_one_notice(world, facts):
    h = facts["wujiayao"]
    h.contracted_land_mu = Decimal("2.00")
    h.save()
    rnd = new_round(world.county)
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.OPEN, rnd.error
    assert included(rnd).filter(village_id=WUJIAYAO).count() == 2
    assert RoundNotice.objects.filter(round=rnd, village_id=WUJIAYAO).count() == 1


def test_a_registry_change_never_changes_a_round_but_shows_as_a_difference(world, facts):
    rnd = new_round(world.county)
    h = facts["shuangnian"]
    h.contracted_land_mu = Decimal("20.00")
    h.save()
    row = included(rnd).get(benefit_id="land_fertility_subsidy")
    assert row.amount == 70350  # frozen
    diff = rounds.differences(world.county, rnd, household_id=h.pk)
    (old, new), = diff["changed"]
    assert old["amount"] == 70350 and new["amount"] == 134000 and not diff["added"] and not diff["gone"]
    with pytest.raises(ValidationError):
        rounds.pull_in(world.county, rnd, household_id=h.pk, reason="  ")
    assert rounds.pull_in(world.clerk, rnd, household_id=h.pk, reason="承包地面积更正为20亩") == 1
    row.refresh_from_db()
    assert row.status == RoundRow.Status.REPLACED
    new_row = included(rnd).get(benefit_id="land_fertility_subsidy")
    assert new_row.amount == 134000 and new_row.replaces_id == row.pk
    rnd.refresh_from_db()
    assert rnd.amount == 150000 + 134000
    notice = RoundNotice.objects.get(round=rnd, village_id=h.village_id)
    assert notice.times == 2 and (notice.rows, notice.amount) == (1, 134000)  # the village's own totals, kept
    assert RoundNotice.objects.get(round=rnd, village_id=WUJIAYAO).amount == 150000


def test_a_clerk_corrects_only_the_own_village(world, facts):
    rnd = new_round(world.county)
    voucher = included(rnd).get(benefit_id="consumption_voucher")  # 吴家窑村
    with pytest.raises(PermissionDenied):
        rounds.withdraw(world.clerk, voucher, reason="不符合")
    rounds.withdraw(world.clerk2, voucher, reason="已死亡，核减")
    voucher.refresh_from_db()
    assert voucher.status == RoundRow.Status.WITHDRAWN and voucher.status_reason == "已死亡，核减"


def test_objections_hold_the_township_until_answered_and_the_notice_is_over(world, facts):
    rnd = new_round(world.county)
    part = RoundPart.objects.get(round=rnd)
    row = included(rnd).get(benefit_id="land_fertility_subsidy")
    objection = rounds.raise_objection(world.clerk, row, who="村民张某", text="承包地面积不对")
    after_notice = RoundNotice.objects.filter(round=rnd).order_by("-end").first().end + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="异议尚未处理"):
        approval.act(world.township, part, "approve", version=part.version, today=after_notice)
    with pytest.raises(ValidationError, match="请填写处理意见"):
        rounds.answer_objection(world.clerk, objection, outcome="dismissed", answer="")
    rounds.answer_objection(world.clerk, objection, outcome=Objection.Outcome.DISMISSED, answer="经核实面积无误")
    last_day = after_notice - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="公示至"):
        approval.act(world.township, part, "approve", version=part.version, today=last_day)  # the last day is noticed
    part = approval.act(world.township, part, "approve", version=part.version, today=after_notice)
    assert part.state == RoundPart.State.COUNTY


def test_an_objection_upheld_withdraws_the_row_and_renotices(world, facts):
    rnd = new_round(world.county)
    row = included(rnd).get(benefit_id="consumption_voucher")
    objection = rounds.raise_objection(world.clerk2, row, who="匿名", text="已外出定居")
    rounds.answer_objection(world.clerk2, objection, outcome=Objection.Outcome.WITHDRAWN, answer="核实属实")
    row.refresh_from_db()
    assert row.status == RoundRow.Status.WITHDRAWN
    assert RoundNotice.objects.get(round=rnd, village_id=WUJIAYAO).times == 2
    rnd.refresh_from_db()
    assert rnd.rows == 1 and rnd.amount == 70350


def test_a_corrected_objection_needs_a_changed_registry(world, facts):
    rnd = new_round(world.county)
    row = included(rnd).get(benefit_id="land_fertility_subsidy")
    objection = rounds.raise_objection(world.clerk, row, who="王建国", text="面积少算了")
    with pytest.raises(ValidationError, match="没有变化"):
        rounds.answer_objection(world.clerk, objection, outcome=Objection.Outcome.CORRECTED, answer="面积应为12亩")
    h = facts["shuangnian"]
    h.contracted_land_mu = Decimal("12.00")
    h.save()
    rounds.answer_objection(world.clerk, objection, outcome=Objection.Outcome.CORRECTED, answer="面积应为12亩")
    assert included(rnd).get(benefit_id="land_fertility_subsidy").amount == 80400


def approve_all(world, rnd):
    today = RoundNotice.objects.filter(round=rnd).order_by("-end").first().end + dt.timedelta(days=1)
    for part in RoundPart.objects.filter(round=rnd):
        part = approval.act(world.township, part, "approve", version=part.version, today=today)
        approval.act(world.county, part, "approve", version=part.version, today=today)
    rnd.refresh_from_db()
    return rnd


def test_no_level_is_skipped_and_a_stale_version_is_a_conflict(world, facts):
    rnd = new_round(world.county)
    part = RoundPart.objects.get(round=rnd)
    today = RoundNotice.objects.order_by("-end").first().end + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied, match="县级可进行的操作：无"):
        approval.act(world.county, part, "approve", version=part.version, today=today)
    with pytest.raises(PermissionDenied):
        approval.act(world.clerk, part, "approve", version=part.version, today=today)
    seen = part.version
    part = approval.act(world.township, part, "approve", version=seen, today=today)
    with pytest.raises(approval.Conflict):
        approval.act(world.township, part, "approve", version=seen, today=today)
    with pytest.raises(ValidationError, match="退回须填写理由"):
        approval.act(world.county, part, "return", version=part.version, today=today)
    part = approval.act(world.county, part, "return", version=part.version, reason="面积核实不清", today=today)
    assert part.state == RoundPart.State.TOWNSHIP
    part = approval.act(world.township, part, "return", version=part.version, reason="请村里核实", today=today)
    assert part.state == RoundPart.State.NOTICE
    rounds.withdraw(world.clerk, included(rnd).get(benefit_id="land_fertility_subsidy"), reason="面积待核实")
    rnd = approve_all(world, rnd)
    assert rnd.state == PaymentRound.State.APPROVED
    assert list(included(rnd).values_list("payment__held", flat=True)) == [True]
    labels = list(rnd.events.values_list("label", flat=True))
    assert any("退回乡镇" in x for x in labels) and any("退回村级" in x for x in labels) and "各乡镇名单均已审定，批次审定" in labels


def test_another_township_cannot_review_this_part(world, facts):
    from conftest import make_user

    rnd = new_round(world.county)
    part = RoundPart.objects.get(round=rnd)
    stranger = make_user("t2", "township_reviewer", world.other_township_village[:9] + "000")
    today = RoundNotice.objects.order_by("-end").first().end + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        approval.act(stranger, part, "approve", version=part.version, today=today)
    with pytest.raises(PermissionDenied):
        approval.act(world.other_county, part, "approve", version=part.version, today=today)


def test_a_slot_held_by_an_approved_round_is_excluded_from_the_next(world, facts):
    first = approve_all(world, new_round(world.county))
    second = new_round(world.county, title="补发")
    rows = RoundRow.objects.filter(round=second)
    assert {r.status for r in rows} == {RoundRow.Status.EXCLUDED}
    assert all(r.status_reason == f"已在第{first.pk}批兑现" for r in rows)
    second.refresh_from_db()
    assert second.rows == 0 and second.amount == 0


def test_a_slot_of_another_period_or_benefit_excludes_nothing(world, facts):
    first = approve_all(world, new_round(world.county))
    land = Payment.objects.get(round=first, benefit_id="land_fertility_subsidy")
    Payment.objects.filter(pk=land.pk).update(period="2024")  # last year's land subsidy to the same household
    Payment.objects.filter(round=first, benefit_id="consumption_voucher").update(held=False)  # a failed voucher
    second = new_round(world.county, title="第二批")
    assert {r.status for r in RoundRow.objects.filter(round=second)} == {RoundRow.Status.INCLUDED}
    Payment.objects.filter(pk=land.pk).update(period="2025")  # the year's own: excluded, the voucher still not
    third = new_round(world.county, title="第三批")
    assert dict(RoundRow.objects.filter(round=third).values_list("benefit_id", "status")) == {
        "land_fertility_subsidy": RoundRow.Status.EXCLUDED, "consumption_voucher": RoundRow.Status.INCLUDED}


def test_two_open_rounds_for_the_same_slots_cannot_both_be_approved(world, facts):
    first, second = new_round(world.county), new_round(world.county, title="重复批次")
    approve_all(world, first)
    part = RoundPart.objects.get(round=second)
    today = RoundNotice.objects.filter(round=second).order_by("-end").first().end + dt.timedelta(days=1)
    part = approval.act(world.township, part, "approve", version=part.version, today=today)
    with pytest.raises(approval.Conflict, match=f"已在第{first.pk}批兑现"):
        approval.act(world.county, part, "approve", version=part.version, today=today)
    part.refresh_from_db()
    assert part.state == RoundPart.State.COUNTY and not Payment.objects.filter(round=second).exists()


def test_who_may_start_a_round_and_what_it_may_pay(world, facts):
    with pytest.raises(PermissionDenied):
        new_round(world.clerk)
    with pytest.raises(PermissionDenied):
        new_round(world.other_county)
    with pytest.raises(ValidationError, match="单独成批"):
        new_round(world.county, benefits=["courtyard_economy_award", "land_fertility_subsidy"])
    with pytest.raises(ValidationError, match="不适用"):
        new_round(world.county, area=world.other_township_village)
    with pytest.raises(ValidationError):
        rounds.create(world.county, title="x", document_id="sn2022-67", benefit_ids=BENEFITS,
                      as_of=dt.date(2026, 6, 30), area=SHUANGNIAN, run=rounds.compute)  # the document has lapsed
    assert not PaymentRound.objects.exists()


def test_the_worker_computes_a_queued_round(world, facts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rnd = rounds.create(world.county, title="后台计算", document_id="sn2022-67", benefit_ids=BENEFITS, as_of=AS_OF,
                            area=SHUANGNIAN)
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.OPEN and rnd.rows == 2


def test_rounds_and_rows_are_seen_by_area(world, facts):
    rnd = new_round(world.county)
    assert list(rounds.rounds_visible(world.leader)) == [rnd]
    assert list(rounds.rounds_visible(world.clerk)) == [rnd]
    assert not rounds.rounds_visible(world.other_county).exists()
    assert not rounds.rounds_visible(world.department).exists()
    assert [r.benefit_id for r in rounds.rows_visible(world.clerk, rnd)] == ["land_fertility_subsidy"]
    assert rounds.rows_visible(world.county, rnd).count() == 2


def hold(rnd) -> list[Payment]:
    """Payments for the round's included rows, written directly (what the county's approval writes)."""
    return Payment.objects.bulk_create(
        Payment(row=r, round_id=r.round_id, village_id=r.village_id, household_id=r.household_id, member_id=r.member_id,
                amount=r.amount, benefit_id=r.benefit_id, payee_key=r.payee_key, period=r.period,
                occurrence=r.occurrence) for r in RoundRow.objects.filter(round=rnd, status="included"))


def test_the_database_refuses_a_second_held_payment_for_a_slot(world, facts):
    from django.db import IntegrityError, transaction

    first, second = new_round(world.county), new_round(world.county, title="b")
    assert len(hold(first)) == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        hold(second)
    voucher = Payment.objects.get(round=first, benefit_id="consumption_voucher")
    for change in ({"status": "failed"},  # failed while still held: the slot would never be freed
                   {"status": "pending"},  # sent to the bank in no file
                   {"status": "paid", "file": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.filter(pk=voucher.pk).update(**change)
    # freed (failed at the bank), the slot takes the second round's payment
    Payment.objects.filter(round=first).update(held=False)
    assert len(hold(second)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_rounds_approved_at_once_pay_each_slot_once(world, facts):
    """Two rounds with the same rows, each at its county's approval, approved by two users at the same moment: the
    unique index lets exactly one hold the rows; the other fails naming them, and holds nothing."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the same index refuses the second (test above)")
    from conftest import make_user

    second_user = make_user("county2", "county_bureau", world.county.org_unit_id)
    for attempt in range(5):
        Payment.objects.update(held=False)
        a, b = new_round(world.county, title=f"A{attempt}"), new_round(world.county, title=f"B{attempt}")
        today = RoundNotice.objects.order_by("-end").first().end + dt.timedelta(days=1)
        parts = []
        for rnd in (a, b):
            part = RoundPart.objects.get(round=rnd)
            parts.append(approval.act(world.township, part, "approve", version=part.version, today=today))
        barrier, outcomes = threading.Barrier(2), []

        def decide(user, part):
            try:
                barrier.wait()
                approval.act(user, RoundPart.objects.get(pk=part.pk), "approve", version=part.version, today=today)
                outcomes.append("ok")
            except approval.Conflict as e:
                outcomes.append("Conflict" if "已在第" in str(e) else str(e))
            finally:
                connection.close()

        threads = [threading.Thread(target=decide, args=(u, p)) for u, p in zip((world.county, second_user), parts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["Conflict", "ok"], (attempt, outcomes)
        held = Payment.objects.filter(round__in=[a, b], held=True)
        assert held.count() == 2 and len({r.round_id for r in held}) == 1
        loser = b if held.first().round_id == a.pk else a
        assert RoundPart.objects.get(round=loser).state == RoundPart.State.COUNTY


def test_the_year_end_gap_round_pays_the_gap_after_income_accounting(world, facts):
    """第30条: each lifted or monitored household whose per-capita net income stays below the year's line is paid the
    gap, explained by its own figures; only on 31 December, only after the year's income accounting."""
    from fangpin.monitoring import services as monitoring_services
    from fangpin.policies import parameters
    from fangpin.registry.models import IncomeRecord

    parameters.set_value(world.county, "sn2022-67", "monitoring_line", dt.date(2025, 1, 1), "7000", "省里2025年标准")
    h = facts["shuangnian"]  # three persons, lifted
    IncomeRecord.objects.create(household=h, year=2025, wage=1500000)  # 5,000 yuan a head: 2,000 below the line
    IncomeRecord.objects.create(household=facts["wujiayao"], year=2025, wage=800000)  # one person: above the line

    def gap_round(as_of=dt.date(2025, 12, 31)):
        return rounds.create(world.county, title="2025年防贫保险差额补偿", document_id="sn2022-67",
                             benefit_ids=["income_gap_compensation"], as_of=as_of, area=SHUANGNIAN, run=rounds.compute)

    with pytest.raises(ValidationError, match="尚未核算"):
        gap_round()
    monitoring_services.recompute(world.county, 2025)
    with pytest.raises(ValidationError, match="12月31日"):
        gap_round(dt.date(2025, 12, 30))
    with pytest.raises(ValidationError, match="单独成批"):
        rounds.create(world.county, title="x", document_id="sn2022-67",
                      benefit_ids=["income_gap_compensation", "land_fertility_subsidy"], as_of=dt.date(2025, 12, 31),
                      area=SHUANGNIAN, run=rounds.compute)
    rnd = gap_round()
    assert rnd.kind == PaymentRound.Kind.GAP
    row, = included(rnd)
    assert row.household_id == h.pk and row.amount == 600000  # (7,000 - 5,000) x 3
    assert "家庭纯收入15000元" in row.explanation and "人均5000元" in row.explanation and "7000元" in row.explanation


def test_a_return_may_answer_part_of_a_file_and_the_rest_stays_pending(world, facts, tmp_path):
    from fangpin.payments import accounts, bankfiles, disbursement

    rnd = approve_all(world, new_round(world.county))
    for user, row in ((world.clerk, included(rnd).get(benefit_id="land_fertility_subsidy")),
                      (world.clerk2, included(rnd).get(benefit_id="consumption_voucher"))):
        member = row.member or row.household.members.get(relation="head")
        accounts.set_account(user, member, kind="one_card", bank="农商行", number=f"70000000000{row.pk:02d}",
                             holder=member.name)
    f, = disbursement.issue(world.county, rnd, layout="generic_csv")
    first, second = disbursement.lines_of(f)
    layout = bankfiles.layouts()["generic_csv"]

    def bank_return(name, results):
        path = tmp_path / name
        with path.open("wb") as fh:
            bankfiles.simulate_return(layout, results, fh, paid_on=dt.date(2025, 7, 20))
        return disbursement.import_return(world.county, f, path, name)

    assert bank_return("r1.csv", [(first, "成功", "")]).paid == 1
    status = dict(Payment.objects.filter(file=f).values_list("row_id", "status"))
    assert status == {disbursement.row_of(first.reference): "paid", disbursement.row_of(second.reference): "pending"}
    assert bank_return("r2.csv", [(second, "失败", "账户冻结")]).failed == 1
    failed = Payment.objects.get(pk=disbursement.row_of(second.reference))
    assert (failed.status, failed.held, failed.paid_on) == ("failed", False, None)
    assert Payment.objects.get(pk=disbursement.row_of(first.reference)).paid_on is not None
    rnd.refresh_from_db()
    assert (rnd.state, rnd.failed) == (PaymentRound.State.ISSUED, 1)  # the failed row waits for its reissue


def test_the_audit_runs_on_the_systems_own_ledger(world, facts):
    """`audit` with the payments the system holds instead of a file: an approved payment counts as paid (nothing
    应享未享 for it); once the bank fails it (the slot freed), the household is owed again."""
    rnd = approve_all(world, new_round(world.county))
    doc = catalog.load_catalog()["sn2022-67"]

    def missed():
        got = batch.audit_registry(world.county, doc, SHUANGNIAN, None, AS_OF)
        return got["payments"], {f["benefit_id"] for f in got["findings"] if f["finding"] == "应享未享"}

    payments, owed = missed()
    assert payments == 2 and not owed & set(BENEFITS)
    Payment.objects.filter(round=rnd, benefit_id="land_fertility_subsidy").update(held=False)
    payments, owed = missed()
    assert payments == 1 and "land_fertility_subsidy" in owed and "consumption_voucher" not in owed
    assert not batch.audit_registry(world.other_county, doc, SHUANGNIAN, None, AS_OF)["payments"]  # not its area


def test_the_ledger_audit_through_the_api(world, facts):
    from django.test import Client

    approve_all(world, new_round(world.county))
    c = Client()
    c.force_login(world.county)
    r = c.get(f"/api/payments/ledger/audit?document=sn2022-67&as_of=2025-06-30&area={SHUANGNIAN}")
    assert r.status_code == 200 and r.json()["payments"] == 2 and r.json()["households"] >= 2
    assert c.get("/api/payments/ledger/audit?document=sn2022-67&as_of=2025-13-01").status_code == 400
    c.force_login(world.clerk)  # a village may read payments but not audit
    assert c.get("/api/payments/ledger/audit?document=sn2022-67&as_of=2025-06-30").status_code == 403


def test_slots_number_a_payees_repeated_rows_in_order_and_the_rest_once():
    import polars as pl

    doc = catalog.load_catalog()["sn2022-67"]
    results = pl.DataFrame({
        "benefit_id": ["land_fertility_subsidy", "consumption_voucher", "land_fertility_subsidy",
                       "land_fertility_subsidy", "land_fertility_subsidy", "consumption_voucher"],
        "household_number": ["H1", "H1", "H2", "H1", "H1", "H1"],
        "id_number": [None, "P1", None, None, None, "P2"],
        "credit_code": [None, None, None, None, "C1", None],
        "year": [2025] * 6,
    })
    got = rounds.slot_columns(doc, results)
    assert got["payee_key"].to_list() == ["H1", "P1", "H2", "H1", "C1", "P2"]
    assert got["period"].to_list() == ["2025", "P20220812", "2025", "2025", "2025", "P20220812"]
    assert got["occurrence"].to_list() == [1, 1, 1, 2, 1, 1]  # H1's second land row is its second occurrence
    assert rounds.slot_columns(doc, results.head(3))["occurrence"].to_list() == [1, 1, 1]
    assert rounds.slot_columns(doc, results.clear())["occurrence"].to_list() == []
