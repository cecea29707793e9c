from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangpin.monitoring import services


class Command(BaseCommand):
    help = "设置某年度的监测标准（省2位代码前缀；不填为全国）。县级标准由县乡村振兴局在系统中设置"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="省级区划代码前两位，如 14；不填为全国")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--line", required=True, help="家庭年人均纯收入监测标准（元）")
        parser.add_argument("--edge", default="1.5", help="边缘系数")
        parser.add_argument("--sharp", default="0.3", help="大幅下降比例")
        parser.add_argument("--reason", required=True, help="依据（文件文号等）")
        parser.add_argument("--dibao", default="", help="农村低保标准（元/人·年，可不填）")

    def handle(self, *args, region, year, line, edge, sharp, reason, dibao="", **opts):
        if region and len(region) != 2:
            raise CommandError("命令只设置省级（2位）或全国标准；县级标准在系统中设置")
        try:
            row = services.set_line(None, region_prefix=region, year=year, line_yuan=Decimal(line), reason=reason,
                                    edge_factor=Decimal(edge), sharp_fall=Decimal(sharp),
                                    dibao_yuan=Decimal(dibao) if dibao else None)
        except (InvalidOperation, ValidationError) as e:
            raise CommandError(f"监测标准无效：{e}") from None
        self.stdout.write(f"已设置：{row}")
