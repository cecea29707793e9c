import json
from pathlib import Path

from django.core.management.base import BaseCommand

from fangpin.exchange import docs, workbooks
from fangpin.exchange.schema import json_schema


class Command(BaseCommand):
    help = "生成交换格式的 JSON Schema 和 Excel 导入模板"

    def add_arguments(self, parser):
        parser.add_argument("--schema", type=Path, default=Path("docs/exchange-format.schema.json"))
        parser.add_argument("--template", type=Path, help="另存 Excel 导入模板到此路径")
        parser.add_argument("--doc", type=Path, default=Path("docs/exchange-format.md"))
        parser.add_argument("--feeds-doc", type=Path, default=Path("docs/department-feeds.md"))
        parser.add_argument("--ledgers-doc", type=Path, default=Path("docs/ledgers.md"))
        parser.add_argument("--indicators-doc", type=Path, default=Path("docs/indicators.md"))

    def handle(self, *args, schema, template, doc, feeds_doc, ledgers_doc, indicators_doc, **opts):
        from fangpin.indicators import docs as indicator_docs
        from fangpin.monitoring.feeds import feeds_markdown

        feeds_doc.write_text(feeds_markdown(), encoding="utf-8")
        schema.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        docs.update(doc)
        docs.update_ledgers(ledgers_doc)
        indicator_docs.update(indicators_doc)
        self.stdout.write(f"已写入 {schema}、{feeds_doc}，已更新 {doc}、{ledgers_doc}、{indicators_doc} 的列表")
        if template:
            workbooks.write_template(template)
            self.stdout.write(f"已写入 {template}")
