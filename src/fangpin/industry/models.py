"""带贫益贫台账 (linkage) and “五有”台账 (five haves).

The linkage ledger keeps, for each registry enterprise (经营主体, by its 统一社会信用代码) and year, its rating, members,
workers and evaluation (LinkEntity), and the households it lifts, one row per household and way (Link). The five-haves
ledger keeps only what the registry and the ledgers cannot tell: a village's leading industry and the names it
declares, a household's declared project and skills; the haves themselves are computed (industry.haves). Money is
integer fen."""
from django.db import models
from django.db.models import F, Q

from fangpin.ledgers.base import ledger_history

from .choices import EntityLevel, Evaluation, LinkWay, OperatingStatus


def _not_above(part: str, total: str, name: str) -> models.CheckConstraint:
    """A part of a head count (脱贫户和监测户劳动力) is given only with its total, and never above it."""
    return models.CheckConstraint(
        condition=Q(**{f"{part}__isnull": True}) | Q(**{f"{total}__isnull": False, f"{part}__lte": F(total)}), name=name)


class LinkEntity(models.Model):
    """带贫主体: an enterprise's year in the linkage ledger (山西十二条 四, 七; 双发〔2022〕67号 第8、17条)."""
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="经营主体", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("级别", max_length=10, choices=EntityLevel.choices, default=EntityLevel.NONE)
    leading_industry = models.CharField("主导产业", max_length=100, blank=True)
    members = models.PositiveIntegerField("社员总数", null=True, blank=True)
    members_target = models.PositiveIntegerField("社员中脱贫户和监测户劳动力", null=True, blank=True)
    employees = models.PositiveIntegerField("职工总数", null=True, blank=True)
    employees_target = models.PositiveIntegerField("职工中脱贫户和监测户劳动力", null=True, blank=True)
    afforestation = models.BooleanField("造林合作社", default=False)
    revenue = models.BigIntegerField("年度营业收入（分）", null=True, blank=True)
    evaluation = models.CharField("成效评估结果", max_length=12, choices=Evaluation.choices, default=Evaluation.NONE)
    status = models.CharField("运行状态", max_length=10, choices=OperatingStatus.choices, default=OperatingStatus.NORMAL)
    # 忻州 五.四: the year's new loans' rate falls by 10% on last year's (20% in the trades hit hardest by the epidemic)
    new_loan_rate = models.DecimalField("年内新增贷款加权平均年利率（%）", max_digits=5, decimal_places=2, null=True,
                                        blank=True)
    hard_hit = models.BooleanField("受疫情影响较大行业", default=False)
    history = ledger_history("带贫主体变更记录")

    class Meta:
        verbose_name = "带贫主体"
        verbose_name_plural = "带贫主体"
        ordering = ["enterprise", "year"]
        constraints = [
            # the key, and the index the area's list reaches through the enterprise
            models.UniqueConstraint(fields=["enterprise", "year"], name="linkentity_enterprise_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="linkentity_year_range"),
            models.CheckConstraint(condition=Q(level__in=EntityLevel.values), name="linkentity_level_known"),
            models.CheckConstraint(condition=Q(evaluation__in=Evaluation.values), name="linkentity_evaluation_known"),
            models.CheckConstraint(condition=Q(status__in=OperatingStatus.values), name="linkentity_status_known"),
            models.CheckConstraint(condition=Q(revenue__isnull=True) | Q(revenue__gte=0),
                                   name="linkentity_revenue_not_negative"),
            models.CheckConstraint(condition=Q(new_loan_rate__isnull=True) | Q(new_loan_rate__gte=0, new_loan_rate__lte=100),
                                   name="linkentity_new_loan_rate_range"),
            _not_above("members_target", "members", "linkentity_members_target_within"),
            _not_above("employees_target", "employees", "linkentity_employees_target_within"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.year}年）"


class Link(models.Model):
    """带动明细: an entity lifts a household's income in a year in one of the nine ways (双发〔2022〕67号 第8条)."""
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="经营主体", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+", verbose_name="户",
                                  db_index=False)
    way = models.CharField("带动方式", max_length=20, choices=LinkWay.choices)
    income = models.BigIntegerField("本年带动收入（分）", null=True, blank=True)
    started_on = models.DateField("起始日期", null=True, blank=True)
    history = ledger_history("带动明细变更记录")

    class Meta:
        verbose_name = "带动明细"
        verbose_name_plural = "带动明细"
        ordering = ["enterprise", "year", "household", "way"]
        indexes = [
            # a household's links of a year (五有: 有增收产业项目), and the area's list through the household's village
            models.Index(fields=["household", "year"], name="link_by_household_year"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "household", "way"], name="link_one_per_way"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="link_year_range"),
            models.CheckConstraint(condition=Q(way__in=LinkWay.values), name="link_way_known"),
            models.CheckConstraint(condition=Q(income__isnull=True) | Q(income__gte=0), name="link_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year}年 {self.get_way_display()}"


class VillageHaves(models.Model):
    """村级五有: what a village declares for a year (山西十二条 引言, 十一). Its 主导产业 is the have 有脱贫产业; the two
    names count only where the registry and the linkage ledger do not show the have."""
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村",
                                db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    leading_industry = models.CharField("主导产业（一村一品）", max_length=100, blank=True)
    entity_name = models.CharField("带动主体名称", max_length=200, blank=True)
    cooperative_name = models.CharField("合作经济组织名称", max_length=200, blank=True)
    history = ledger_history("村级五有变更记录")

    class Meta:
        verbose_name = "村级五有"
        verbose_name_plural = "村级五有"
        ordering = ["village", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="villagehaves_village_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="villagehaves_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.village.name}（{self.year}年）"


class HouseholdHaves(models.Model):
    """户级五有: what a household declares for a year, where the registry shows no income project or no training."""
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+", verbose_name="户",
                                  db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    income_project = models.CharField("增收产业项目", max_length=200, blank=True)
    skills = models.CharField("技能说明", max_length=200, blank=True)
    history = ledger_history("户级五有变更记录")

    class Meta:
        verbose_name = "户级五有"
        verbose_name_plural = "户级五有"
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="householdhaves_household_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="householdhaves_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.household.number}（{self.year}年）"


class ExpressOutlet(models.Model):
    """乡镇快递网点 (山西十二条 二: 推进“快递下乡”……全省乡镇快递网点覆盖率达100%): an outlet serving a township, from the
    day it opened to the day it closed."""
    township = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="乡镇",
                                 db_index=False)
    name = models.CharField("网点名称", max_length=200)
    operator = models.CharField("快递企业", max_length=100, blank=True)
    opened_on = models.DateField("开业日期")
    closed_on = models.DateField("停业日期", null=True, blank=True)
    history = ledger_history("快递网点变更记录")

    class Meta:
        verbose_name = "乡镇快递网点"
        verbose_name_plural = "乡镇快递网点"
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="expressoutlet_township_name"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                                   name="expressoutlet_closed_after_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name}{self.name}"

