import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.orgunits.loading import read_slice
from fangpin.policies import simulate, tables
from fangpin.policies.cli import document_on

LEVELS = {"central": "中央", "province": "省级", "city": "市级", "county": "县（区）级"}
LABELS = {"benefit": ("按待遇", "benefit_name"), "level": ("按出资级次/资金来源", "level"), "village": ("按村", "village_code")}


class Command(BaseCommand):
    help = "政策模拟：改变参数后，按待遇、出资级次和村比较总金额的变化（不写入数据库；核对村代码时读取系统的区划表）"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True)
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--set", action="append", default=[], dest="changes", help="参数名=数值，可重复")
        parser.add_argument("--input", required=True, type=Path, dest="input_path")
        parser.add_argument("--output", type=Path, dest="output_path", help="另存 JSON（金额单位：分）")

    def handle(self, *args, policy, as_of, changes, input_path, output_path, **opts):
        doc, day = document_on(policy, as_of)
        if not changes:
            raise CommandError("至少用一个 --set 参数名=数值 说明要改变的参数")
        try:
            values = simulate.parse_settings(doc, changes)
            inputs = tables.read(input_path)
        except (simulate.SimulationError, ValueError) as e:
            raise CommandError(str(e)) from None
        built, unreadable = tables.build(inputs, year=day.year, as_of=day)
        result = simulate.compare(doc, built, as_of=day, changes=values)
        for name, value in values.items():
            p = doc.parameters[name]
            self.stdout.write(f"{p.label}（{name}）：{p.value_on(day)} → {value}")
        villages = {code: name for code, name, _, _ in read_slice()}
        names = {"village": lambda c: f"{villages.get(c, '')}（{c}）", "level": lambda c: LEVELS.get(c, c),
                 "benefit": lambda c: c}
        for key, frame in result.items():
            title, col = LABELS[key]
            self.stdout.write(f"\n{title}（元）{'现行':>30}{'模拟':>16}{'变化':>16}")
            for row in frame.iter_rows(named=True):
                self.stdout.write(f"  {names[key](row[col]):<30}{row['baseline'] / 100:>18,.2f}"
                                  f"{row['scenario'] / 100:>18,.2f}{row['change'] / 100:>+18,.2f}")
        if unreadable:
            self.stderr.write(f"无法评估 {len(unreadable)} 行（见 fangpin evaluate 的输出）")
        if output_path:
            output_path.write_text(json.dumps({k: v.to_dicts() for k, v in result.items()}, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
