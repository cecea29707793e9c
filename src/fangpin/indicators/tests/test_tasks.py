"""The jobs: a requested snapshot run by the job runner, and the monthly tick that enqueues its successor for 02:00 on
the next 1st (checked on the database backend, which can defer; the immediate backend of the tests cannot)."""
from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import override_settings
from django_tasks import TaskResultStatus

from conftest import PINGLU
from fangpin.indicators import snapshots, tasks
from fangpin.indicators.models import Snapshot
from fangpin.orgunits.models import OrgUnit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize("now, expected", [
    (local(2025, 10, 15, 10, 0), local(2025, 11, 1, 2, 0)),
    (local(2025, 12, 31, 23, 59), local(2026, 1, 1, 2, 0)),
    (local(2025, 11, 1, 2, 0), local(2025, 12, 1, 2, 0)),  # the tick itself, at its hour: the month after
    (local(2025, 1, 31, 12, 0), local(2025, 2, 1, 2, 0)),
    # 31 Oct 17:00 UTC is already 1 Nov in Shanghai: local time decides
    (dt.datetime(2025, 10, 31, 17, 0, tzinfo=dt.timezone.utc), local(2025, 12, 1, 2, 0)),
])
def test_next_tick_is_the_next_first_at_two(now, expected):
    assert tasks.next_tick(now) == expected


@pytest.fixture
def db_backend(db):
    with override_settings(TASKS=DB_TASKS):
        yield


def waiting():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path="fangpin.indicators.tasks.monthly_tick",
                                            status=TaskResultStatus.READY).values_list("run_after", flat=True))


def test_monthly_tick_takes_last_months_snapshots_and_enqueues_the_next(db_backend, monkeypatch):
    asked = []
    monkeypatch.setattr(snapshots, "monthly", lambda today: asked.append(today) or [])
    monkeypatch.setattr(tasks.timezone, "now", lambda: local(2025, 11, 1, 2, 0, 5))
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: dt.date(2025, 11, 1))
    tasks.monthly_tick.call()
    assert asked == [dt.date(2025, 11, 1)]
    assert waiting() == [local(2025, 12, 1, 2, 0)]
    tasks.monthly_tick.call()  # run twice (a retry): still one tick waiting
    assert len(waiting()) == 1


def test_a_failing_month_still_schedules_the_next(db_backend, monkeypatch):
    def boom(today):
        raise RuntimeError("数据库不可用")

    monkeypatch.setattr(snapshots, "monthly", boom)
    with pytest.raises(RuntimeError):
        tasks.monthly_tick.call()
    assert len(waiting()) == 1


def test_ensure_starts_the_chain_once(db_backend):
    now = local(2025, 10, 15, 9, 0)
    assert tasks.ensure_monthly_scheduled(now) == (local(2025, 11, 1, 2, 0), True)
    assert tasks.ensure_monthly_scheduled(local(2025, 10, 20, 9, 0)) == (local(2025, 11, 1, 2, 0), False)
    assert waiting() == [local(2025, 11, 1, 2, 0)]


def test_the_immediate_backend_schedules_nothing(db, monkeypatch):
    monkeypatch.setattr(snapshots, "monthly", lambda today: [])
    assert tasks.schedule_next() is None
    assert tasks.ensure_monthly_scheduled() == (None, False)
    result = tasks.monthly_tick.enqueue()  # runs at once and does not recurse
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_take_snapshot_runs_a_requested_snapshot(world):
    snap = snapshots.start(OrgUnit.objects.get(code=PINGLU), dt.date(2025, 10, 31), Snapshot.Kind.ON_DEMAND, world.county)
    assert snap.state == Snapshot.State.RUNNING
    result = tasks.take_snapshot.enqueue(snap.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    snap.refresh_from_db()
    assert snap.state == Snapshot.State.DONE and snap.units > 1 and snap.values.exists()
    tasks.take_snapshot.enqueue(snap.pk)  # a retried job leaves a finished snapshot alone
    assert Snapshot.objects.get(pk=snap.pk).finished_at == snap.finished_at


def test_the_tick_archives_the_bulletins_of_the_counties_and_up(world, settings, tmp_path, monkeypatch):
    from fangpin.indicators import bulletin

    settings.VAR_DIR = tmp_path
    shot = snapshots.take(OrgUnit.objects.get(code=PINGLU), dt.date(2025, 10, 31))
    monkeypatch.setattr(snapshots, "monthly", lambda today: [shot])
    tasks.monthly_tick.call()
    day = tmp_path / "bulletins" / "2025-10-31"
    made = sorted(p.name for p in day.iterdir())
    assert made == ["140603000000.pdf", "140603000000.xlsx"]  # the county's; its townships send none
    assert (day / "140603000000.pdf").read_bytes().startswith(b"%PDF")
    pinglu = OrgUnit.objects.get(code=PINGLU)
    assert bulletin.archived(pinglu) == [{"on": dt.date(2025, 10, 31), "formats": ["xlsx", "pdf"]}]
    assert bulletin.archived_file(pinglu, dt.date(2025, 10, 31), "exe") is None
