"""Large lists exported in the background (导出文件).

A list page (web.lists) writes its Excel file while the user waits up to `listing.BACKGROUND_ABOVE` rows. A larger
selection is queued here: the job keeps the list's key and the page's query (filters and sort) and, when the worker
runs it, selects the list again through `web.lists` for the user as they are then (their area and role at that moment,
not at submission), writes it chunk by chunk and keeps the rows written on the job for the 导出文件 page. Up to
`listing.JOB_MAX` rows; more is refused with a request to narrow the filter. Each worksheet holds up to
`listing.SHEET_ROWS` rows, then the next.

Files live under VAR_DIR/exports for KEEP_DAYS days. They are pruned when a user submits the next export: files only
grow by submissions, so no scheduled task is needed to bound them.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from fangpin.lib import listing

from .models import ExportJob
from .tasks import run_list_export

log = logging.getLogger(__name__)

KEEP_DAYS = 7
SAME_WITHIN = dt.timedelta(hours=1)  # a job under way this recent is not queued twice (older: its worker may have died)
SHOWN = 20  # jobs on the 导出文件 page
FAILED = "导出失败：生成文件时发生系统错误。请重新导出；仍然失败请联系管理员。"


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


MAX_UNDER_WAY = 2  # a user's exports queued or running at once: more waits until one is done


class Busy(Exception):
    def __init__(self):
        super().__init__(f"您已有 {MAX_UNDER_WAY} 个导出正在后台生成，请等其中一个完成后再提交")


def stored_params(query, keys=None) -> dict[str, str]:
    """The page's query as the job keeps it: the filters and the sort (only `keys`, the ones the list reads, when
    given: anything else would make the same export look new), not the page number or the format."""
    return {k: v for k, v in query.items()
            if k not in ("page", "format") and v and (keys is None or k in keys)}


def submit(*, user, key: str, title: str, query, filters: list[str], total: int | None = None,
           keys=None) -> tuple[ExportJob, bool]:
    """Queue the export of list `key` with the page's `query` (kept to `keys`); the job runs in the worker (in the
    request under tests). The same list with the same query queued or running for this user (submitted within
    SAME_WITHIN) is not queued twice: (that job, False). A user with MAX_UNDER_WAY jobs under way: Busy."""
    prune()
    params = stored_params(query, keys)
    under_way = list(ExportJob.objects.filter(user=user, created_at__gte=timezone.now() - SAME_WITHIN,
                                              status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]))
    for job in under_way:
        if job.list_key == key and job.params == params:
            return job, False
    if len(under_way) >= MAX_UNDER_WAY:
        raise Busy()
    job = ExportJob.objects.create(user=user, list_key=key, title=title[:64], params=params, filters=filters,
                                   rows_total=total)
    run_list_export.enqueue(job.pk)
    job.refresh_from_db()
    return job, True


def jobs_recent(*, user, limit: int = SHOWN):
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]


def file_of(*, user, pk: int) -> tuple[ExportJob, Path]:
    """A finished job's file, for its own user only: anyone else, or a file not (or no longer) there, is 404."""
    job = ExportJob.objects.filter(pk=pk, user=user, status=ExportJob.Status.DONE).first()
    path = _dir() / job.stored_name if job and job.stored_name else None
    if path is None or not path.exists():
        raise Http404("没有这个导出文件，或文件已过保存期限")
    return job, path


def download_name(job: ExportJob) -> str:
    return f"{job.title}-{job.user.org_unit.name}-{timezone.localtime(job.created_at):%Y%m%d}.xlsx"


def prune(*, now: dt.datetime | None = None) -> int:
    """Remove the jobs submitted more than KEEP_DAYS days ago, with their files; the number removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff).values_list("pk", "stored_name"))
    for _, stored in old:
        if stored:
            (_dir() / stored).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[pk for pk, _ in old]).delete()
    return len(old)


def _progress(pk: int, rows: int) -> None:
    ExportJob.objects.filter(pk=pk).update(rows_done=rows)


def execute(job_id: int) -> None:
    """The job: claim it, select the list again for its user as they are now, write it with progress."""
    from fangpin.web import lists  # the lists are declared with their pages; the job only runs them again

    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING):
        return  # another worker has it, or it is finished
    job = ExportJob.objects.select_related("user", "user__org_unit").get(pk=job_id)
    stored = f"{secrets.token_hex(12)}.xlsx"
    path = _dir() / stored
    try:
        if not job.user.is_active:
            raise PermissionDenied("导出人的账号已停用")
        selection = lists.exporter(job.list_key, job.user, job.params)
        total = selection.count()
        if total is not None and total > listing.JOB_MAX:
            raise listing.TooMany(listing.JOB_MAX)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total, rows_done=0, filters=selection.filters)
        n = selection.write(path, limit=listing.JOB_MAX, progress=lambda rows: _progress(job.pk, rows))
    except (PermissionDenied, listing.TooMany) as e:
        path.unlink(missing_ok=True)
        _finish(job.pk, ExportJob.Status.FAILED, error=f"导出失败：{e}")
        return
    except Exception:
        path.unlink(missing_ok=True)
        log.exception("export job %s failed", job_id)
        _finish(job.pk, ExportJob.Status.FAILED, error=FAILED)
        raise
    _finish(job.pk, ExportJob.Status.DONE, rows_done=n, rows_total=n, stored_name=stored)


def _finish(pk: int, status: str, **fields) -> None:
    ExportJob.objects.filter(pk=pk).update(status=status, finished_at=timezone.now(), **fields)
