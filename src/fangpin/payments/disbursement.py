"""From an approved round to money in accounts: the disbursement file per paying bank, the bank's return file, and the
failed rows paid again in a later round.

Each row is paid into its payee's current account as it is when the file is made (a person's own; a household's
benefit to the head's; an enterprise's corporate account), and the account is copied onto the row, so the ledger says
where the money went even after the account changes. A row without a current account is not issued: it waits, listed,
until the village records one, and goes into the next file made for the round.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fangpin.accounts import access
from fangpin.exchange import bounded
from fangpin.lib import bulkwrite, divisions
from fangpin.registry.models import Member

from . import bankfiles
from .models import BankReturn, DisbursementFile, PayeeAccount, PaymentRound, RoundEvent, RoundPart, RoundRow

CHUNK = 20_000


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "payments"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _require_county(user, rnd: PaymentRound) -> None:
    access.require(user, "payments.manage")
    access.require_area(user, rnd.county_id, "该批次不在您的管辖范围内")


def _accounts(rnd: PaymentRound) -> tuple[dict, dict, dict]:
    """Current accounts of the round's area: by member, by enterprise; and each household's head (member id)."""
    prefix = divisions.prefix(rnd.area_id)
    current = PayeeAccount.objects.filter(until__isnull=True)
    fields = ("kind", "bank", "account_number", "holder")
    by_member = {r[0]: r[1:] for r in current.filter(
        access.subtree("member__household__village_id", prefix)).values_list("member_id", *fields).iterator(CHUNK)}
    enterprises = set(RoundRow.objects.filter(round=rnd, enterprise__isnull=False).order_by().values_list(
        "enterprise_id", flat=True).distinct())
    by_enterprise = {r[0]: r[1:] for r in current.filter(enterprise_id__in=enterprises).values_list(
        "enterprise_id", *fields)}
    heads = dict(Member.objects.filter(access.subtree("household__village_id", prefix), relation="head").values_list(
        "household_id", "id").iterator(CHUNK))
    return by_member, by_enterprise, heads


def unissued(rnd: PaymentRound):
    """Held rows not yet sent to a bank (none yet, or waiting for an account)."""
    return RoundRow.objects.filter(round=rnd, held=True, bank_status="")


@transaction.atomic
def issue(user, rnd: PaymentRound, *, layout: str, paid_on: dt.date | None = None) -> list[DisbursementFile]:
    """Write a disbursement file per paying bank of the round's held rows not yet issued that have an account; the
    files made. Rows without an account wait (see `waiting`)."""
    _require_county(user, rnd)
    rnd = PaymentRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.state not in (PaymentRound.State.APPROVED, PaymentRound.State.ISSUED):
        raise ValidationError(f"批次{rnd.get_state_display()}，审定后方可生成代发文件")
    layouts = bankfiles.layouts()
    if layout not in layouts:
        raise ValidationError({"layout": "请选择代发文件格式"})
    paid_on = paid_on or timezone.localdate()
    by_member, by_enterprise, heads = _accounts(rnd)
    by_bank: dict[str, list] = defaultdict(list)
    villages = dict(RoundRow.objects.filter(round=rnd).order_by().values_list("village_id", "village__name").distinct())
    rows = unissued(rnd).order_by("village_id", "id").values_list(
        "id", "member_id", "enterprise_id", "household_id", "payee_name", "id_number", "credit_code", "amount",
        "benefit_name", "clause", "village_id")
    for pk, member, enterprise, household, name, id_number, credit, amount, benefit, clause, village in rows.iterator(
            CHUNK):
        account = (by_member.get(member) if member else by_enterprise.get(enterprise) if enterprise
                   else by_member.get(heads.get(household)))
        if account is None:
            continue
        kind, bank, number, holder = account
        by_bank[bank].append((pk, holder, number, amount, id_number or credit, benefit, clause, villages[village]))
    if not by_bank:
        raise ValidationError("没有可发放的行：已审定的行都已生成代发文件，或领取人还没有登记收款账户")
    made = []
    for bank in sorted(by_bank):
        lines = by_bank[bank]
        path = _dir() / f"round{rnd.pk}-{timezone.now():%Y%m%d%H%M%S%f}-{len(made)}.{layouts[layout].extension}"
        pay_lines = (bankfiles.PayLine(reference=reference(rnd.pk, pk), name=holder, account_number=number, bank=bank,
                                       amount=amount, id_number=idn, benefit=benefit,
                                       basis=f"{rnd.document_number}第{clause}条", village=village)
                     for pk, holder, number, amount, idn, benefit, clause, village in lines)
        with path.open("wb") as fh:
            written = bankfiles.write(layouts[layout], pay_lines, fh, title=f"第{rnd.pk}批_{bank}", paid_on=paid_on,
                                      payer=rnd.county.name)
        f = DisbursementFile.objects.create(round=rnd, bank=bank, layout=layout, rows=written.rows,
                                            total=written.total, sha256=written.sha256, path=str(path),
                                            filename=written.filename, created_by=user)
        if written.total != sum(line[3] for line in lines) or written.rows != len(lines):
            raise ValidationError("代发文件的笔数或金额与批次不符，未生成")  # the control totals, checked before commit
        bulkwrite.update_rows(RoundRow, ["bank_status", "disbursement_id", "account_number", "bank", "holder"],
                              [(pk, RoundRow.Bank.PENDING, f.pk, number, bank, holder)
                               for pk, holder, number, *_ in lines])
        made.append(f)
        RoundEvent.objects.create(round=rnd, action="issue", user=user, label=(
            f"生成{bank}代发文件：{written.rows}笔，{written.total / 100:.2f}元，SHA-256 {written.sha256[:16]}…"))
    PaymentRound.objects.filter(pk=rnd.pk).update(state=PaymentRound.State.ISSUED, version=F("version") + 1)
    return made


def reference(round_id: int, row_id: int) -> str:
    return f"FP{round_id:06d}-{row_id:09d}"


def row_of(ref: str) -> int | None:
    head, _, tail = ref.partition("-")
    return int(tail) if head.startswith("FP") and tail.isdigit() else None


def waiting(rnd: PaymentRound):
    """Held rows that could not be issued for want of an account (after a file was made)."""
    return unissued(rnd).select_related("village").order_by("village_id", "id")


def file_get(user, pk: int) -> DisbursementFile:
    f = DisbursementFile.objects.select_related("round", "round__county").filter(pk=pk).first()
    if f is None:
        raise PermissionDenied("没有该代发文件")
    _require_county(user, f.round)
    return f


@transaction.atomic
def import_return(user, f: DisbursementFile, path: Path, filename: str) -> BankReturn:
    """A bank's return file for disbursement file `f`, all or nothing: every row paid, or failed with the bank's
    reason (a failed row frees its slot, to be paid again once the account is fixed). Raises ValueError with the
    Chinese problems (file, row, column) and writes nothing."""
    _require_county(user, f.round)
    f = DisbursementFile.objects.select_for_update().get(pk=f.pk)
    layout = bankfiles.layouts()[f.layout]
    lines = bankfiles.read_return(path, filename, layout, limits=bounded.limits())  # ReturnFileError is a ValueError
    expected = {reference(f.round_id, pk): (amount, number) for pk, amount, number in RoundRow.objects.filter(
        disbursement=f, bank_status=RoundRow.Bank.PENDING).values_list("id", "amount", "account_number").iterator(CHUNK)}
    done = set(RoundRow.objects.filter(disbursement=f).exclude(bank_status=RoundRow.Bank.PENDING).values_list(
        "id", flat=True))
    again = {line.reference for line in lines if row_of(line.reference) in done}
    problems = [bankfiles.Problem(line.row, "业务流水号", f"“{line.reference}”已在此前的回盘中处理，不能重复回盘")
                for line in lines if line.reference in again]
    problems += [p for p in bankfiles.check_against([x for x in lines if x.reference not in again], expected, filename,
                                                    layout=layout)]
    problems.sort(key=lambda p: (p.row is None, p.row or 0))
    if problems:
        raise bankfiles.ReturnFileError(filename, problems)
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest = digest.hexdigest()
    if BankReturn.objects.filter(file=f, sha256=digest).exists():
        raise ValueError(f"文件“{filename}”已导入过")
    today = timezone.localdate()
    updates = [(row_of(line.reference), RoundRow.Bank.PAID if line.paid else RoundRow.Bank.FAILED,
                "" if line.paid else (line.reason or "银行未说明原因")[:200], line.paid, today if line.paid else None)
               for line in lines]
    bulkwrite.update_rows(RoundRow, ["bank_status", "bank_reason", "held", "paid_on"], updates)
    paid = [line for line in lines if line.paid]
    record = BankReturn.objects.create(file=f, filename=filename[:200], sha256=digest, paid=len(paid),
                                       failed=len(lines) - len(paid), paid_amount=sum(x.amount for x in paid),
                                       imported_by=user)
    DisbursementFile.objects.filter(pk=f.pk).update(returned_rows=F("returned_rows") + len(lines))
    RoundEvent.objects.create(round=f.round, action="return", user=user, label=(
        f"导入{f.bank}回盘：成功{record.paid}笔{record.paid_amount / 100:.2f}元，失败{record.failed}笔"))
    _close_if_done(f.round)
    return record


def _close_if_done(rnd: PaymentRound) -> None:
    """A round whose every row is paid, or failed and reissued in a later round, is closed (已完成); a failed row not
    yet reissued keeps it open."""
    left = RoundRow.objects.filter(round=rnd, status=RoundRow.Status.INCLUDED).exclude(bank_status=RoundRow.Bank.PAID)
    left = left.exclude(bank_status=RoundRow.Bank.FAILED,
                        pk__in=RoundRow.objects.filter(reissue_of__isnull=False).values("reissue_of_id"))
    if not left.exists():
        PaymentRound.objects.filter(pk=rnd.pk, state=PaymentRound.State.ISSUED).update(state=PaymentRound.State.CLOSED)


@transaction.atomic
def reissue(user, rnd: PaymentRound, *, title: str) -> PaymentRound:
    """A later round of the rows that failed at the bank (accounts fixed since): the same amounts, explanations and
    facts. What the village noticed and the township and county approved stays approved: the new round starts at the
    county's approval, which holds the slots again (a failed row freed its slot)."""
    _require_county(user, rnd)
    failed = list(RoundRow.objects.filter(round=rnd, bank_status=RoundRow.Bank.FAILED).exclude(
        pk__in=RoundRow.objects.filter(reissue_of__isnull=False).values("reissue_of_id")))
    if not failed:
        raise ValidationError("该批次没有待重发的失败行")
    title = (title or "").strip() or f"第{rnd.pk}批失败重发"
    new = PaymentRound.objects.create(
        title=title[:100], kind=PaymentRound.Kind.REISSUE, county_id=rnd.county_id, area_id=rnd.area_id,
        document_id=rnd.document_id, document_number=rnd.document_number, benefit_ids=rnd.benefit_ids,
        as_of=rnd.as_of, year=rnd.year, notice_days=rnd.notice_days, state=PaymentRound.State.OPEN, created_by=user,
        households=len({r.household_id for r in failed}))
    parts = {}
    for township in sorted({r.part.township_id for r in failed}):
        parts[township] = RoundPart.objects.create(round=new, township_id=township, state=RoundPart.State.COUNTY)
    copied = ("village_id", "household_id", "member_id", "enterprise_id", "payee_name", "household_number",
              "id_number", "credit_code", "year", "benefit_id", "benefit_name", "clause", "amount", "funding",
              "explanation", "facts", "payee_key", "period", "occurrence")
    bulkwrite.insert_rows(RoundRow, [
        {**{k: getattr(r, k) for k in copied}, "round_id": new.pk, "part_id": parts[r.part.township_id].pk,
         "reissue_of_id": r.pk, "status": RoundRow.Status.INCLUDED} for r in failed])
    from .rounds import refresh_totals

    refresh_totals(new)
    RoundEvent.objects.create(round=new, action="create", user=user, label=f"第{rnd.pk}批发放失败的{len(failed)}行重发，待县级审定")
    RoundEvent.objects.create(round=rnd, action="reissue", user=user, label=f"发放失败的{len(failed)}行转入第{new.pk}批重发")
    _close_if_done(rnd)
    return new
