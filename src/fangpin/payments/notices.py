"""A village's public notice of a round (公示): who gets what and by which clause, for the board and the village's
group chat. A notice is public: ID numbers and account numbers are masked whoever prints it (never by role)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from django.core.exceptions import PermissionDenied

from fangpin.accounts import access
from fangpin.lib import bankcard, idnumber

from .models import PayeeAccount, PaymentRound, RoundNotice, RoundRow


@dataclass
class Notice:
    round: PaymentRound
    notice: RoundNotice
    village_name: str
    township_name: str
    rows: list[dict] = field(default_factory=list)
    total: int = 0

    @property
    def title(self) -> str:
        return f"{self.township_name}{self.village_name}{self.round.year}年度政策兑现公示（{self.round.document_number}）"


def notice_for(user, rnd: PaymentRound, village: str) -> Notice:
    """The village's notice: its rows in the roster, masked, with the notice period."""
    access.require(user, "payments.read")
    access.require_area(user, village, "该村不在您的管辖范围内")
    notice = RoundNotice.objects.select_related("village", "village__parent").filter(round=rnd, village_id=village).first()
    if notice is None:
        raise PermissionDenied("该批次在此村没有兑现名单")
    rows = list(RoundRow.objects.filter(round=rnd, village_id=village, status=RoundRow.Status.INCLUDED)
                .select_related("household").order_by("household_number", "id"))
    members = {r.member_id for r in rows if r.member_id}
    heads = {r.household_id for r in rows if r.household_id and not r.member_id}
    accounts = {a.member_id: a for a in PayeeAccount.objects.filter(until__isnull=True, member_id__in=members)}
    head_accounts = {a.member.household_id: a for a in PayeeAccount.objects.filter(
        until__isnull=True, member__household_id__in=heads, member__relation="head").select_related("member")}
    out = Notice(round=rnd, notice=notice, village_name=notice.village.name,
                 township_name=notice.village.parent.name if notice.village.parent else "")
    for i, r in enumerate(rows, 1):
        account = accounts.get(r.member_id) if r.member_id else head_accounts.get(r.household_id)
        out.rows.append({
            "no": i, "name": r.payee_name, "address": r.household.address if r.household else "",
            "id_number": idnumber.mask(r.id_number) if r.id_number else "",
            "benefit": r.benefit_name, "basis": f"{rnd.document_number}第{r.clause}条", "amount": r.amount,
            "account": f"{account.bank} {bankcard.mask(account.account_number)}" if account else "（未登记收款账户）",
        })
        out.total += r.amount
    return out


COLUMNS = (("no", "序号", 6), ("name", "姓名", 10), ("address", "住址（村民小组）", 18), ("id_number", "身份证号", 22),
           ("benefit", "兑现项目", 22), ("basis", "政策依据", 22), ("amount", "金额（元）", 12), ("account", "收款账户", 28))


def footer(n: Notice) -> list[str]:
    return [f"公示期：{n.notice.start:%Y年%m月%d日}至{n.notice.end:%Y年%m月%d日}（{n.round.notice_days}天）。",
            "公示期内如有异议，请向村委会或乡镇人民政府反映。", f"合计：{len(n.rows)}笔，{n.total / 100:,.2f}元。"]


def write_xlsx(n: Notice, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("公示")
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#EEF2F7"})
    cell = wb.add_format({"border": 1})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    ws.write(0, 0, n.title, bold)
    for j, (_, header, width) in enumerate(COLUMNS):
        ws.set_column(j, j, width)
        ws.write(2, j, header, head)
    for i, r in enumerate(n.rows, 3):
        for j, (key, _, _) in enumerate(COLUMNS):
            if key == "amount":
                ws.write_number(i, j, r[key] / 100, money)
            else:
                ws.write_string(i, j, str(r[key]), cell) if isinstance(r[key], str) else ws.write(i, j, r[key], cell)
    at = 3 + len(n.rows) + 1
    for k, line in enumerate(footer(n)):
        ws.write(at + k, 0, line)
    ws.write(at + 4, 0, f"制表：{n.township_name}{n.village_name}村民委员会    {dt.date.today():%Y年%m月%d日}")
    wb.close()
