"""Applications for "up to" benefits: the engine's ceiling, evidence, village, township and county, never above the
ceiling (service and database), and the round that pays what was approved."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conftest import SHUANGNIAN
from fangpin.payments import applications, approval, rounds
from fangpin.payments.models import Application, PaymentRound, RoundNotice, RoundPart, RoundRow

AS_OF = dt.date(2025, 6, 30)
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def courtyard(households):
    h = households["shuangnian"]  # lifted
    h.courtyard_economy = True
    h.save()
    return h


@pytest.fixture
def receipt(tmp_path):
    p = tmp_path / "验收记录.pdf"
    p.write_bytes(PDF)
    return [("验收记录.pdf", p)]


def apply(user, household, receipt, asked=150000, **kw):
    return applications.submit(user, document_id="sn2022-67", benefit_id="courtyard_economy_award",
                               household=household, asked=asked, purpose="庭院种植辣椒3分地，已验收",
                               evidence=receipt, as_of=AS_OF, **kw)


def through(world, app, *, verified=150000, approved=None):
    app = applications.act(world.clerk, app, "verify", version=app.version, amount=verified)
    app = applications.act(world.township, app, "approve", version=app.version)
    return applications.act(world.county, app, "approve", version=app.version, amount=approved)


def test_the_ceiling_is_the_engines_and_nothing_above_it_is_recorded(world, courtyard, receipt):
    with pytest.raises(ValidationError, match="超过政策上限2,000.00元"):
        apply(world.clerk, courtyard, receipt, asked=200001)
    app = apply(world.clerk, courtyard, receipt, asked=200000)  # the boundary: exactly the ceiling
    assert app.ceiling == 200000 and "每户不超过2000元" in app.ceiling_explanation and app.state == "village"
    with pytest.raises(ValidationError, match="不能超过申请金额"):
        applications.act(world.clerk, app, "verify", version=app.version, amount=200001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(verified=200001)  # the database refuses it as well
    app = through(world, app, verified=180000)
    assert app.state == "approved" and app.verified == 180000 and app.approved == 180000
    history = [h.history_change_reason for h in app.history.order_by("history_id")]
    assert history[0].startswith("登记申请") and any("核实1,800.00元" in x for x in history)


def test_a_household_that_does_not_qualify_cannot_apply(world, households, receipt):
    with pytest.raises(ValidationError, match="不能申请庭院经济以奖代补"):
        apply(world.clerk, households["shuangnian"], receipt)  # no courtyard economy registered


def test_evidence_is_required_and_checked_by_its_bytes(world, courtyard, tmp_path):
    with pytest.raises(ValidationError, match="请上传证明材料"):
        apply(world.clerk, courtyard, [])
    fake = tmp_path / "票据.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError, match="不是PDF、JPEG或PNG"):
        apply(world.clerk, courtyard, [("票据.pdf", fake)])
    assert not Application.objects.exists()


def test_levels_and_areas(world, courtyard, receipt):
    with pytest.raises(PermissionDenied):
        apply(world.clerk2, courtyard, receipt)  # another village's clerk
    app = apply(world.clerk, courtyard, receipt)
    with pytest.raises(PermissionDenied):
        applications.act(world.township, app, "approve", version=app.version)  # the village verifies first
    app = applications.act(world.clerk, app, "verify", version=app.version, amount=100000)
    with pytest.raises(applications.Conflict):
        applications.act(world.township, app, "approve", version=app.version - 1)
    with pytest.raises(ValidationError, match="须填写理由"):
        applications.act(world.township, app, "return", version=app.version)
    app = applications.act(world.township, app, "return", version=app.version, reason="票据不全")
    assert app.state == "village"


def test_approved_applications_of_a_year_stay_within_the_ceiling_together(world, courtyard, receipt):
    through(world, apply(world.clerk, courtyard, receipt, asked=150000))
    second = apply(world.clerk, courtyard, receipt, asked=100000)
    second = applications.act(world.clerk, second, "verify", version=second.version, amount=100000)
    second = applications.act(world.township, second, "approve", version=second.version)
    with pytest.raises(ValidationError, match="本次最多500.00元"):
        applications.act(world.county, second, "approve", version=second.version)
    second = applications.act(world.county, second, "approve", version=second.version, amount=50000)
    assert second.approved == 50000


def test_a_round_pays_the_approved_amounts_once(world, courtyard, receipt):
    app = through(world, apply(world.clerk, courtyard, receipt, asked=150000), verified=120000)
    rnd = rounds.create(world.county, title="庭院经济奖补", document_id="sn2022-67",
                        benefit_ids=["courtyard_economy_award"], as_of=AS_OF, area=SHUANGNIAN, run=rounds.compute)
    assert rnd.kind == PaymentRound.Kind.APPLICATION
    row = RoundRow.objects.get(round=rnd)
    assert row.amount == 120000 and row.application_id == app.pk and "县级审定1,200.00元" in row.explanation
    RoundNotice.objects.filter(round=rnd).update(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 7))
    part = RoundPart.objects.get(round=rnd)
    part = approval.act(world.township, part, "approve", version=part.version, today=dt.date(2025, 7, 8))
    approval.act(world.county, part, "approve", version=part.version, today=dt.date(2025, 7, 8))
    again = rounds.create(world.county, title="重复", document_id="sn2022-67", benefit_ids=["courtyard_economy_award"],
                          as_of=AS_OF, area=SHUANGNIAN, run=rounds.compute)
    assert RoundRow.objects.get(round=again).status == RoundRow.Status.EXCLUDED
