"""`fangpin indicators`: snapshot, monthly, bulletin (and its errors), schedule."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import LONGXIAN, PINGLU, SHUANGNIAN
from fangpin.indicators import bulletin
from fangpin.indicators.models import Snapshot

from .test_bulletin import CATALOG, make_snapshot


def run(*args) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_snapshot_of_an_area_on_a_day(world):
    out = run("snapshot", "--area", PINGLU, "--on", "2025-10-31")
    snap = Snapshot.objects.get()
    assert (snap.area_id, snap.on, snap.kind, snap.state) == (PINGLU, dt.date(2025, 10, 31), "on_demand", "done")
    assert out.startswith(f"已生成快照{snap.pk}：平鲁区（{PINGLU}）2025-10-31，按需快照，已完成")


def test_monthly_takes_last_months_snapshot_once(world):
    out = run("monthly", "--today", "2025-11-01")
    done = list(Snapshot.objects.filter(on=dt.date(2025, 10, 31), kind="monthly", state="done"))
    assert done and out.count("已生成快照") == len(done)
    assert run("monthly", "--today", "2025-11-20") == "2025-10-31的月度快照均已存在\n"


def test_bulletin_writes_both_files_from_the_latest_snapshot_holding_the_unit(db, tmp_path, monkeypatch):
    monkeypatch.setattr(bulletin, "load_catalog", lambda: CATALOG)
    make_snapshot(dt.date(2025, 9, 30))
    latest = make_snapshot(dt.date(2025, 10, 31))
    out = run("bulletin", "--area", SHUANGNIAN, "--xlsx", str(tmp_path / "b.xlsx"), "--pdf", str(tmp_path / "b.pdf"))
    assert (tmp_path / "b.xlsx").read_bytes()[:2] == b"PK" and (tmp_path / "b.pdf").read_bytes()[:4] == b"%PDF"
    assert f"双碾乡巩固拓展脱贫攻坚成果指标调度通报（2025年10月）：统计日2025年10月31日（快照{latest.pk}）。共2项指标：" in out
    out = run("bulletin", "--area", PINGLU, "--on", "2025-10-15", "--xlsx", str(tmp_path / "sept.xlsx"))
    assert "平鲁区巩固拓展脱贫攻坚成果指标调度通报（2025年9月）" in out


@pytest.mark.parametrize("args, message", [
    (["bulletin", "--area", PINGLU, "--xlsx", "x.xlsx"], "平鲁区（140603000000）没有已完成的指标快照；请先生成快照"),
    (["bulletin", "--area", LONGXIAN, "--on", "2025-10-31", "--pdf", "x.pdf"],
     "陇县（610327000000）2025-10-31及以前没有已完成的指标快照"),
    (["bulletin", "--area", "999999999999", "--xlsx", "x.xlsx"], "没有区划代码为“999999999999”的单位"),
    (["bulletin", "--area", PINGLU], "请用 --xlsx 或 --pdf 指定至少一个输出文件"),
    (["bulletin", "--area", PINGLU, "--on", "2025-13-01", "--xlsx", "x.xlsx"], "日期“2025-13-01”应写成 YYYY-MM-DD"),
    (["snapshot", "--area", PINGLU, "--on", "31/10/2025"], "日期“31/10/2025”应写成 YYYY-MM-DD"),
    (["schedule"], "当前任务后端不能定时执行"),
])
def test_errors_are_clear_and_chinese(db, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message.replace("（", r"\（").replace("）", r"\）")):
        run(*args)
    assert not list(tmp_path.iterdir())


def test_an_earlier_snapshot_than_asked_is_not_there(db):
    make_snapshot(dt.date(2025, 10, 31))
    with pytest.raises(CommandError, match="2025-09-30及以前没有已完成的指标快照"):
        run("bulletin", "--area", PINGLU, "--on", "2025-09-30", "--xlsx", "x.xlsx")


def test_schedule_on_the_database_backend(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    first = run("schedule")
    assert first.startswith("已安排：下次月度快照于") and first.rstrip().endswith("02:00执行（fangpin db_worker）")
    assert run("schedule").startswith("已有安排：")
