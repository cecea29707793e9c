"""Payments (政策兑现): the accounts people are paid into, payment rounds with their notices, objections and approvals,
the payments with their bank files and returns, and applications for "up to" benefits (docs/payments.md)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from simple_history.models import HistoricalRecords

from fangpin.lib.fields import JSONTextField

from . import choices


class PayeeAccount(models.Model):
    """收款账户: where a member's or an enterprise's payments go. One current account per payee; a new one ends the old
    the day before. A member's holder is the member, or a named proxy (代领人) with the relation and the reason; an
    enterprise is paid into its own corporate account (对公账户), held in its name."""

    Kind = choices.AccountKind
    CARD_KINDS = choices.CARD_KINDS  # card numbers with a Luhn check digit
    PERSON_KINDS = choices.PERSON_KINDS

    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="payee_accounts",
                               verbose_name="家庭成员", null=True, blank=True)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="payee_accounts",
                                   verbose_name="经营主体", null=True, blank=True)
    kind = models.CharField("账户类型", max_length=16, choices=Kind.choices)
    bank = models.CharField("开户银行", max_length=60)
    account_number = models.CharField("账号", max_length=30)
    holder = models.CharField("户名", max_length=50)
    proxy_relation = models.CharField("代领人与本人关系", max_length=20, blank=True)
    proxy_reason = models.CharField("代领原因", max_length=100, blank=True)
    since = models.DateField("启用日期")
    until = models.DateField("停用日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(verbose_name="收款账户变更记录")

    class Meta:
        verbose_name = "收款账户"
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(until__isnull=True), name="one_current_account"),
            models.UniqueConstraint(fields=["enterprise"], condition=Q(until__isnull=True),
                                    name="one_current_enterprise_account"),
            # a person's account of a person's kind, or an enterprise's corporate account without a proxy
            models.CheckConstraint(condition=Q(member__isnull=False, enterprise__isnull=True,
                                               kind__in=["one_card", "bank_card", "social_security"])
                                   | Q(member__isnull=True, enterprise__isnull=False, kind="corporate",
                                       proxy_relation="", proxy_reason=""),
                                   name="payee_account_one_payee_of_its_kind"),
            models.CheckConstraint(condition=GreaterThanOrEqual(Length("account_number"), 8),
                                   name="payee_account_number_at_least_8"),
            models.CheckConstraint(condition=~Q(bank="") & ~Q(holder=""), name="payee_account_bank_holder_given"),
            # a proxy is named with the relation and the reason together
            models.CheckConstraint(condition=Q(proxy_relation="", proxy_reason="")
                                   | (~Q(proxy_relation="") & ~Q(proxy_reason="")),
                                   name="payee_account_proxy_complete"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                                   name="payee_account_until_after_since"),
        ]


# --- payment rounds (兑现批次) ---------------------------------------------------------------------------------------

class PaymentRound(models.Model):
    """兑现批次: what a county bureau pays under one document on one date in an area. Computed by the engine, then
    frozen: its rows never change by themselves. Each township's part is noticed, reviewed and approved on its own
    (RoundPart); the round is approved when every part is."""

    class State(models.TextChoices):
        COMPUTING = "computing", "计算中"
        FAILED = "failed", "计算失败"
        OPEN = "open", "公示审核中"
        APPROVED = "approved", "已审定"
        ISSUED = "issued", "已生成代发文件"
        CLOSED = "closed", "已完成"
        CANCELLED = "cancelled", "已作废"

    class Kind(models.TextChoices):
        ENTITLEMENT = "entitlement", "按政策计算兑现"
        GAP = "gap", "年终补差（防贫保险）"
        APPLICATION = "application", "按申请审定兑现"
        REISSUE = "reissue", "发放失败重发"

    title = models.CharField("批次名称", max_length=100)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.ENTITLEMENT)
    county = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）")
    area = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="兑现范围")
    document_id = models.CharField("政策文件", max_length=60)
    document_number = models.CharField("文号", max_length=60)
    benefit_ids = models.JSONField("兑现项目", default=list)
    as_of = models.DateField("计算日期")
    year = models.PositiveSmallIntegerField("年度")
    notice_days = models.PositiveSmallIntegerField("公示天数")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.COMPUTING)
    version = models.PositiveIntegerField(default=1)
    progress = models.PositiveIntegerField("已计算户数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    rows = models.PositiveIntegerField("兑现人次", default=0)
    amount = models.BigIntegerField("金额（分）", default=0)
    # kept by the steps that change them, so the round's page counts nothing: rows without an account at the last
    # file made, and rows the bank failed that no reissue has taken yet
    waiting = models.PositiveIntegerField("待登记账户行数", default=0)
    failed = models.PositiveIntegerField("发放失败待重发行数", default=0)
    messages = models.JSONField("计算说明", default=list)
    error = models.TextField("失败原因", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "兑现批次"
        ordering = ["-id"]
        indexes = [models.Index(fields=["county", "-id"], name="round_by_county")]
        constraints = [
            models.CheckConstraint(condition=~Q(title="") & ~Q(document_id=""), name="round_title_document_given"),
            models.CheckConstraint(condition=Q(notice_days__gte=1), name="round_notice_days_positive"),
        ]

    def __str__(self) -> str:
        return f"第{self.pk}批：{self.title}"


class RoundPart(models.Model):
    """One township's part of a round: its villages are noticed, the township reviews it and the county approves it,
    with the monitoring procedure's rules (no level skipped, a conditional update on state and version)."""

    class State(models.TextChoices):
        NOTICE = "notice", "村级公示"
        TOWNSHIP = "township", "待乡镇审核"
        COUNTY = "county", "待县级审定"
        APPROVED = "approved", "已审定"
        CANCELLED = "cancelled", "已作废"

    round = models.ForeignKey(PaymentRound, on_delete=models.CASCADE, related_name="parts")
    township = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.NOTICE)
    version = models.PositiveIntegerField(default=1)
    rows = models.PositiveIntegerField("兑现人次", default=0)
    amount = models.BigIntegerField("金额（分）", default=0)

    class Meta:
        verbose_name = "批次乡镇部分"
        ordering = ["township_id"]
        constraints = [models.UniqueConstraint(fields=["round", "township"], name="one_part_per_township")]


