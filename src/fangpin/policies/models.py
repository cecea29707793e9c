"""Parameter values county staff set on the page: dated values added to a catalog document's parameters.

The catalog file stays the source of the rules; a value here applies from its date like a value in the file (and
replaces the file's value of the same date). Every change is kept by django-simple-history: who, when, what, why.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ParameterValue(models.Model):
    document_id = models.CharField("政策文件", max_length=64)
    key = models.CharField("参数", max_length=64)
    valid_from = models.DateField("起始日期")
    value = models.CharField("取值", max_length=32, help_text="金额以元计；比例写成 1/2 或 0.5")
    reason = models.CharField("调整依据", max_length=200)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="设置人")
    changed_at = models.DateTimeField("设置时间", auto_now=True)
    history = HistoricalRecords(verbose_name="参数变更记录")

    class Meta:
        verbose_name = "政策参数取值"
        constraints = [models.UniqueConstraint(fields=["document_id", "key", "valid_from"], name="one_value_per_date")]
        ordering = ["document_id", "key", "valid_from"]

    def __str__(self) -> str:
        return f"{self.document_id}.{self.key}@{self.valid_from}={self.value}"
