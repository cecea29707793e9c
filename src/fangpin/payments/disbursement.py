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
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from fangpin.accounts import access
from fangpin.exchange import bounded
from fangpin.lib import bulkwrite
from fangpin.orgunits.models import OrgUnit

from . import bankfiles
from .models import BankReturn, DisbursementFile, Payment, PaymentRound, RoundEvent, RoundPart, RoundRow

CHUNK = 20_000
ANALYZE_AFTER_ROWS = 10_000


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "payments"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _require_county(user, rnd: PaymentRound) -> None:
    access.require(user, "payments.manage")
    access.require_area(user, rnd.county_id, "该批次不在您的管辖范围内")


# Each unissued held payment of a round with its payee's current account: a person's own, a household benefit's to the
# head's, an enterprise's corporate account. Matched once into a temporary table that the per-bank totals and the
# UPDATE both read: two halves (members, enterprises) so that each is a plain join the planner can hash.
_PAYABLE = """
CREATE TEMP TABLE issue_lines AS
SELECT p.row_id, a.bank, a.account_number, a.holder, p.amount
  FROM payments_payment p
  LEFT JOIN registry_member h ON p.member_id IS NULL AND h.household_id = p.household_id AND h.relation = 'head'
  JOIN payments_payeeaccount a ON a.until IS NULL AND a.member_id = COALESCE(p.member_id, h.id)
 WHERE p.round_id = %s AND p.held AND p.status = '' AND p.enterprise_id IS NULL
UNION ALL
SELECT p.row_id, a.bank, a.account_number, a.holder, p.amount
  FROM payments_payment p
  JOIN payments_payeeaccount a ON a.until IS NULL AND a.enterprise_id = p.enterprise_id
 WHERE p.round_id = %s AND p.held AND p.status = ''
"""


@transaction.atomic
def issue(user, rnd: PaymentRound, *, layout: str, paid_on: dt.date | None = None) -> list[DisbursementFile]:
    """Write a disbursement file per paying bank of the round's held rows not yet issued that have an account; the
    files made. Rows without an account wait for the next file (counted in the round's `waiting`).

    Set-based: the payments are matched with their accounts, given their file and the account as issued in one
    UPDATE, then each file is written from its payments (`frame_of`) and its count and total checked against the
    database's before anything is committed."""
    _require_county(user, rnd)
    rnd = PaymentRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.state not in (PaymentRound.State.APPROVED, PaymentRound.State.ISSUED):
        raise ValidationError(f"批次{rnd.get_state_display()}，审定后方可生成代发文件")
    layouts = bankfiles.layouts()
    if layout not in layouts:
        raise ValidationError({"layout": "请选择代发文件格式"})
    paid_on = paid_on or timezone.localdate()
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET LOCAL jit = off")  # compiling these few large statements took longer than running them
            c.execute("SET LOCAL work_mem = '64MB'")  # the UPDATE's hash of a county's payments, kept in memory
            if rnd.rows >= ANALYZE_AFTER_ROWS:
                bulkwrite.analyze(Payment)  # the approvals have just written the round's payments
        c.execute(_PAYABLE, [rnd.pk, rnd.pk])
        c.execute("SELECT bank, COUNT(*), SUM(amount) FROM issue_lines GROUP BY bank ORDER BY bank")
        banks = c.fetchall()
    if not banks:
        raise ValidationError("没有可发放的行：已审定的行都已生成代发文件，或领取人还没有登记收款账户")
    stamp = timezone.now()
    files = [DisbursementFile.objects.create(
        round=rnd, bank=bank, layout=layout, rows=n, total=total, sha256="", filename="", created_by=user, paid_on=paid_on,
        path=str(_dir() / f"round{rnd.pk}-{stamp:%Y%m%d%H%M%S%f}-{i}.{layouts[layout].extension}"))
        for i, (bank, n, total) in enumerate(banks)]
    which = " ".join("WHEN %s THEN %s" for _ in files)
    with connection.cursor() as c:
        c.execute(f"""UPDATE payments_payment SET status = %s, account_number = s.account_number, bank = s.bank,
                      holder = s.holder, file_id = CASE s.bank {which} END
                      FROM issue_lines s WHERE payments_payment.row_id = s.row_id""",
                  [Payment.Status.PENDING, *[v for f in files for v in (f.bank, f.pk)]])
        c.execute("DROP TABLE issue_lines")
    for f in files:
        with Path(f.path).open("wb") as fh:
            written = bankfiles.write_frames(layouts[layout], [frame_of(f)], fh, title=f"第{rnd.pk}批_{f.bank}",
                                             paid_on=paid_on, payer=rnd.county.name)
        if (written.rows, written.total) != (f.rows, f.total):
            raise ValidationError("代发文件的笔数或金额与批次不符，未生成")  # the control totals, checked before commit
        DisbursementFile.objects.filter(pk=f.pk).update(sha256=written.sha256, filename=written.filename)
        f.sha256, f.filename = written.sha256, written.filename
        RoundEvent.objects.create(round=rnd, action="issue", user=user, label=(
            f"生成{f.bank}代发文件：{written.rows}笔，{written.total / 100:.2f}元，SHA-256 {written.sha256[:16]}…"))
    waiting = Payment.objects.filter(round=rnd, held=True, status="").count()
    PaymentRound.objects.filter(pk=rnd.pk).update(state=PaymentRound.State.ISSUED, version=F("version") + 1,
                                                  waiting=waiting)
    return files


def reference(round_id: int, row_id: int) -> str:
    return f"FP{round_id:06d}-{row_id:09d}"


def reference_expr(round_id: pl.Expr, row_id: pl.Expr) -> pl.Expr:
    """`reference` column-wise."""
    return pl.concat_str([pl.lit("FP"), round_id.cast(pl.String).str.zfill(6), pl.lit("-"),
                          row_id.cast(pl.String).str.zfill(9)])


