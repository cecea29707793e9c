"""Dated snapshots of every indicator for every unit of an area: what the dashboards, the drill-down, the trend lines,
the API and the monthly bulletin read (never recomputed per view)."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from .status import CHOICES


class Snapshot(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", "月度快照"
        ON_DEMAND = "on_demand", "按需快照"

    class State(models.TextChoices):
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    area = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="范围")
    on = models.DateField("统计日")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RUNNING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="申请人")
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    units = models.PositiveIntegerField("单位数", default=0)
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "指标快照"
        ordering = ["-on", "-id"]
        constraints = [
            # one finished snapshot per area and day: a new one replaces it
            models.UniqueConstraint(fields=["area", "on"], condition=Q(state="done"), name="one_done_snapshot_per_day"),
            models.CheckConstraint(condition=Q(kind__in=["monthly", "on_demand"]), name="snapshot_kind_known"),
            models.CheckConstraint(condition=Q(state__in=["running", "done", "failed"]), name="snapshot_state_known"),
        ]
        indexes = [models.Index(fields=["area", "state", "on"], name="snapshot_by_area_day")]

    def __str__(self) -> str:
        return f"{self.area.name} {self.on:%Y-%m-%d}"


class IndicatorValue(models.Model):
    # The indexes below all lead with the snapshot: no index of its own. The units are not foreign keys in the
    # database: a province's snapshot writes millions of rows, and checking each against the division table triples
    # the write (docs/benchmarks.md); the values are made from that table in the same run, and divisions are never
    # deleted (PROTECT everywhere else).
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values", verbose_name="快照",
                                 db_index=False)
    indicator = models.CharField("指标", max_length=64)
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.DO_NOTHING, related_name="+", verbose_name="单位",
                             db_index=False, db_constraint=False)
    parent = models.ForeignKey("orgunits.OrgUnit", on_delete=models.DO_NOTHING, related_name="+", null=True,
                               verbose_name="上级", db_index=False, db_constraint=False)
    numerator = models.BigIntegerField("分子（或数值）", null=True)
    denominator = models.BigIntegerField("分母", null=True)
    value = models.FloatField("数值", null=True)
    base = models.FloatField("上年同期", null=True)
    status = models.CharField("状态", max_length=10, choices=CHOICES)
    bound = models.FloatField("目标值", null=True)
    expected = models.FloatField("序时进度应达", null=True)
    gap = models.FloatField("差距", null=True)
    due = models.DateField("目标时点", null=True)
    target = models.SmallIntegerField("适用目标序号", null=True)

    class Meta:
        verbose_name = "指标值"
        constraints = [
            # also a unit's every value, and (one probe per snapshot) its trend
            models.UniqueConstraint(fields=["snapshot", "unit", "indicator"], name="one_value_per_snapshot_unit"),
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in CHOICES]), name="indicator_status_known"),
            models.CheckConstraint(condition=Q(target__isnull=True) | Q(target__gte=0), name="indicator_target_index"),
        ]
        # Every index leads with the snapshot, so a month's rows go to the end of each, not among all earlier months'
        # (an index led by the unit made each month's write slower than the last: docs/benchmarks.md).
        indexes = [models.Index(fields=["snapshot", "parent", "indicator"], name="value_children")]  # ranking, drill-down
