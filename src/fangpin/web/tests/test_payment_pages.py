"""The payment pages end to end on the test client: a county creates a round, a village records and answers an
objection, the township and the county approve, the county issues the bank file and imports the bank's return (one row
failed), the ledger shows what was paid, and the failed row is reissued."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.payments import accounts, bankfiles, disbursement
from fangpin.payments.models import DisbursementFile, Payment, PaymentRound, RoundNotice, RoundPart, RoundRow

CARD = "6222020200112233445"  # a Luhn-valid 19-digit card number


def luhn(prefix: str) -> str:
    from fangpin.lib import bankcard

    return next(prefix + str(d) for d in range(10) if bankcard.luhn_ok(prefix + str(d)))


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def ready(world, households):
    h = households["shuangnian"]
    h.contracted_land_mu = Decimal("10.50")
    h.save()
    head = h.members.get(relation="head")
    accounts.set_account(world.clerk, head, kind="bank_card", bank="中国农业银行", number=luhn("622848001234567890"),
                         holder=head.name)
    return households


def create_round(world, django_capture_on_commit_callbacks) -> PaymentRound:
    c = client_for(world.county)
    page = c.get("/payments/new/?document=sn2022-67")
    assert page.status_code == 200 and "爱心消费券" in page.content.decode()
    assert "庭院经济以奖代补（第5条）：按审定的申请兑现" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/payments/new/", {"title": "2025年消费券和地力补贴", "document": "sn2022-67",
                                      "benefits": ["consumption_voucher", "land_fertility_subsidy"],
                                      "as_of": "2025-06-30", "area": SHUANGNIAN})
    assert r.status_code == 302, r.content.decode()[:2000]
    rnd = PaymentRound.objects.get()
    assert r.url == f"/payments/{rnd.pk}/" and rnd.state == PaymentRound.State.OPEN
    return rnd


def end_notices(rnd):
    RoundNotice.objects.filter(round=rnd).update(start=dt.date.today() - dt.timedelta(days=10),
                                                 end=dt.date.today() - dt.timedelta(days=3))


def approve(world, rnd):
    for user in (world.township, world.county):
        for part in RoundPart.objects.filter(round=rnd):
            r = client_for(user).post(f"/payments/{rnd.pk}/parts/{part.pk}/",
                                      {"action": "approve", "version": part.version, "reason": ""})
            assert r.status_code == 302


def test_a_full_round_from_the_pages(world, ready, django_capture_on_commit_callbacks, tmp_path):
    rnd = create_round(world, django_capture_on_commit_callbacks)
    county, clerk = client_for(world.county), client_for(world.clerk)
    detail = county.get(f"/payments/{rnd.pk}/").content.decode()
    assert "2户，2人次，2,203.50元" in detail and "双碾村" in detail

    # the village's notice, masked for everyone; Excel and PDF
    notice = clerk.get(f"/payments/{rnd.pk}/notices/{SHUANGNIAN_CUN}/")
    text = notice.content.decode()
    head = ready["shuangnian"].members.get(relation="head")
    assert notice.status_code == 200 and "王建国" in text and head.id_number not in text and "703.50" in text
    assert "双碾乡双碾村委会<" in text and "委会村民委员会" not in text  # signed once by the committee
    rows_page = county.get(f"/payments/{rnd.pk}/rows/?round={rnd.pk}").content.decode()
    assert f"户编号{ready['shuangnian'].number}" in rows_page  # a household's benefit names the household
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(clerk.get(f"/payments/{rnd.pk}/notices/{SHUANGNIAN_CUN}/?format=xlsx").streaming_content)))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "王建国" in cells and head.id_number not in cells and 703.5 in cells
    pdf = clerk.get(f"/payments/{rnd.pk}/notices/{SHUANGNIAN_CUN}/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # an objection, answered; the township cannot approve before the notice is over
    row = RoundRow.objects.get(round=rnd, benefit_id="land_fertility_subsidy")
    r = clerk.post(f"/payments/rows/{row.pk}/", {"what": "object", "who": "村民", "text": "面积有误"})
    assert r.status_code == 302
    part = RoundPart.objects.get(round=rnd)
    r = client_for(world.township).post(f"/payments/{rnd.pk}/parts/{part.pk}/",
                                        {"action": "approve", "version": part.version}, follow=True)
    assert "公示至" in r.content.decode() and "异议尚未处理" in r.content.decode()
    objection = row.objections.get()
    r = clerk.post(f"/payments/rows/{row.pk}/", {"what": "answer", "objection": objection.pk, "outcome": "dismissed",
                                                 "answer": "经核实面积无误"})
    assert r.status_code == 302
    end_notices(rnd)
    approve(world, rnd)
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.APPROVED

    # the bank file: only the payee with an account; the other waits
    r = county.post(f"/payments/{rnd.pk}/issue/", {"layout": "generic_csv", "paid_on": "2025-07-10"}, follow=True)
    assert "已生成代发文件：中国农业银行1笔" in r.content.decode() and "1行领取人尚未登记收款账户" in r.content.decode()
    f = DisbursementFile.objects.get()
    body = b"".join(county.get(f"/payments/files/{f.pk}/").streaming_content)
    import hashlib
    assert hashlib.sha256(body).hexdigest() == f.sha256 and f.total == 70350 and f.rows == 1
    assert f.paid_on == dt.date(2025, 7, 10) and "<td>2025-07-10</td>" in r.content.decode()
    # the form offers the last file's layout again, and its date unless that is past
    soon = dt.date.today() + dt.timedelta(days=3)
    DisbursementFile.objects.filter(pk=f.pk).update(paid_on=soon)
    page = county.get(f"/payments/{rnd.pk}/").content.decode()
    assert f'value="{soon:%Y-%m-%d}"' in page and 'value="generic_csv" selected' in page
    DisbursementFile.objects.filter(pk=f.pk).update(paid_on=dt.date(2025, 7, 10))
    assert f'value="{dt.date.today():%Y-%m-%d}"' in county.get(f"/payments/{rnd.pk}/").content.decode()

    # the voucher payee records an account; a second file takes that row
    voucher = RoundRow.objects.get(round=rnd, benefit_id="consumption_voucher")
    accounts.set_account(world.clerk2, voucher.member, kind="one_card", bank="山西农信", number="7012345678901",
                         holder=voucher.member.name, since=dt.date.today() - dt.timedelta(days=5))
    county.post(f"/payments/{rnd.pk}/issue/", {"layout": "yikatong", "paid_on": "2025-07-11"})
    second = DisbursementFile.objects.get(bank="山西农信")

    # a bad return (the amount changed) is refused with the row and column, and nothing is written
    layout = bankfiles.layouts()["generic_csv"]
    line = bankfiles.PayLine(reference=disbursement.reference(rnd.pk, row.pk), name="王建国",
                             account_number=Payment.objects.get(pk=row.pk).account_number, bank="中国农业银行",
                             amount=70351, id_number="", benefit="耕地地力保护补贴", basis="", village="双碾村")
    bad = tmp_path / "bad.csv"
    with bad.open("wb") as fh:
        bankfiles.simulate_return(layout, [(line, "成功", "")], fh, paid_on=dt.date(2025, 7, 12))
    with bad.open("rb") as fh:
        r = county.post(f"/payments/files/{f.pk}/return/", {"file": fh}, follow=True)
    assert "第2行" in r.content.decode() and "金额" in r.content.decode()
    assert Payment.objects.get(pk=row.pk).status == "pending"

    good = tmp_path / "good.csv"
    from dataclasses import replace
    with good.open("wb") as fh:
        bankfiles.simulate_return(layout, [(replace(line, amount=70350), "成功", "")], fh, paid_on=dt.date(2025, 7, 12))
    with good.open("rb") as fh:
        r = county.post(f"/payments/files/{f.pk}/return/", {"file": fh}, follow=True)
    assert "成功1笔，失败0笔" in r.content.decode()

    yk = bankfiles.layouts()["yikatong"]
    paid = Payment.objects.get(pk=voucher.pk)
    vline = bankfiles.PayLine(reference=disbursement.reference(rnd.pk, voucher.pk), name=paid.holder,
                              account_number=paid.account_number, bank="山西农信", amount=150000, id_number="",
                              benefit="爱心消费券", basis="", village="吴家窑村")
    failed = tmp_path / "failed.txt"
    with failed.open("wb") as fh:
        bankfiles.simulate_return(yk, [(vline, "3001", "账户已销户")], fh, paid_on=dt.date(2025, 7, 12))
    with failed.open("rb") as fh:
        r = county.post(f"/payments/files/{second.pk}/return/", {"file": fh}, follow=True)
    assert "成功0笔，失败1笔" in r.content.decode(), r.content.decode()[-3000:]
    paid.refresh_from_db()
    assert paid.status == "failed" and paid.reason == "账户已销户（3001）" and not paid.held
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.ISSUED  # a failed row waits for its reissue

    # the household page: what was paid beside what is owed
    page = county.get(f"/households/{ready['shuangnian'].pk}/?as_of=2025-06-30").content.decode()
    assert f"第{rnd.pk}批</a> 703.50元：已到账" in page and "兑现记录" in page

    # the row's page: the facts it was computed on, by their labels
    row_page = county.get(f"/payments/rows/{row.pk}/").content.decode()
    assert "确权承包地面积" in row_page and "10.50" in row_page and "脱贫户" in row_page

    # the ledger: the paid row with its funding; its Excel
    ledger = county.get("/payments/ledger/").content.decode()
    assert "王建国" in ledger and "703.50" in ledger and "李秀英" not in ledger
    xlsx = county.get("/payments/ledger/?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    values = [c for row_ in wb.active.iter_rows(values_only=True) for c in row_ if c is not None]
    assert "王建国" in values and 703.5 in values

    # reissue the failed row after the account is fixed: a new round at the county's approval
    accounts.set_account(world.clerk2, voucher.member, kind="one_card", bank="山西农信", number="7012345678999",
                         holder=voucher.member.name)
    r = county.post(f"/payments/{rnd.pk}/reissue/", {"title": ""})
    new = PaymentRound.objects.exclude(pk=rnd.pk).get()
    assert r.url == f"/payments/{new.pk}/" and new.kind == "reissue" and new.amount == 150000
    rnd.refresh_from_db()
    assert rnd.state == PaymentRound.State.CLOSED  # every row paid or reissued
    part = RoundPart.objects.get(round=new)
    assert part.state == "county"
    county.post(f"/payments/{new.pk}/parts/{part.pk}/", {"action": "approve", "version": part.version})
    county.post(f"/payments/{new.pk}/issue/", {"layout": "yikatong", "paid_on": "2025-07-20"})
    again = Payment.objects.get(round=new)
    assert again.status == "pending" and again.account_number == "7012345678999" and again.held
    rows_page = county.get(f"/payments/{new.pk}/rows/?round={new.pk}").content.decode()
    assert "李秀英" in rows_page and "已报银行" in rows_page
    filtered = county.get(f"/payments/{new.pk}/rows/?round={new.pk}&bank_status=none").content.decode()
    assert "李秀英" not in filtered


def test_payment_pages_by_role(world, ready, django_capture_on_commit_callbacks):
    rnd = create_round(world, django_capture_on_commit_callbacks)
    assert client_for(world.clerk).get("/payments/new/").status_code == 403
    assert client_for(world.other_county).get(f"/payments/{rnd.pk}/").status_code == 403
    assert client_for(world.department).get("/payments/").status_code == 403
    leader = client_for(world.leader).get(f"/payments/{rnd.pk}/").content.decode()
    assert "银行代发" not in leader and "第" in leader
    row = RoundRow.objects.get(round=rnd, benefit_id="consumption_voucher")
    assert client_for(world.clerk).get(f"/payments/rows/{row.pk}/").status_code == 403  # another village's row
    head = row.member
    page = client_for(world.leader).get(f"/payments/rows/{row.pk}/").content.decode()
    assert head.id_number not in page  # the leader sees masked IDs


def test_an_application_from_the_pages(world, households, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangpin.payments.models import Application

    h = households["shuangnian"]
    h.courtyard_economy = True
    h.save()
    clerk = client_for(world.clerk)
    settings_today = dt.date(2025, 6, 30)
    from unittest import mock
    with mock.patch("django.utils.timezone.localdate", return_value=settings_today):
        page = clerk.get(f"/payments/applications/new/?household={h.pk}").content.decode()
        assert "庭院经济以奖代补（双发〔2022〕67号第5条）" in page
        r = clerk.post(f"/payments/applications/new/?household={h.pk}", {
            "benefit": "sn2022-67:courtyard_economy_award", "member": "", "asked": "2500", "purpose": "庭院种植",
            "evidence": [SimpleUploadedFile("验收.pdf", b"%PDF-1.4 x")]})
        assert "超过政策上限2,000.00元" in r.content.decode() and not Application.objects.exists()
        r = clerk.post(f"/payments/applications/new/?household={h.pk}", {
            "benefit": "sn2022-67:courtyard_economy_award", "member": "", "asked": "1500.50", "purpose": "庭院种植",
            "evidence": [SimpleUploadedFile("验收.pdf", b"%PDF-1.4 x"), SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\nxx")]})
        app = Application.objects.get()
        assert r.status_code == 302 and app.asked == 150050 and app.evidence.count() == 2
        clerk.post(f"/payments/applications/{app.pk}/", {"action": "verify", "version": app.version, "amount": "1400"})
        app.refresh_from_db()
        client_for(world.township).post(f"/payments/applications/{app.pk}/", {"action": "approve", "version": app.version})
        app.refresh_from_db()
        r = client_for(world.county).post(f"/payments/applications/{app.pk}/",
                                          {"action": "approve", "version": app.version, "amount": "2100"}, follow=True)
        assert "不能超过申请金额" in r.content.decode()
        client_for(world.county).post(f"/payments/applications/{app.pk}/",
                                      {"action": "approve", "version": app.version, "amount": "1300"})
    app.refresh_from_db()
    assert app.state == "approved" and app.verified == 140000 and app.approved == 130000
    detail = client_for(world.county).get(f"/payments/applications/{app.pk}/").content.decode()
    assert "县级审定：审定1,300.00元" in detail and "验收.pdf" in detail
    listing = client_for(world.leader).get("/payments/applications/").content.decode()
    assert "王建国" in listing and "1,300.00" in listing
    e = app.evidence.first()
    assert client_for(world.other_county).get(f"/payments/evidence/{e.pk}/").status_code == 403
    body = b"".join(client_for(world.township).get(f"/payments/evidence/{e.pk}/").streaming_content)
    assert body == b"%PDF-1.4 x"


def test_the_api_refuses_bad_areas_and_masks_ids(world, ready, django_capture_on_commit_callbacks):
    rnd = create_round(world, django_capture_on_commit_callbacks)
    for path in ("/api/payments/rounds?area=x", f"/api/payments/rounds/{rnd.pk}/rows?area=1'", "/api/payments/ledger?area=abc",
                 "/api/payments/applications?area=%00"):
        r = client_for(world.county).get(path)
        assert r.status_code == 422, (path, r.status_code)
    rows = client_for(world.leader).get(f"/api/payments/rounds/{rnd.pk}/rows").json()["items"]
    ids = {r["payee_name"]: r["id_number"] for r in rows}
    voucher = RoundRow.objects.get(round=rnd, benefit_id="consumption_voucher")
    assert ids[voucher.payee_name] != voucher.id_number and "*" in ids[voucher.payee_name]
    full = client_for(world.county).get(f"/api/payments/rounds/{rnd.pk}/rows").json()["items"]
    assert voucher.id_number in {r["id_number"] for r in full}


@pytest.mark.parametrize("query", ["?household=abc", "?household=", "?household=-1", ""])
def test_an_application_for_no_household_is_not_found_not_an_error(world, query):
    assert client_for(world.clerk).get(f"/payments/applications/new/{query}").status_code == 404