class RoundNotice(models.Model):
    """A village's public notice (公示) of its rows: the period from the round's notice days; a correction starts it
    again (`times` counts the notices)."""

    round = models.ForeignKey(PaymentRound, on_delete=models.CASCADE, related_name="notices")
    part = models.ForeignKey(RoundPart, on_delete=models.CASCADE, related_name="notices")
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    start = models.DateField("公示开始")
    end = models.DateField("公示截止")
    times = models.PositiveSmallIntegerField("公示次数", default=1)
    rows = models.PositiveIntegerField("兑现人次", default=0)
    amount = models.BigIntegerField("金额（分）", default=0)

    class Meta:
        verbose_name = "村级公示"
        ordering = ["village_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="one_notice_per_village"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="notice_end_after_start"),
        ]


class RoundRow(models.Model):
    """批次明细: one amount owed to one payee, frozen with the explanation and the facts the engine used. Written once:
    what happens to it after the county's approval (its slot, the bank file, the account, the bank's answer) is its
    Payment, a narrow row of its own, so that approving, issuing and the bank's return never rewrite the frozen row
    and its indexes."""

    class Status(models.TextChoices):
        INCLUDED = "included", "列入"
        WITHDRAWN = "withdrawn", "已撤回"
        REPLACED = "replaced", "已更正（被替换）"
        EXCLUDED = "excluded", "不列入（已在其他批次兑现）"

    # Only the indexes the pages and steps use: each is written for every row of a round of a million. The foreign
    # keys an index covers (round: round_row_by_village; household: round_row_by_household), that are rarely set
    # (partial indexes below) or that nothing looks up (member: the app never deletes members) have none of their own.
    # No foreign key of this table is checked by the database (decision 126): PostgreSQL checks one per row at
    # commit (3.8 s of a 220,000-row round for the round and the part alone, and the registry's keys locked every
    # linked registry row: 8 s more, docs/benchmarks.md). The rows are written only by the round's own steps with the
    # keys of rows read in the same transaction; Django's CASCADE and PROTECT still apply; the row carries its own
    # copies of what it shows (name, ID number, household number, facts).
    round = models.ForeignKey(PaymentRound, on_delete=models.CASCADE, related_name="round_rows", db_index=False,
                              db_constraint=False)
    part = models.ForeignKey(RoundPart, on_delete=models.CASCADE, related_name="part_rows", db_index=False,
                             db_constraint=False)
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村",
                                db_index=False, db_constraint=False)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="round_rows", db_index=False, db_constraint=False)
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="round_rows", db_index=False, db_constraint=False)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="round_rows", db_index=False, db_constraint=False)
    payee_name = models.CharField("领取人", max_length=100)
    household_number = models.CharField("户编号", max_length=30, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    year = models.PositiveSmallIntegerField("年度")
    benefit_id = models.CharField("待遇", max_length=60)
    benefit_name = models.CharField("待遇名称", max_length=100)
    clause = models.PositiveSmallIntegerField("条款")
    amount = models.BigIntegerField("金额（分）")
    funding = models.TextField("资金来源", blank=True)
    explanation = models.TextField("计算说明")
    facts = JSONTextField("计算依据的登记信息", default=dict)
    # the slot the row takes when approved (see Payment)
    payee_key = models.CharField(max_length=40)
    period = models.CharField(max_length=20)
    occurrence = models.PositiveSmallIntegerField(default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.INCLUDED)
    status_reason = models.CharField("说明", max_length=200, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 db_index=False, db_constraint=False)
    reissue_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   db_index=False, db_constraint=False)
    application = models.ForeignKey("Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="round_rows", db_index=False, db_constraint=False)

    class Meta:
        verbose_name = "批次明细"
        ordering = ["village_id", "id"]
        indexes = [
            models.Index(fields=["round", "village", "id"], name="round_row_by_village"),
            models.Index(fields=["household", "id"], name="round_row_by_household"),
            models.Index(fields=["enterprise"], name="round_row_by_enterprise", condition=Q(enterprise__isnull=False)),
            models.Index(fields=["replaces"], name="round_row_by_replaced", condition=Q(replaces__isnull=False)),
            models.Index(fields=["reissue_of"], name="round_row_by_reissued", condition=Q(reissue_of__isnull=False)),
            models.Index(fields=["application"], name="round_row_by_application",
                         condition=Q(application__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="round_row_amount_positive"),
            models.CheckConstraint(condition=Q(member__isnull=True) | Q(enterprise__isnull=True),
                                   name="round_row_one_payee"),
        ]

    @property
    def reference(self) -> str:
        """The row as the bank file names it (业务流水号)."""
        return f"FP{self.round_id:06d}-{self.pk:09d}"

    @property
    def pay(self) -> "Payment":
        """The row's Payment, or a blank one (未发放) before the county's approval gives it one."""
        return getattr(self, "payment", None) or Payment(row=self)


class Payment(models.Model):
    """发放: an included row from the county's approval on — the slot it holds, the file it went out in, the account
    it was paid into (copied, so the ledger says where the money went after the account changes) and the bank's
    answer.

    The no-double-payment guard: a held payment takes its row's slot — the benefit, the payee, the period (the year,
    or the document's whole period for a one-time benefit) and the occurrence (the n-th training of the year) — and the
    database allows one held payment per slot, whatever the round. A payment is held from the county's approval until
    the bank reports it failed (then the slot is free for a reissue)."""

    class Status(models.TextChoices):
        NONE = "", "未发放"
        PENDING = "pending", "已报银行"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"

    # Payments are written only by copying approved rows (approval._hold) and given their file by `issue`, so, as for
    # the rows, no foreign key is checked by the database (decision 126): its check would lock each frozen row,
    # rewriting the wide rows this table exists to leave alone (47 s of commits for a 220,000-row round's
    # approvals, measured). The payee and the amount are copied from the row, for `issue` to match accounts
    # without reading the wide rows.
    row = models.OneToOneField(RoundRow, on_delete=models.CASCADE, primary_key=True, related_name="payment",
                               db_constraint=False)
    round = models.ForeignKey(PaymentRound, on_delete=models.CASCADE, related_name="+", db_index=False,
                              db_constraint=False)
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False)
    household = models.ForeignKey("registry.Household", on_delete=models.DO_NOTHING, null=True, related_name="+",
                                  db_index=False, db_constraint=False)
    member = models.ForeignKey("registry.Member", on_delete=models.DO_NOTHING, null=True, related_name="+",
                               db_index=False, db_constraint=False)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.DO_NOTHING, null=True, related_name="+",
                                   db_index=False, db_constraint=False)
    amount = models.BigIntegerField("金额（分）")
    benefit_id = models.CharField(max_length=60)
    payee_key = models.CharField(max_length=40)
    period = models.CharField(max_length=20)
    occurrence = models.PositiveSmallIntegerField()
    held = models.BooleanField(default=True)
    status = models.CharField("发放状态", max_length=8, choices=Status.choices, blank=True, default="")
    reason = models.CharField("银行反馈", max_length=200, blank=True)
    file = models.ForeignKey("DisbursementFile", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="payments", db_index=False, db_constraint=False)  # by the round's index
    account_number = models.CharField("账号", max_length=30, blank=True)
    bank = models.CharField("开户银行", max_length=60, blank=True)
    holder = models.CharField("户名", max_length=50, blank=True)
    paid_on = models.DateField("到账日期", null=True, blank=True)

    class Meta:
        verbose_name = "发放明细"
        # No index names the columns the file and the bank's return change (file, status, account, paid date), and
        # the table leaves 70% of each page free (fillfactor 30, migration 0007; 50 in 0006 left three in ten of the
        # file's rewrites without room): PostgreSQL then rewrites a payment in place (a HOT update) without touching
        # its indexes — the file's UPDATE of 220,113 payments in 1.1 s instead of 4.3 (docs/benchmarks.md). The ledger reads paid payments by village through payment_by_village.
        indexes = [
            models.Index(fields=["round", "row"], name="payment_by_round"),
            models.Index(fields=["village", "row"], name="payment_by_village"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["benefit_id", "payee_key", "period", "occurrence"], condition=Q(held=True),
                                    name="no_double_payment"),
            models.CheckConstraint(condition=Q(held=False) | ~Q(status="failed"), name="payment_failed_free"),
            models.CheckConstraint(condition=Q(status="") | Q(file__isnull=False), name="payment_status_has_file"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_on__isnull=False),
                                   name="payment_paid_dated"),
        ]


