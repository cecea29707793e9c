"""`fangpin indicators`: snapshots and the monthly 调度通报 from the command line (the same functions as the pages and
the job runner)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangpin.indicators import bulletin, snapshots, tasks
from fangpin.indicators.models import Snapshot
from fangpin.orgunits.models import OrgUnit


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”应写成 YYYY-MM-DD") from None


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"没有区划代码为“{code}”的单位（应为12位统计用区划代码）")
    return unit


def _describe(s: Snapshot) -> str:
    return (f"快照{s.pk}：{s.area.name}（{s.area_id}）{s.on:%Y-%m-%d}，{s.get_kind_display()}，{s.get_state_display()}，"
            f"{s.units}个单位，用时{s.seconds or 0:.1f}秒")


class Command(BaseCommand):
    help = "考核指标：生成快照、上月月度快照、月度调度通报（Excel、PDF）、启动每月自动快照"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        p = sub.add_parser("snapshot", help="生成一个单位（含下辖各级）在某日的指标快照（在本进程内计算）")
        p.add_argument("--area", required=True, help="12位区划代码")
        p.add_argument("--on", required=True, help="统计日 YYYY-MM-DD")
        p = sub.add_parser("monthly", help="各顶级单位上月末的月度快照（已有的跳过）")
        p.add_argument("--today", default="", help="以该日为今天 YYYY-MM-DD（默认今天）")
        p = sub.add_parser("bulletin", help="月度调度通报：用统计日当日或之前最近一次包含该单位的快照")
        p.add_argument("--area", required=True, help="通报单位的12位区划代码")
        p.add_argument("--on", default="", help="统计日 YYYY-MM-DD（默认最近一次快照）")
        p.add_argument("--xlsx", default="", help="Excel 文件路径")
        p.add_argument("--pdf", default="", help="PDF 文件路径")
        sub.add_parser("schedule", help="启动每月1日02:00的自动月度快照（由任务队列执行；已启动则不重复）")

    def handle(self, *args, step, **o):
        try:
            getattr(self, "_" + step)(**o)
        except ValueError as e:
            raise CommandError(str(e)) from None

    def _snapshot(self, *, area, on, **_):
        snapshot = snapshots.take(_unit(area), _date(on), Snapshot.Kind.ON_DEMAND)
        self.stdout.write("已生成" + _describe(snapshot))

    def _monthly(self, *, today, **_):
        day = _date(today) if today else timezone.localdate()
        done = snapshots.monthly(day)
        if not done:
            self.stdout.write(f"{snapshots.month_end_before(day):%Y-%m-%d}的月度快照均已存在")
        for s in done:
            self.stdout.write("已生成" + _describe(s))

    def _bulletin(self, *, area, on, xlsx, pdf, **_):
        if not xlsx and not pdf:
            raise CommandError("请用 --xlsx 或 --pdf 指定至少一个输出文件")
        unit = _unit(area)
        day = _date(on) if on else None
        snapshot = snapshots.latest_for(unit, day)
        if snapshot is None:
            when = f"{day:%Y-%m-%d}及以前" if day else ""
            raise CommandError(f"{unit.name}（{unit.code}）{when}没有已完成的指标快照；请先生成快照："
                               f"fangpin indicators snapshot --area {unit.code} --on YYYY-MM-DD")
        c = bulletin.content(snapshot, unit)
        if xlsx:
            Path(xlsx).parent.mkdir(parents=True, exist_ok=True)
            bulletin.write_xlsx(c, Path(xlsx))
            self.stdout.write(f"已写入 {xlsx}")
        if pdf:
            Path(pdf).parent.mkdir(parents=True, exist_ok=True)
            Path(pdf).write_bytes(bulletin.pdf(c))
            self.stdout.write(f"已写入 {pdf}")
        self.stdout.write(f"{c['title']}：统计日{c['on_text']}（快照{snapshot.pk}）。{c['summary']}")

    def _schedule(self, **_):
        when, added = tasks.ensure_monthly_scheduled()
        if when is None:
            raise CommandError("当前任务后端不能定时执行（FANGPIN_TASKS=immediate）；请使用数据库任务队列（fangpin db_worker）")
        local = timezone.localtime(when)
        self.stdout.write(f"{'已安排' if added else '已有安排'}：下次月度快照于{local:%Y-%m-%d %H:%M}执行（fangpin db_worker）")
