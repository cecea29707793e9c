from django.core.management.base import BaseCommand

from fangpin.demo import setup


class Command(BaseCommand):
    help = "准备演示环境：区划切片、各角色演示账号、双碾乡和陇县的合成户籍数据（已有则跳过）"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账号")

    def handle(self, *args, quiet_accounts=False, **opts):
        n = setup.ensure_divisions()
        if n:
            self.stdout.write(f"已载入行政区划 {n} 个")
        users = setup.ensure_accounts()
        for county, result in setup.ensure_households().items():
            counts = "，".join(f"{k}{v}行" for k, v in result.counts.items())
            self.stdout.write(f"已导入演示数据（{county[:6]}）：{counts}")
        run = setup.ensure_screening()
        if run is not None:
            self.stdout.write(f"已上传演示部门数据 {run.uploads.count()} 份并完成筛查比对：新增预警 {run.warnings_new} 条，"
                              f"身份证号无效 {run.counts['invalid_id']} 行，姓名不符 {run.counts['name_mismatch']} 行，"
                              f"户籍库中无此人 {run.counts['absent']} 行")
        lines = setup.ensure_lines()
        if lines:
            self.stdout.write(f"已设置演示用监测标准 {lines} 项（演示数值）并完成收入核算")
        cadres = setup.ensure_cadres()
        if cadres:
            self.stdout.write(f"已登记演示用帮扶干部名册 {cadres} 人")
        cases = setup.ensure_procedure()
        if cases:
            from fangpin.monitoring.models import Case

            states = dict(Case.State.choices)
            self.stdout.write("已建立双碾村各环节的演示案件：" + "，".join(f"{states[k]}{v}件" for k, v in cases.items()))
        pay = setup.ensure_payments()
        if pay:
            self.stdout.write(f"已建立双碾乡2025年的演示兑现批次 {pay['rounds']} 批：第一批已到账 {pay['paid']} 笔、"
                              f"发放失败 {pay['failed']} 笔；第二批公示中 {pay['noticed']} 笔")
        from fangpin.demo.ledgers import ensure_ledgers
        from fangpin.ledgers.catalog import LEDGERS

        for key, counties in ensure_ledgers().items():
            rows = "，".join(f"{c[:6]} {n}行" for c, n in counties.items())
            self.stdout.write(f"已导入演示{LEDGERS[key].title}：{rows}")
        from fangpin.demo.indicators import ensure_snapshots

        if taken := ensure_snapshots():
            self.stdout.write(f"已计算演示的月度指标快照 {taken} 个（上年1月起每月月底）")
        from fangpin.indicators.tasks import ensure_monthly_scheduled

        when, added = ensure_monthly_scheduled()
        if added:
            self.stdout.write(f"已安排每月指标快照（下次：{when:%Y-%m-%d %H:%M}）")
        if quiet_accounts:
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {setup.PASSWORD}）：")
        for u in users:
            self.stdout.write(f"  {u.username:<10} {u.display_name:<4} {u.get_role_display():<12} "
                              f"{u.org_unit.full_name() or u.org_unit.name}（{u.org_unit_id}）")
        self.stdout.write("")
