"""衔接资金项目台账: the project pool with its dated stages, the funds allocated to each project by source level and kind,
and what was spent, dated. Money is integer fen."""
from django.db import models
from django.db.models import F, Q

from fangpin.ledgers.base import ledger_history

from .choices import FundKind, ProjectKind, ReliefMode, Source, Stage

STEPS = (("stored_on", Stage.STORED), ("announced_on", Stage.ANNOUNCED), ("started_on", Stage.STARTED),
         ("completed_on", Stage.COMPLETED), ("accepted_on", Stage.ACCEPTED))


class Project(models.Model):
    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("项目年度")
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="实施地点", db_index=False)
    kind = models.CharField("项目类别", max_length=20, choices=ProjectKind.choices)
    relief_mode = models.CharField("以工代赈", max_length=12, choices=ReliefMode.choices, default=ReliefMode.NONE)
    # 湖南十条 四: 5亿元衔接资金支持“一特两辅”产业 (one featured industry and two supporting ones, as the province names them)
    featured_industry = models.BooleanField("支持“一特两辅”产业", default=False)
    implementer = models.CharField("实施单位", max_length=100, blank=True)
    budget = models.BigIntegerField("计划投资（分）", null=True, blank=True)
    households = models.PositiveIntegerField("带动脱贫户和监测户户数", null=True, blank=True)
    stored_on = models.DateField("入库日期")
    announced_on = models.DateField("公示日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("完工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("项目变更记录")

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目库"
        ordering = ["code"]
        indexes = [models.Index(fields=["org_unit", "year", "code"], name="project_by_place_year")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProjectKind.values), name="project_kind_known"),
            models.CheckConstraint(condition=Q(relief_mode__in=ReliefMode.values), name="project_relief_mode_known"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="project_year_range"),
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gte=0), name="project_budget_not_negative"),
            # each step after the one before it, and none without it
            *[models.CheckConstraint(
                condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__isnull": False, f"{earlier}__lte": F(later)}),
                name=f"project_{later}_after_{earlier}")
              for (earlier, _), (later, _) in zip(STEPS, STEPS[1:])],
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def stage_on(self, day) -> str | None:
        """The stage reached on `day` (None before it was stored)."""
        reached = None
        for field, stage in STEPS:
            on = getattr(self, field)
            if on is None or on > day:
                break
            reached = stage
        return reached


class Allocation(models.Model):
    """资金下达: funds of one source level and kind allocated to a project, dated."""
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations", verbose_name="项目")
    source = models.CharField("资金来源", max_length=10, choices=Source.choices)
    fund_kind = models.CharField("资金类型", max_length=12, choices=FundKind.choices)
    amount = models.BigIntegerField("金额（分）")
    allocated_on = models.DateField("下达日期")
    document = models.CharField("下达文号", max_length=100, blank=True)
    history = ledger_history("资金下达变更记录")

    class Meta:
        verbose_name = "资金下达"
        verbose_name_plural = "资金下达"
        ordering = ["project", "allocated_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=Source.values), name="allocation_source_known"),
            models.CheckConstraint(condition=Q(fund_kind__in=FundKind.values), name="allocation_fund_kind_known"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.allocated_on:%Y-%m-%d} 下达{self.get_source_display()}{self.get_fund_kind_display()}"


class Expenditure(models.Model):
    """资金支出: what was paid out of a project's funds, dated; `labour` marks the labour remuneration (劳务报酬) of a
    work-for-relief project."""
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenditures", verbose_name="项目")
    source = models.CharField("资金来源", max_length=10, choices=Source.choices)
    fund_kind = models.CharField("资金类型", max_length=12, choices=FundKind.choices)
    amount = models.BigIntegerField("金额（分）")
    paid_on = models.DateField("支出日期")
    labour = models.BooleanField("劳务报酬", default=False)
    voucher = models.CharField("凭证号", max_length=60, blank=True)
    history = ledger_history("资金支出变更记录")

    class Meta:
        verbose_name = "资金支出"
        verbose_name_plural = "资金支出"
        ordering = ["project", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=Source.values), name="expenditure_source_known"),
            models.CheckConstraint(condition=Q(fund_kind__in=FundKind.values), name="expenditure_fund_kind_known"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.paid_on:%Y-%m-%d} 支出{'（劳务报酬）' if self.labour else ''}"
