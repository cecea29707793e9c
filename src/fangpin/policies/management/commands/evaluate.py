from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.policies import audit, engine, output, tables
from fangpin.policies.cli import document_on


class Command(BaseCommand):
    help = "按政策目录计算应享待遇：读取交换格式文件（JSON 或 Excel），不写入数据库（核对村代码时读取系统的区划表）；输出 JSON 或 Excel"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, help="政策文件 id，如 sn2022-67")
        parser.add_argument("--as-of", required=True, help="计算日期，如 2025-06-30（取该日有效的文件和参数，计算该年度）")
        parser.add_argument("--input", required=True, type=Path, dest="input_path")
        parser.add_argument("--output", required=True, type=Path, dest="output_path", help=".json 或 .xlsx")
        parser.add_argument("--payments", type=Path, help="以前年度的发放记录（可选）：已享受的一次性待遇不再计算")

    def handle(self, *args, policy, as_of, input_path: Path, output_path: Path, payments: Path | None = None, **opts):
        doc, day = document_on(policy, as_of)
        if output_path.suffix not in (".json", ".xlsx"):
            raise CommandError("输出文件应以 .json 或 .xlsx 结尾")
        try:
            inputs = tables.read(input_path)
            granted, bad_payments = audit.read_payments(payments, doc) if payments else (None, [])
        except ValueError as e:
            raise CommandError(str(e)) from None
        built, unreadable = tables.build(inputs, year=day.year, as_of=day)
        unreadable += bad_payments
        ev = engine.evaluate(doc, built, as_of=day, granted=audit.as_granted(granted))
        write = output.write_json if output_path.suffix == ".json" else output.write_xlsx
        write(output_path, policy=policy, as_of=day, ev=ev, unreadable=unreadable)
        for m in ev.messages:
            self.stderr.write(m)
        for u in unreadable:
            self.stderr.write(f"无法评估：{input_path.name} 工作表“{u.sheet}”第{u.row}行（{u.key}）：{u.reason}")
        total = int(ev.results["amount"].sum()) if ev.results.height else 0
        self.stdout.write(f"{ev.results.height} 条待遇，合计 {total / 100:,.2f} 元；无法评估 {len(unreadable)} 行；已写入 {output_path}")
