"""What the microcredit checks measure (checks.yaml), and the figures an area's targets read (issue 14): the new
lending of a period and the balance on a day, over the loans whose borrower lives under an area.

A loan's balance on a day is its amount less the principal repaid and the compensation paid by then; it is repaid
(还清) on the day that balance reaches zero, and due on its 到期日期, or the day it was extended to (展期至)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, Sum
from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Done, Ratio, Subject
from fangpin.lib import divisions, money

from .models import Compensation, Loan, Repayment

AREA = "member__household__village_id"


def _loans(code: str):
    return Loan.objects.filter(access.subtree(AREA, divisions.prefix(code)))


def _sum(qs, field: str) -> int:
    return qs.aggregate(s=Sum(field))["s"] or 0


def new_lending(code: str, start: dt.date, end: dt.date) -> int:
    """Fen lent from `start` to `end` (both included) to borrowers under `code`."""
    return _sum(_loans(code).filter(issued_on__gte=start, issued_on__lte=end), "amount")


def balance_on(code: str, day: dt.date) -> int:
    """Fen outstanding on `day` on the loans of borrowers under `code`."""
    loans = _loans(code).filter(issued_on__lte=day)
    paid = (_sum(Repayment.objects.filter(loan__in=loans, repaid_on__lte=day), "principal")
            + _sum(Compensation.objects.filter(loan__in=loans, compensated_on__lte=day), "amount"))
    return max(_sum(loans, "amount") - paid, 0)


def _payments(loan_ids: list[int]) -> dict[int, list[tuple[dt.date, int, bool]]]:
    """loan -> its payments in date order: (day, fen, paid by the risk-compensation fund)."""
    out = defaultdict(list)
    repaid = Repayment.objects.filter(loan_id__in=loan_ids).values_list("loan_id", "repaid_on", "principal")
    for loan_id, day, fen in repaid:
        out[loan_id].append((day, fen, False))
    for loan_id, day, fen in (Compensation.objects.filter(loan_id__in=loan_ids, compensated_on__isnull=False)
                              .values_list("loan_id", "compensated_on", "amount")):
        out[loan_id].append((day, fen, True))
    for payments in out.values():
        payments.sort()
    return out


def _state(loan: Loan, payments, day: dt.date) -> tuple[int, dt.date | None, int]:
    """(balance on `day`, the day it was repaid if by `day`, compensation paid by then) of one loan."""
    paid = compensated = 0
    for on, fen, by_fund in payments:
        if on > day:
            break
        paid += fen
        compensated += fen if by_fund else 0
        if paid >= loan.amount:
            return 0, on, compensated
    return loan.amount - paid, None, compensated


def _yuan(fen: int) -> str:
    return f"{money.fen_to_yuan(fen):,.2f}元"


def _url(loan: Loan) -> str:
    return reverse("ledger_entry", args=["credit", "credit_loans", loan.pk])


# -- checks ---------------------------------------------------------------------------------------------------------

def repaid_by_due(code: str, year: int, on: dt.date):
    """One (subject, Done) for each loan under `code` issued by `on` and due in `year` (its extension if any)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    due_in_year = (Q(extended_to__isnull=True, due_on__gte=start, due_on__lte=end)
                   | Q(extended_to__gte=start, extended_to__lte=end))
    loans = list(_loans(code).filter(due_in_year, issued_on__lte=on).select_related("member__household")
                 .order_by("due_on", "code"))
    payments = _payments([loan.pk for loan in loans])
    for loan in loans:
        balance, repaid, compensated = _state(loan, payments[loan.pk], on)
        extended = f"，原到期日{loan.due_on:%Y-%m-%d}，已展期" if loan.extended_to else ""
        subject = Subject(f"贷款{loan.code}（{loan.member.name}，{loan.bank}{extended}）",
                          loan.member.household.village_id, _url(loan), due=loan.final_due)
        text = ""
        if repaid is not None:
            text = f"已于{repaid:%Y-%m-%d}还清" + (f"（其中风险补偿代偿{_yuan(compensated)}）" if compensated else "")
        yield subject, Done(repaid, text, f"尚余本金{_yuan(balance)}未还")


