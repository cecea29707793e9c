"""Imports run as background jobs: the uploaded file, who imports it, where the job stands and what came of it."""
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
