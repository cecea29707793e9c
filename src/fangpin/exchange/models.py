"""Background jobs of the exchange: imports (the uploaded file, who imports it, where the job stands and what came of
it) and exports of large lists (which list, with which filters and sort, for whom, how far, and the file made)."""
from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在导入"  # checking, then writing: the page reads which from the job's progress file
    DONE = "done", "已导入"
    REFUSED = "refused", "有错误，未导入"
    FAILED = "failed", "导入出错"


class ImportJob(models.Model):
    Status = ImportStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs",
                             verbose_name="导入人")
    filename = models.CharField("文件名", max_length=255)
    ledger = models.CharField("台账", max_length=32, blank=True)  # a ledger's key (fangpin.ledgers); "": the registry
    stored_name = models.CharField("保存的文件", max_length=100)
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    kind = models.CharField("文件类型", max_length=8, blank=True)
    counts = models.JSONField("写入行数", default=dict, blank=True)  # sheet title -> rows
    problems = models.JSONField("错误", default=list, blank=True)  # [{sheet, row, column, letter, value, message}]
    problem_count = models.PositiveIntegerField("错误数", default=0)
    report_name = models.CharField("错误报告", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="import_job_status_known"),
            models.CheckConstraint(  # a finished job says when
                condition=models.Q(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]) | models.Q(finished_at__isnull=False),
                name="import_job_finished_has_time"),
        ]

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)

    @property
    def ok(self) -> bool:
        return self.status == self.Status.DONE


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在生成"
    DONE = "done", "已完成"
    FAILED = "failed", "导出失败"


class ExportJob(models.Model):
    """A list's Excel file made in the background (exchange.list_exports): the list and the page's query are kept, and
    the job selects the rows again, for the user as they are when it runs."""
    Status = ExportStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs",
                             verbose_name="导出人")
    list_key = models.CharField("清单", max_length=32)  # a key of web.lists.LISTS
    title = models.CharField("清单名称", max_length=64)
    params = models.JSONField("筛选和排序", default=dict, blank=True)  # the page's query, without page and format
    filters = models.JSONField("筛选条件", default=list, blank=True)  # as the file states them: ["村：双碾村", ...]
    status = models.CharField("状态", max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField("已写入行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    stored_name = models.CharField("保存的文件", max_length=100, blank=True)  # under VAR_DIR/exports
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExportStatus.values), name="export_job_status_known"),
            models.CheckConstraint(  # a finished job says when
                condition=models.Q(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]) | models.Q(finished_at__isnull=False),
                name="export_job_finished_has_time"),
        ]

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
