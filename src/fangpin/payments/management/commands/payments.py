"""`fangpin payments`: every step of a payment round from the command line, acting as a named user (the same services,
rules and area checks as the pages and the API)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangpin.accounts.cli import user_named
from fangpin.lib import listing
from fangpin.payments import approval, bankfiles, disbursement, ledger, notices, rounds
from fangpin.payments.models import DisbursementFile, RoundPart


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”应写成 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "政策兑现：新建批次、查看、各村公示表、审核审定、生成代发文件、导入回盘、失败重发、导出发放台账、发放审计"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="以该用户的身份和范围办理")
        sub = parser.add_subparsers(dest="step", required=True)
        p = sub.add_parser("create", help="新建批次并计算（在本进程内计算）")
        p.add_argument("--title", required=True)
        p.add_argument("--document", required=True, help="政策文件 id，如 sn2022-67")
        p.add_argument("--benefits", required=True, help="兑现项目 id，逗号分隔")
        p.add_argument("--as-of", required=True, help="计算日期 YYYY-MM-DD")
        p.add_argument("--area", required=True, help="县、乡镇或村的12位区划代码")
        p = sub.add_parser("show", help="批次概况和各乡镇状态")
        p.add_argument("round", type=int)
        p = sub.add_parser("notices", help="本人范围内各村的公示表（Excel），写入一个目录")
        p.add_argument("round", type=int)
        p.add_argument("out", help="目录（没有则新建）")
        p = sub.add_parser("act", help="乡镇审核或县级审定一个乡镇的名单")
        p.add_argument("round", type=int)
        p.add_argument("--township", required=True, help="乡镇12位区划代码")
        p.add_argument("--action", required=True, choices=["approve", "return"])
        p.add_argument("--reason", default="")
        p = sub.add_parser("issue", help="生成银行代发文件")
        p.add_argument("round", type=int)
        p.add_argument("--layout", default=rounds.rules()["default_layout"], help="、".join(bankfiles.layouts()))
        p.add_argument("--paid-on", default="")
        p = sub.add_parser("import-return", help="导入银行回盘文件")
        p.add_argument("file_id", type=int, help="代发文件编号")
        p.add_argument("path")
        p = sub.add_parser("reissue", help="发放失败的行生成重发批次")
        p.add_argument("round", type=int)
        p.add_argument("--title", default="")
        p = sub.add_parser("audit", help="发放审计：本系统的发放台账与应享待遇比对")
        p.add_argument("--document", required=True, help="政策文件 id，如 sn2022-67")
        p.add_argument("--as-of", required=True, help="审计日期 YYYY-MM-DD")
        p.add_argument("--area", default="", help="县、乡镇或村的12位区划代码（默认本人范围）")
        p = sub.add_parser("ledger", help="导出发放台账（Excel）")
        p.add_argument("out")
        p.add_argument("--area", default="")
        p.add_argument("--year", type=int)

    def handle(self, *args, user, step, **o):
        who = user_named(user)
        try:
            getattr(self, "_" + step.replace("-", "_"))(who, **o)
        except (ValidationError, PermissionDenied, approval.Conflict, ValueError) as e:
            raise CommandError("；".join(e.messages) if isinstance(e, ValidationError) else str(e)) from None

    def _create(self, who, *, title, document, benefits, as_of, area, **_):
        rnd = rounds.create(who, title=title, document_id=document, benefit_ids=[b.strip() for b in benefits.split(",")
                                                                                  if b.strip()],
                            as_of=_date(as_of), area=area, run=rounds.compute)
        rnd.refresh_from_db()
        if rnd.error:
            raise CommandError(rnd.error)
        self._show(who, round=rnd.pk)

    def _show(self, who, *, round, **_):
        rnd = rounds.round_get(user=who, pk=round)
        self.stdout.write(f"第{rnd.pk}批 {rnd.title}：{rnd.get_state_display()}；{rnd.document_number}，{rnd.as_of}；"
                          f"{rnd.households}户 {rnd.rows}人次 {rnd.amount / 100:.2f}元")
        for p in rounds.parts_of(who, rnd):
            self.stdout.write(f"  {p.township.name}（{p.township_id}）：{p.get_state_display()}，{p.rows}人次 "
                              f"{p.amount / 100:.2f}元")
        for f in rnd.files.all():
            self.stdout.write(f"  代发文件{f.pk}：{f.bank} {f.rows}笔 {f.total / 100:.2f}元 {f.path} SHA-256 {f.sha256}")

    def _notices(self, who, *, round, out, **_):
        rnd = rounds.round_get(user=who, pk=round)
        written, rows = notices.write_all(who, rnd, Path(out))
        self.stdout.write(f"已生成{written}个村的公示表，共{rows}人次 → {out}")

    def _act(self, who, *, round, township, action, reason, **_):
        rnd = rounds.round_get(user=who, pk=round)
        part = RoundPart.objects.filter(round=rnd, township_id=township).first()
        if part is None:
            raise CommandError(f"第{rnd.pk}批没有乡镇{township}的名单")
        part = approval.act(who, part, action, version=part.version, reason=reason)
        self.stdout.write(f"{part.township.name}：{part.get_state_display()}")

    def _issue(self, who, *, round, layout, paid_on, **_):
        rnd = rounds.round_get(user=who, pk=round)
        for f in disbursement.issue(who, rnd, layout=layout, paid_on=_date(paid_on) if paid_on else None):
            self.stdout.write(f"代发文件{f.pk}：{f.bank} {f.rows}笔 {f.total / 100:.2f}元 → {f.path}")

    def _import_return(self, who, *, file_id, path, **_):
        f = DisbursementFile.objects.filter(pk=file_id).first()
        if f is None:
            raise CommandError(f"没有代发文件{file_id}")
        f = disbursement.file_get(who, f.pk)
        record = disbursement.import_return(who, f, Path(path), Path(path).name)
        self.stdout.write(f"已导入回盘：成功{record.paid}笔 {record.paid_amount / 100:.2f}元，失败{record.failed}笔")

    def _reissue(self, who, *, round, title, **_):
        new = disbursement.reissue(who, rounds.round_get(user=who, pk=round), title=title)
        self.stdout.write(f"已生成第{new.pk}批（失败重发），{new.rows}笔 {new.amount / 100:.2f}元，待县级审定")

    def _audit(self, who, *, document, as_of, area, **_):
        from fangpin.accounts import access
        from fangpin.policies import batch, parameters

        access.require(who, "policy.edit")
        got = batch.audit_registry(who, parameters.document(who, document), area or who.org_unit_id, None,
                                   _date(as_of))
        if got is None:
            raise CommandError("所选范围户数过多，请选择一个乡镇或村")
        self.stdout.write(f"{got['households']}户，发放台账{got['payments']}笔：审计发现{len(got['findings'])}项")
        for f in got["findings"]:
            self.stdout.write(f"  {f['finding']} {f['benefit_name']} {f['household_number'] or ''} {f['id_number']} "
                              f"{f['year']}年 应享{f['owed'] / 100:.2f}元 已发{f['paid'] / 100:.2f}元：{f['reason']}")

    def _ledger(self, who, *, out, area, year, **_):
        from fangpin.web import lists  # the ledger's columns: the file is the page's export

        rows = lists.LEDGER.rows(who, ledger.paid(who, area=area, year=year).order_by("village_id", "id")
                                 .iterator(chunk_size=2000))
        n = listing.write_xlsx(Path(out), title=lists.LEDGER.title, filters=[f"年度：{year}"] if year else [],
                               columns=lists.LEDGER.columns, rows=rows, limit=listing.JOB_MAX)
        self.stdout.write(f"已导出{n}笔 → {out}")
