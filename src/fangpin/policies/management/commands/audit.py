import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.policies import audit, engine, tables
from fangpin.policies.cli import document_on


class Command(BaseCommand):
    help = "兑现审计：把发放记录与应享待遇逐人比对，列出应享未享、重复享受、违规享受（不写入数据库；核对村代码时读取系统的区划表）"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True)
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--input", required=True, type=Path, dest="input_path", help="交换格式的户籍文件")
        parser.add_argument("--payments", required=True, type=Path, help="发放记录（JSON 的 payments 表或 Excel 的“发放记录”工作表）")
        parser.add_argument("--output", type=Path, dest="output_path", help="另存 JSON（金额单位：分）")

    def handle(self, *args, policy, as_of, input_path, payments, output_path, **opts):
        doc, day = document_on(policy, as_of)
        try:
            inputs = tables.read(input_path)
            paid, bad_payments = audit.read_payments(payments, doc)
        except ValueError as e:
            raise CommandError(str(e)) from None
        built, unreadable = tables.build(inputs, year=day.year, as_of=day)
        ev = engine.evaluate(doc, built, as_of=day)
        for m in ev.messages:
            self.stderr.write(m)
        findings = audit.audit(doc, ev.results, paid, day.year)  # one-time benefits: payments of earlier years count
        for u in unreadable + bad_payments:
            self.stderr.write(f"无法评估：工作表“{u.sheet}”第{u.row}行（{u.key}）：{u.reason}")
        counts = findings.group_by("finding").len().sort("finding").iter_rows()
        self.stdout.write("；".join(f"{k} {n} 条" for k, n in counts) or "未发现问题")
        for r in findings.iter_rows(named=True):
            who = r["id_number"] or f"户{r['household_number']}"
            self.stdout.write(f"  {r['finding']}  {r['benefit_name']}  {who}  {r['year']}年：{r['reason']}")
        if output_path:
            output_path.write_text(json.dumps({
                "policy": policy, "as_of": day.isoformat(), "findings": findings.to_dicts(),
                "unevaluable": [u.__dict__ for u in unreadable + bad_payments],
            }, ensure_ascii=False, indent=1), encoding="utf-8")
