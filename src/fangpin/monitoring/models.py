"""Monitoring: the yearly monitoring line per region, and each household's income accounting by year."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class MonitoringLine(models.Model):
    """The monitoring line (防返贫监测标准) for a year: set per province (2-digit code prefix), overridden by a county
    (6 digits); an empty prefix is the national fallback. With the edge factor and the sharp-fall share it uses."""

    region_prefix = models.CharField("区划代码前缀", max_length=6, blank=True, help_text="省2位、县6位；空为全国")
    year = models.PositiveSmallIntegerField("年度")
    line = models.BigIntegerField("家庭年人均纯收入监测标准（分）")
    edge_factor = models.DecimalField("边缘系数", max_digits=4, decimal_places=2, default=1.5,
                                      help_text="人均纯收入低于 监测标准 × 系数 为边缘")
    sharp_fall = models.DecimalField("大幅下降比例", max_digits=4, decimal_places=2, default=0.3,
                                     help_text="人均纯收入比上年下降达到该比例为大幅下降")
    reason = models.CharField("依据", max_length=200)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               verbose_name="设置人")
    history = HistoricalRecords(verbose_name="监测标准变更记录")

    class Meta:
        verbose_name = "监测标准"
        constraints = [models.UniqueConstraint(fields=["region_prefix", "year"], name="one_line_per_region_year")]
        ordering = ["year", "region_prefix"]

    def __str__(self) -> str:
        return f"{self.region_prefix or '全国'} {self.year}: {self.line / 100:.2f}"


class Band(models.TextChoices):
    BELOW = "below", "低于监测标准"
    EDGE = "edge", "边缘（低于标准×系数）"
    ABOVE = "above", "高于边缘"
    UNKNOWN = "unknown", "无法判断"


class IncomeAccount(models.Model):
    """The result of the yearly income accounting (收入核算) of one household; recomputed in batch."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="income_accounts",
                                  verbose_name="户")
    year = models.PositiveSmallIntegerField("年度")
    size = models.PositiveSmallIntegerField("家庭人口")
    net_income = models.BigIntegerField("家庭纯收入（分）", null=True)
    per_capita = models.BigIntegerField("人均纯收入（分）", null=True)
    line = models.BigIntegerField("监测标准（分）", null=True)
    band = models.CharField("收入分档", max_length=16, choices=Band.choices)
    fell = models.BooleanField("比上年下降", default=False)
    sharp_fall = models.BooleanField("比上年大幅下降", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    computed_at = models.DateTimeField("核算时间", auto_now=True)
    history = HistoricalRecords(verbose_name="收入核算变更记录")

    class Meta:
        verbose_name = "收入核算"
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="one_account_per_household_year")]
        ordering = ["household_id", "year"]