def household_balance(code: str, year: int, on: dt.date, *, cap_yuan: int):
    """One (subject, ratio_on) for each household under `code` with a balance on the day judged (`on`, or the end of
    an earlier year): its loans' balance against the cap. Judged on that day."""
    day = min(on, dt.date(year, 12, 31))
    cap = cap_yuan * 100
    loans = list(_loans(code).filter(issued_on__lte=day).select_related("member__household")
                 .order_by("issued_on", "pk"))
    payments = _payments([loan.pk for loan in loans])
    by_household = defaultdict(list)
    for loan in loans:
        balance = _state(loan, payments[loan.pk], day)[0]
        if balance:
            by_household[loan.member.household].append((loan, balance))
    for household, owed in sorted(by_household.items(), key=lambda kv: kv[0].number):
        last = owed[-1][0]  # the latest loan: a top-up is where the cap is reached
        total = sum(b for _, b in owed)
        subject = Subject(f"{last.member.name}户（户编号{household.number}，{len(owed)}笔贷款未还清）",
                          household.village_id, _url(last), due=day)
        yield subject, lambda _day, total=total: Ratio(total, cap, "贷款余额合计", "单户上限")


def province_new_lending(code: str, year: int, on: dt.date, *, target_yuan: int) -> Ratio:
    lent = new_lending(code, dt.date(year, 1, 1), min(on, dt.date(year, 12, 31)))
    return Ratio(lent, target_yuan * 100, f"{year}年新增发放脱贫人口小额贷款", "目标")


def province_balance(code: str, year: int, on: dt.date, *, target_yuan: int) -> Ratio:
    return Ratio(balance_on(code, on), target_yuan * 100, "脱贫人口小额贷款余额", "目标")


# -- what the list shows beside the sheet's columns ----------------------------------------------------------------

def balance_shown(loan: Loan, today: dt.date) -> float:
    return max(loan.amount - loan.paid_by(today), 0) / 100  # yuan, as the list shows money


def state_shown(loan: Loan, today: dt.date) -> str:
    if loan.paid_by(today) >= loan.amount:
        return "已结清"
    if loan.final_due < today:
        return "逾期"
    return "已展期" if loan.extended_to else "正常"


def annotate_paid(qs, day: dt.date):
    """The loans with what was repaid and compensated by `day`, in the list's one query (Loan.paid_by reads it)."""
    from django.db.models import DateField, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import Compensation, Repayment

    def total(model, field, date_field):
        rows = (model.objects.filter(loan=OuterRef("pk"), **{f"{date_field}__lte": day}).order_by()
                .values("loan").annotate(s=Sum(field)).values("s"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return qs.annotate(paid_day=Value(day, output_field=DateField()),
                       paid_repaid=total(Repayment, "principal", "repaid_on"),
                       paid_compensated=total(Compensation, "amount", "compensated_on"))


# -- the ledger page's summary: new lending and balance by the units one level down ---------------------------------

def lending_by_unit(unit, year: int, on: dt.date) -> dict:
    """The area's new lending in `year` (to `on`) and balance on `on`, for each unit one level down and in total: four
    grouped queries whatever the number of units."""
    from django.db.models.functions import Substr

    from fangpin.employment.report import units_below
    from fangpin.orgunits.models import Level

    below = divisions.level_below(unit.level) if unit.level != Level.VILLAGE else Level.VILLAGE
    width = divisions.PREFIX_LENGTH[below]
    loans = _loans(unit.code).filter(issued_on__lte=on)

    def grouped(qs, path, field):
        rows = qs.annotate(part=Substr(path, 1, width)).values("part").annotate(s=Sum(field)).order_by()
        return {r["part"]: r["s"] or 0 for r in rows}

    lent = grouped(loans.filter(issued_on__gte=dt.date(year, 1, 1)), AREA, "amount")
    issued = grouped(loans, AREA, "amount")
    repaid = grouped(Repayment.objects.filter(loan__in=loans, repaid_on__lte=on), f"loan__{AREA}", "principal")
    compensated = grouped(Compensation.objects.filter(loan__in=loans, compensated_on__lte=on), f"loan__{AREA}",
                          "amount")
    rows = []
    for u in units_below(unit):
        part = divisions.prefix(u.code, below)
        balance = max(issued.get(part, 0) - repaid.get(part, 0) - compensated.get(part, 0), 0)
        rows.append({"unit": u, "lent": lent.get(part, 0), "balance": balance})
    total = {"lent": sum(r["lent"] for r in rows), "balance": sum(r["balance"] for r in rows)}
    return {"year": year, "on": on, "rows": rows, "total": total}