class Objection(models.Model):
    """异议: raised against a row during the notice; answered by a correction, a withdrawal or a dismissal."""

    class Outcome(models.TextChoices):
        OPEN = "", "待处理"
        CORRECTED = "corrected", "已更正"
        WITHDRAWN = "withdrawn", "已撤回该行"
        DISMISSED = "dismissed", "异议不成立"

    row = models.ForeignKey(RoundRow, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    who = models.CharField("异议人", max_length=50)
    text = models.TextField("异议内容")
    outcome = models.CharField("处理结果", max_length=10, choices=Outcome.choices, blank=True, default="")
    answer = models.TextField("处理意见", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text="") & ~Q(who=""), name="objection_text_given"),
            models.CheckConstraint(condition=Q(outcome="") | ~Q(answer=""), name="objection_answer_given"),
        ]


class RoundEvent(models.Model):
    """The round's history: every step, correction and file, who and why."""

    round = models.ForeignKey(PaymentRound, on_delete=models.CASCADE, related_name="events")
    part = models.ForeignKey(RoundPart, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    row = models.ForeignKey(RoundRow, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    action = models.CharField(max_length=20)
    label = models.CharField("操作", max_length=100)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "批次记录"
        ordering = ["id"]


class DisbursementFile(models.Model):
    """代发文件: an approved round's rows of one paying bank in a layout (payments/layouts.yaml), with the control
    totals and the hash of the bytes handed over."""

    round = models.ForeignKey(PaymentRound, on_delete=models.PROTECT, related_name="files")
    bank = models.CharField("代发银行", max_length=60)
    layout = models.CharField("文件格式", max_length=30)
    rows = models.PositiveIntegerField("笔数")
    total = models.BigIntegerField("金额（分）")
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    returned_rows = models.PositiveIntegerField("已回盘笔数", default=0)
    paid_on = models.DateField("代发日期", null=True, blank=True)  # as written in the file (null: files made before)

    class Meta:
        verbose_name = "代发文件"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(rows__gt=0) & Q(total__gt=0), name="file_totals_positive")]


