"""The microcredit ledger's demo rows (fangpin.demo.ledgers imports them for 平鲁区's 双碾乡 and 陇县): loans to the heads
of the demo's lifted and monitored households, most repaid on time, some late, some extended, some overdue, one in
default with the risk-compensation fund's payments, and two households with a top-up: one at the 100,000 yuan cap,
one above it (a valid file: the check flags it)."""
from __future__ import annotations

import datetime as dt
import random

from fangpin.demo.ledgers import day_between
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.choices import Category, Relation
from fangpin.registry.models import Member

D = dt.date
ABBREVIATIONS = {"140603000000": "PL", "610327000000": "LX"}
BANKS = ["{}农村信用合作联社", "中国邮政储蓄银行{}支行", "中国农业银行{}支行"]
USES = ["livestock", "livestock", "crops", "crops", "processing", "trade", "tourism", "other"]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _borrowers(villages: list[OrgUnit]):
    return list(Member.objects.filter(relation=Relation.HEAD, household__village__in=villages,
                                      household__category__in=[Category.LIFTED, Category.MONITORED])
                .order_by("id_number").values_list("id_number", flat=True))


class _Book:
    def __init__(self, county: OrgUnit, rng: random.Random, today: dt.date):
        self.county, self.rng, self.today = county, rng, today
        self.prefix = ABBREVIATIONS.get(county.code, "XD")
        self.loans, self.repayments, self.compensations = [], [], []

    def loan(self, id_number: str, issued: dt.date, years: int, yuan: int, **extra) -> dict:
        row = {"code": f"{self.prefix}XD{issued.year}{len(self.loans) + 1:04d}", "id_number": id_number,
               "bank": self.rng.choice(BANKS).format(self.county.name), "issued_on": issued,
               "due_on": _years_later(issued, years), "amount": yuan * 100,
               "rate": self.rng.choice(["3.85", "4.35", "4.65"]), "use": self.rng.choice(USES), "top_up": False,
               "subsidized": self.rng.random() < 0.9, **extra}
        self.loans.append(row)
        return row

    def repay(self, loan: dict, day: dt.date, fen: int) -> None:
        if day <= self.today and fen > 0:
            self.repayments.append({"loan_code": loan["code"], "repaid_on": day, "principal": fen})

    def settle(self, loan: dict, rng: random.Random) -> None:
        """Repayments by the loan's fate: on time (most), late, extended, or overdue."""
        due, amount = loan["due_on"], loan["amount"]
        part = amount // 100 * rng.choice([0, 0, 20, 30]) // 100 * 100  # some repay a part a year after issue
        if part:
            self.repay(loan, _years_later(loan["issued_on"], 1) - dt.timedelta(days=rng.randrange(30)), part)
        fate = rng.random()
        if fate < 0.65:
            self.repay(loan, due - dt.timedelta(days=rng.randrange(0, 45)), amount - part)
        elif fate < 0.75:
            self.repay(loan, due + dt.timedelta(days=rng.randrange(5, 90)), amount - part)
        elif fate < 0.88:
            loan["extended_to"] = _years_later(due, 1)
            if rng.random() < 0.6:
                self.repay(loan, loan["extended_to"] - dt.timedelta(days=rng.randrange(0, 60)), amount - part)
        # else overdue: nothing more repaid

    def default(self, id_number: str) -> None:
        """A loan not repaid, two years past due: the fund paid half of it, another claim is pending."""
        loan = self.loan(id_number, _years_later(self.today, -4), 1, 30_000)
        due = loan["due_on"]
        self.repay(loan, _years_later(loan["issued_on"], 1) - dt.timedelta(days=100), 10_000_00)
        self.compensations += [
            {"loan_code": loan["code"], "applied_on": due + dt.timedelta(days=60), "amount": 10_000_00,
             "compensated_on": due + dt.timedelta(days=90)},
            {"loan_code": loan["code"], "applied_on": _years_later(due, 2), "amount": 10_000_00,
             "compensated_on": None},
        ]


def build(county: OrgUnit, villages: list[OrgUnit], townships: list[OrgUnit], rng: random.Random,
          today: dt.date) -> dict:
    borrowers = _borrowers(villages)
    rng.shuffle(borrowers)
    book = _Book(county, rng, today)
    book.default(borrowers[0])
    for id_number in borrowers[1:40 if len(villages) > 15 else 30]:
        issued = day_between(rng, D(today.year - 3, 1, 10), today - dt.timedelta(days=20))
        loan = book.loan(id_number, issued, rng.choice([1, 2, 3, 3]), rng.choice([20_000, 30_000, 40_000, 50_000]))
        book.settle(loan, rng)
    # two households topped up: one to the cap itself, one above it
    for id_number, top_up in zip(borrowers[-2:], (50_000, 60_000)):
        first = day_between(rng, today - dt.timedelta(days=500), today - dt.timedelta(days=200))
        book.loan(id_number, first, 3, 50_000)
        book.loan(id_number, first + dt.timedelta(days=90), 2, top_up, top_up=True,
                  note="确有需要且具备还款能力，追加贷款")
    dated = [{k: (str(v) if isinstance(v, dt.date) else v) for k, v in row.items()}
             for row in (*book.loans, *book.repayments, *book.compensations)]
    n, m = len(book.loans), len(book.repayments)
    return {"credit_loans": dated[:n], "credit_repayments": dated[n:n + m], "credit_compensations": dated[n + m:]}
