from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.accounts.cli import user_named
from fangpin.exchange import exporter, workbooks


class Command(BaseCommand):
    help = "按某用户的权限范围导出户籍数据（.json 或 .xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)
        parser.add_argument("--user", required=True, help="以该用户的范围和脱敏规则导出")

    def handle(self, *args, output, user, **opts):
        u = user_named(user)
        if output.suffix == ".json":
            with open(output, "w", encoding="utf-8") as fh:
                exporter.write_json(u, fh)
        elif output.suffix == ".xlsx":
            workbooks.write_export(u, output)
        else:
            raise CommandError("输出文件应以 .json 或 .xlsx 结尾")
        self.stdout.write(f"已导出到 {output}")