class BankReturn(models.Model):
    """回盘: a bank's return file, imported all or nothing."""

    file = models.ForeignKey(DisbursementFile, on_delete=models.PROTECT, related_name="returns")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField("成功笔数")
    failed = models.PositiveIntegerField("失败笔数")
    paid_amount = models.BigIntegerField("成功金额（分）")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "银行回盘"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["file", "sha256"], name="return_imported_once")]


class Application(models.Model):
    """申请: a benefit the catalog pays "up to" an amount or on verified costs (以奖代补, 产业奖补, 场租补贴 on receipts).
    The payee (or the village for them) asks an amount with evidence; the village verifies the amount, the township
    reviews, the county approves. The ceiling is the engine's amount for the payee on the date of the application, and
    the database refuses a verified or approved amount above it. An approved application is paid by a round."""

    class State(models.TextChoices):
        VILLAGE = "village", "待村级核实"
        TOWNSHIP = "township", "待乡镇审核"
        COUNTY = "county", "待县级审定"
        APPROVED = "approved", "已审定"
        DECLINED = "declined", "不予支持"

    document_id = models.CharField("政策文件", max_length=60)
    document_number = models.CharField("文号", max_length=60)
    benefit_id = models.CharField("待遇", max_length=60)
    benefit_name = models.CharField("待遇名称", max_length=100)
    clause = models.PositiveSmallIntegerField("条款")
    year = models.PositiveSmallIntegerField("年度")
    as_of = models.DateField("计算上限的日期")
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="applications")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="applications")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="applications")
    payee_name = models.CharField("申请人", max_length=100)
    purpose = models.TextField("申请事项")
    asked = models.BigIntegerField("申请金额（分）")
    ceiling = models.BigIntegerField("政策上限（分）")
    ceiling_explanation = models.TextField("上限计算说明")
    verified = models.BigIntegerField("村级核实金额（分）", null=True, blank=True)
    approved = models.BigIntegerField("县级审定金额（分）", null=True, blank=True)
    funding = models.TextField("资金来源", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.VILLAGE)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(verbose_name="申请办理记录")

    class Meta:
        verbose_name = "兑现申请"
        ordering = ["-id"]
        indexes = [models.Index(fields=["village", "-id"], name="application_by_village"),
                   models.Index(fields=["state", "village"], name="application_by_state")]
        constraints = [
            models.CheckConstraint(condition=Q(asked__gt=0) & Q(ceiling__gt=0), name="application_amounts_positive"),
            models.CheckConstraint(condition=Q(verified__isnull=True) | (Q(verified__gt=0)
                                                                        & Q(verified__lte=models.F("ceiling"))
                                                                        & Q(verified__lte=models.F("asked"))),
                                   name="application_verified_within_ceiling"),
            models.CheckConstraint(condition=Q(approved__isnull=True) | (Q(approved__gt=0)
                                                                        & Q(approved__lte=models.F("ceiling"))
                                                                        & Q(approved__lte=models.F("asked"))),
                                   name="application_approved_within_ceiling"),
            models.CheckConstraint(condition=~Q(state="approved") | Q(approved__isnull=False),
                                   name="application_approved_amount_given"),
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(enterprise__isnull=False),
                                   name="application_has_payee"),
        ]


class Evidence(models.Model):
    """证明材料: a receipt, contract, acceptance record or photo attached to an application (PDF, JPEG or PNG)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    filename = models.CharField("文件名", max_length=200)
    kind = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        ordering = ["id"]
