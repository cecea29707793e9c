from collections import Counter

from django.core.management.base import BaseCommand

from fangpin.accounts.cli import user_named
from fangpin.monitoring import services
from fangpin.monitoring.models import Band


class Command(BaseCommand):
    help = "收入全面核算：按该用户的范围重算某年度每户的人均纯收入和收入分档，列出分档变化的户"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--user", required=True, help="以该用户（县乡村振兴局）的范围核算")

    def handle(self, *args, year, user, **opts):
        who = user_named(user)
        changes = services.recompute(who, year)
        labels = dict(Band.choices)
        counts = Counter(c.after for c in changes)
        self.stdout.write(f"{year}年核算完成；分档有变化的户 {len(changes)} 户："
                          + "，".join(f"{labels[k]} {n} 户" for k, n in sorted(counts.items())))
        self.stdout.write(f"收入预警：新增 {changes.warnings_new} 条，并入同户同期预警 {changes.warnings_joined} 条，"
                          f"已有 {changes.warnings_known} 条")
        for c in changes[:200]:
            self.stdout.write(f"  {c.household_number}（{c.village_code}）：{labels.get(c.before, '首次核算')} → {labels[c.after]}")
