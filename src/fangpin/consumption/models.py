"""消费帮扶台账: the units that buy (canteens, union welfare, assisting units' bulk purchases) and what each bought in a
year. Money is integer fen."""
from django.db import models
from django.db.models import F, Q

from fangpin.ledgers.base import ledger_history

from .choices import UnitLevel


class Unit(models.Model):
    """A unit with consumption-assistance duties: a 五进 task (its canteen buys from lifted villages), a budget unit with
    a canteen (reserves 10% for the 832 platform), an assisting unit (union welfare, bulk purchases for its village)."""
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("单位层级", max_length=10, choices=UnitLevel.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="所在区划",
                                 db_index=False)
    five_entries = models.BooleanField("承担“五进”任务", default=False)
    canteen = models.BooleanField("有食堂的预算单位", default=False)
    assisting = models.BooleanField("帮扶单位", default=False)
    assisted_village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", null=True,
                                         blank=True, verbose_name="帮扶村")
    history = ledger_history("单位变更记录")

    class Meta:
        verbose_name = "消费帮扶单位"
        verbose_name_plural = "消费帮扶单位"
        ordering = ["credit_code"]
        indexes = [models.Index(fields=["org_unit", "credit_code"], name="consumption_unit_by_place")]
        constraints = [models.CheckConstraint(condition=Q(level__in=UnitLevel.values), name="consumption_unit_level_known")]

    def __str__(self) -> str:
        return self.name


class Purchase(models.Model):
    """One unit's purchases of one year."""
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="purchases", verbose_name="单位")
    year = models.PositiveSmallIntegerField("年度")
    canteen_total = models.BigIntegerField("年度食堂食材采购总额（分）", null=True, blank=True)
    canteen_directed = models.BigIntegerField("其中向脱贫村定向采购（分）", null=True, blank=True)
    farm_total = models.BigIntegerField("年度农副产品采购总额（分）", null=True, blank=True)
    farm_832 = models.BigIntegerField("其中通过“832”平台采购（分）", null=True, blank=True)
    welfare_budget = models.BigIntegerField("工会福利预算金额（分）", null=True, blank=True)
    welfare_bought = models.BigIntegerField("工会福利采购农特产品（分）", null=True, blank=True)
    bulk_bought = models.BigIntegerField("包销帮扶村农特产品（分）", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = ledger_history("采购变更记录")

    class Meta:
        verbose_name = "年度采购"
        verbose_name_plural = "年度采购"
        ordering = ["unit", "year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="consumption_purchase_unit_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="consumption_purchase_year_range"),
            # a part is never more than its whole
            models.CheckConstraint(condition=Q(canteen_directed__isnull=True) | Q(canteen_total__gte=F("canteen_directed")),
                                   name="consumption_directed_within_canteen"),
            models.CheckConstraint(condition=Q(farm_832__isnull=True) | Q(farm_total__gte=F("farm_832")),
                                   name="consumption_832_within_farm"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年"