def frame_of(f: DisbursementFile) -> pl.DataFrame:
    """`lines_of` as one Polars frame (a column per PayLine field): the file's payments and the round's rows read
    column-wise, each by its round index, and joined by Polars (not a million lookups into the wide rows)."""
    payments = bulkwrite.read_frame(
        Payment.objects.filter(round_id=f.round_id, file=f).order_by(),
        {"row_id": pl.Int64, "village_id": pl.String, "holder": pl.String, "account_number": pl.String,
         "bank": pl.String, "amount": pl.Int64})
    rows = bulkwrite.read_frame(
        RoundRow.objects.filter(round_id=f.round_id, status=RoundRow.Status.INCLUDED).order_by(),
        {"id": pl.Int64, "id_number": pl.String, "credit_code": pl.String, "benefit_name": pl.String,
         "clause": pl.Int64}).rename({"id": "row_id"})
    villages = pl.DataFrame(list(OrgUnit.objects.filter(code__in=payments["village_id"].unique().to_list())
                                 .values_list("code", "name")), schema={"village_id": pl.String, "village": pl.String},
                            orient="row")
    frame = (payments.join(rows, on="row_id", how="left").join(villages, on="village_id", how="left")
             .sort("village_id", "row_id"))
    text = [c for c, t in frame.schema.items() if t == pl.String]
    frame = frame.with_columns(pl.col(c).fill_null("") for c in text)
    return frame.select(
        reference_expr(pl.lit(f.round_id), pl.col("row_id")).alias("reference"),
        pl.col("holder").alias("name"), "account_number", "bank", "amount",
        pl.when(pl.col("id_number") != "").then("id_number").otherwise("credit_code").alias("id_number"),
        pl.col("benefit_name").alias("benefit"),
        pl.concat_str([pl.lit(f.round.document_number + "第"), pl.col("clause").cast(pl.String),
                       pl.lit("条")]).alias("basis"),
        "village")


def lines_of(f: DisbursementFile):
    """The lines file `f` sent (as the bank reads them back), in the file's order: what a bank's return answers."""
    for row in frame_of(f).iter_rows(named=True):
        yield bankfiles.PayLine(**row)


def row_of(ref: str) -> int | None:
    head, _, tail = ref.partition("-")
    return int(tail) if head.startswith("FP") and tail.isdigit() else None


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
    of_file = Payment.objects.filter(round_id=f.round_id, file=f)
    pending = of_file.filter(status=Payment.Status.PENDING)
    expected = {reference(f.round_id, pk): (amount, number) for pk, amount, number in pending.values_list(
        "row_id", "amount", "account_number").iterator(CHUNK)}
    done = set(of_file.exclude(status=Payment.Status.PENDING).values_list("row_id", flat=True))
    again = {line.reference for line in lines if row_of(line.reference) in done} if done else set()
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
    paid = [line for line in lines if line.paid]
    bulkwrite.update_rows(Payment, ["status", "reason", "held"], [
        (row_of(line.reference), Payment.Status.FAILED, (line.reason or "银行未说明原因")[:200], False)
        for line in lines if not line.paid])
    if len(lines) == len(expected):
        # the return answers every pending line of the file (each matched once, above): what is still pending is paid
        pending.update(status=Payment.Status.PAID, paid_on=today)
    else:
        bulkwrite.update_rows(Payment, ["status", "paid_on"], [
            (row_of(line.reference), Payment.Status.PAID, today) for line in paid])
    record = BankReturn.objects.create(file=f, filename=filename[:200], sha256=digest, paid=len(paid),
                                       failed=len(lines) - len(paid), paid_amount=sum(x.amount for x in paid),
                                       imported_by=user)
    if len(lines) >= ANALYZE_AFTER_ROWS:
        bulkwrite.analyze(Payment)  # the ledger's first page reads the paid payments by their village index
    DisbursementFile.objects.filter(pk=f.pk).update(returned_rows=F("returned_rows") + len(lines))
    PaymentRound.objects.filter(pk=f.round_id).update(failed=F("failed") + record.failed)
    RoundEvent.objects.create(round=f.round, action="return", user=user, label=(
        f"导入{f.bank}回盘：成功{record.paid}笔{record.paid_amount / 100:.2f}元，失败{record.failed}笔"))
    _close_if_done(f.round)
    return record


def _close_if_done(rnd: PaymentRound) -> None:
    """A round whose every row is paid, or failed and reissued in a later round, is closed (已完成); a failed row not
    yet reissued keeps it open."""
    left = Payment.objects.filter(round=rnd).exclude(status=Payment.Status.PAID)
    left = left.exclude(status=Payment.Status.FAILED,
                        row_id__in=RoundRow.objects.filter(reissue_of__isnull=False).values("reissue_of_id"))
    if not left.exists():
        PaymentRound.objects.filter(pk=rnd.pk, state=PaymentRound.State.ISSUED).update(state=PaymentRound.State.CLOSED)


@transaction.atomic
def reissue(user, rnd: PaymentRound, *, title: str) -> PaymentRound:
    """A later round of the rows that failed at the bank (accounts fixed since): the same amounts, explanations and
    facts. What the village noticed and the township and county approved stays approved: the new round starts at the
    county's approval, which holds the slots again (a failed row freed its slot)."""
    _require_county(user, rnd)
    failed = list(RoundRow.objects.filter(round=rnd, payment__status=Payment.Status.FAILED).exclude(
        pk__in=RoundRow.objects.filter(reissue_of__isnull=False).values("reissue_of_id")).select_related("part"))
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
    PaymentRound.objects.filter(pk=rnd.pk).update(failed=0)
    _close_if_done(rnd)
    return new
