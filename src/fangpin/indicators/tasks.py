"""Background jobs of the indicators (Django's tasks API; `fangpin db_worker` runs them).

The monthly snapshot keeps its own schedule in the job runner: each `monthly_tick` takes last month's snapshots and
enqueues the next tick for the 1st of the next month at 02:00 (local time), so no cron is needed. `fangpin indicators
schedule` (`ensure_monthly_scheduled`) starts the chain once; running it again adds nothing while a tick is waiting."""
from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

TICK_AT = dt.time(2, 0)


@task()
def take_snapshot(snapshot_id: int) -> None:
    """Compute a snapshot created RUNNING by a request (snapshots.start)."""
    from . import snapshots
    from .models import Snapshot

    snapshot = Snapshot.objects.select_related("area").filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.state != Snapshot.State.RUNNING:
        return  # deleted, or already run (a retried job)
    snapshots.run(snapshot)


def next_tick(now: dt.datetime) -> dt.datetime:
    """02:00 local time on the 1st of the month after `now`'s (aware)."""
    local = timezone.localtime(now)
    first = (local.date().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, TICK_AT, tzinfo=timezone.get_current_timezone())


@task()
def monthly_tick() -> None:
    """Last month's snapshot of every top unit (snapshots.monthly) and the bulletins of its counties, cities and
    province (bulletin.archive), then the next tick. The next one is enqueued even when this one fails, so one bad
    month does not end the schedule."""
    from . import bulletin, snapshots

    try:
        for snapshot in snapshots.monthly(timezone.localdate()):
            bulletin.archive(snapshot)
    finally:
        schedule_next()


def _deferrable() -> bool:
    # the immediate backend (tests, FANGPIN_TASKS=immediate) runs a task at once and cannot wait for a day
    return monthly_tick.get_backend().supports_defer


def pending_ticks():
    """The ticks waiting in the database queue (None when the backend is not the database one)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(monthly_tick.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=monthly_tick.module_path, status=TaskResultStatus.READY)


def schedule_next(now: dt.datetime | None = None):
    """Enqueue the next tick unless one is already waiting; the TaskResult, or None when nothing was enqueued."""
    if not _deferrable():
        logger.info("monthly indicator snapshot not scheduled: the task backend cannot defer tasks")
        return None
    waiting = pending_ticks()
    if waiting is not None and waiting.exists():
        return None
    when = next_tick(now or timezone.now())
    return monthly_tick.using(run_after=when).enqueue()


def ensure_monthly_scheduled(now: dt.datetime | None = None):
    """Start the monthly chain if no tick is waiting: (run_after of the waiting or new tick, whether one was added)."""
    if not _deferrable():
        return None, False
    waiting = pending_ticks()
    if waiting is not None:
        first = waiting.order_by("run_after").first()
        if first is not None:
            return first.run_after, False
    result = schedule_next(now)
    return result.task.run_after, True
