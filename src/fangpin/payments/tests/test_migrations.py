"""Migration 0006 moves what a round's rows carried after the approval (slot held, file, account, bank status) to their
payments: a database with paid and failed rows keeps them."""
import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0005_notice_totals")]
AFTER = [("payments", "0006_payment_state")]


@pytest.fixture
def back_to_latest():
    """The database at every app's latest migration again after the test: the tests after it expect that schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_held_and_issued_rows_become_payments(world, back_to_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Round, Part, Row, File = (apps.get_model("payments", m) for m in ("PaymentRound", "RoundPart", "RoundRow",
                                                                      "DisbursementFile"))
    rnd = Round.objects.create(title="旧批次", county_id="140603000000", area_id="140603203000", document_id="sn2022-67",
                               document_number="双发〔2022〕67号", benefit_ids=["land_fertility_subsidy"],
                               as_of=dt.date(2025, 6, 30), year=2025, notice_days=7, state="issued",
                               created_by_id=world.county.pk)
    part = Part.objects.create(round=rnd, township_id="140603203000", state="approved")
    f = File.objects.create(round=rnd, bank="农商行", layout="generic_csv", rows=2, total=300, sha256="0" * 64, path="x",
                            filename="x.csv", created_by_id=world.county.pk)
    common = dict(round=rnd, part=part, village_id="140603203200", payee_name="王建国", year=2025, benefit_id="b",
                  benefit_name="补贴", clause=5, amount=150, explanation="依据", period="2025", status="included")
    paid = Row.objects.create(**common, payee_key="A", facts={"household": {"category": "lifted", "grain_area_mu": "8.50"}},
                              held=True, bank_status="paid", disbursement=f,
                              account_number="7000000000001", bank="农商行", holder="王建国", paid_on=dt.date(2025, 7, 9))
    failed = Row.objects.create(**common, payee_key="B", held=False, bank_status="failed", bank_reason="账户冻结",
                                disbursement=f, account_number="7000000000002", bank="农商行", holder="王建国")
    held = Row.objects.create(**common, payee_key="C", held=True)
    noticed = Row.objects.create(**common, payee_key="D")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    after = executor.loader.project_state(AFTER).apps
    Payment = after.get_model("payments", "Payment")
    assert after.get_model("payments", "RoundRow").objects.get(pk=paid.pk).facts == {
        "household": {"category": "lifted", "grain_area_mu": "8.50"}}  # jsonb kept as JSON text, read back as before
    got = {p.row_id: p for p in Payment.objects.all()}
    assert set(got) == {paid.pk, failed.pk, held.pk}  # a row still in its notice has no payment
    assert (got[paid.pk].status, got[paid.pk].held, got[paid.pk].file_id, got[paid.pk].account_number,
            got[paid.pk].paid_on, got[paid.pk].payee_key) == ("paid", True, f.pk, "7000000000001", dt.date(2025, 7, 9),
                                                              "A")
    assert (got[failed.pk].status, got[failed.pk].held, got[failed.pk].reason, got[failed.pk].amount) == (
        "failed", False, "账户冻结", 150)
    assert (got[held.pk].status, got[held.pk].held, got[held.pk].file_id, got[held.pk].village_id) == (
        "", True, None, "140603203200")
    assert noticed.pk not in got
