from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.accounts.cli import user_named
from fangpin.exchange import importer


class Command(BaseCommand):
    help = "导入交换格式文件（Excel 或 JSON）：全部成功或全部不写入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="以该用户的权限导入（记入变更记录）")

    def handle(self, *args, file, user, **opts):
        u = user_named(user)
        result = importer.import_file(user=u, path=file)
        if not result.ok:
            for p in result.problems:
                where = p.where()
                self.stderr.write(f"{file.name}：{where + '：' if where else ''}{p.message}")
            raise CommandError(f"未导入：共 {len(result.problems)} 处错误，未写入任何数据")
        for title, n in result.counts.items():
            self.stdout.write(f"{title}：{n} 行")
