"""小额信贷台账: loans to members of lifted and monitored households (脱贫人口小额信贷), their repayments of principal
and the risk-compensation fund's payments for loans that were not repaid. Money is integer fen. A loan's balance on a
day is its amount less the principal repaid and the compensation paid by then."""
import datetime as dt

from django.db import models
from django.db.models import F, Q, Sum

from fangpin.ledgers.base import ledger_history

from .choices import LoanUse


class Loan(models.Model):
    code = models.CharField("贷款编号（合同号）", max_length=40, unique=True)
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="+", verbose_name="借款人",
                               db_index=False)
    bank = models.CharField("贷款银行", max_length=100)
    issued_on = models.DateField("发放日期")
    due_on = models.DateField("到期日期")
    amount = models.BigIntegerField("贷款金额（分）")
    rate = models.DecimalField("年利率（%）", max_digits=5, decimal_places=2)
    use = models.CharField("贷款用途", max_length=12, choices=LoanUse.choices)
    top_up = models.BooleanField("追加贷款", default=False)
    extended_to = models.DateField("展期至", null=True, blank=True)
    subsidized = models.BooleanField("财政贴息", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("贷款变更记录")

    class Meta:
        verbose_name = "贷款"
        verbose_name_plural = "贷款"
        ordering = ["code"]
        # a borrower's loans (the household's balance); the area filter reaches loans through the member
        indexes = [models.Index(fields=["member", "issued_on"], name="loan_by_member_issued")]
        constraints = [
            models.CheckConstraint(condition=Q(use__in=LoanUse.values), name="loan_use_known"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="loan_rate_range"),
            models.CheckConstraint(condition=Q(due_on__gt=F("issued_on")), name="loan_due_after_issued"),
            models.CheckConstraint(condition=Q(extended_to__isnull=True) | Q(extended_to__gt=F("due_on")),
                                   name="loan_extended_after_due"),
        ]

    def __str__(self) -> str:
        return f"贷款{self.code}"

    @property
    def year(self) -> int:
        """The year its repayment is judged in (the entry page's): the year it falls due, extension included."""
        return self.final_due.year

    @property
    def final_due(self) -> dt.date:
        return self.extended_to or self.due_on

    def paid_by(self, day: dt.date) -> int:
        """Principal repaid and compensation paid by `day`, in fen (annotated by a list's query for its day)."""
        if getattr(self, "paid_day", None) == day:
            return self.paid_repaid + self.paid_compensated
        repaid = self.repayments.filter(repaid_on__lte=day).aggregate(s=Sum("principal"))["s"] or 0
        compensated = (self.compensations.filter(compensated_on__lte=day).aggregate(s=Sum("amount"))["s"] or 0)
        return repaid + compensated


class Repayment(models.Model):
    """还款: principal repaid on a loan, dated."""
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="repayments", verbose_name="贷款")
    repaid_on = models.DateField("还款日期")
    principal = models.BigIntegerField("还款本金（分）")
    history = ledger_history("还款变更记录")

    class Meta:
        verbose_name = "还款"
        verbose_name_plural = "还款"
        ordering = ["loan", "repaid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(principal__gt=0), name="repayment_principal_positive")]

    def __str__(self) -> str:
        return f"{self.loan} {self.repaid_on:%Y-%m-%d} 还款"


class Compensation(models.Model):
    """风险补偿: the risk-compensation fund's claim for a loan not repaid (陇县十条 九: 风险补偿金和承贷金融机构按照风险比例
    代偿), and the day it paid; an unpaid claim does not reduce the balance."""
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="compensations", verbose_name="贷款")
    applied_on = models.DateField("申请日期")
    amount = models.BigIntegerField("代偿金额（分）")
    compensated_on = models.DateField("代偿日期", null=True, blank=True)
    history = ledger_history("风险补偿变更记录")

    class Meta:
        verbose_name = "风险补偿"
        verbose_name_plural = "风险补偿"
        ordering = ["loan", "applied_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="compensation_amount_positive"),
            models.CheckConstraint(condition=Q(compensated_on__isnull=True) | Q(compensated_on__gte=F("applied_on")),
                                   name="compensation_paid_after_applied"),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.applied_on:%Y-%m-%d} 风险补偿"
