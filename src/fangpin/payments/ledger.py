"""The payment ledger (惠民惠农补贴发放台账): every row the bank paid, by person or enterprise, benefit, clause, round
and funding level with its share (5:3:2 where the clause says so); and, for a household's page, what was paid beside
what is owed."""
from __future__ import annotations

from django.db.models import QuerySet

from fangpin.accounts import access
from fangpin.policies import funding as funding_rules

from .models import RoundRow

LEVELS = ("central", "province", "city", "county")


def paid(user, *, area: str = "", year: int | None = None, benefit: str = "") -> QuerySet[RoundRow]:
    """Paid rows in the user's area (narrowed to `area`, a year, a benefit), by the ledger's partial index."""
    qs = access.scope(user, RoundRow.objects.filter(bank_status=RoundRow.Bank.PAID), "payments.read")
    if area:
        from django.core.exceptions import ValidationError

        from fangpin.lib import divisions

        if not divisions.is_code(area):
            raise ValidationError({"area": "区划代码应为12位数字"})
        qs = qs.filter(access.subtree("village_id", divisions.prefix(divisions.full_code(area))))
    if year:
        qs = qs.filter(year=year)
    if benefit:
        qs = qs.filter(benefit_name=benefit)
    return qs.select_related("round", "village", "village__parent")


def shares(row: RoundRow) -> dict[str, int | None]:
    """The row's amount by funding level (fen), split by the one rule (policies.funding); a named source apart."""
    out: dict[str, int | None] = dict.fromkeys((*LEVELS, "other"))
    for level, fen in funding_rules.split(row.funding, row.amount):
        key = level if level in LEVELS else "other"
        out[key] = (out[key] or 0) + fen
    return out


def of_household(user, household) -> list[RoundRow]:
    """Every row of the household's rounds that is still in a roster (paid, pending, failed or being decided), newest
    first: the page shows them beside what the engine says is owed."""
    access.require(user, "payments.read")
    access.require_area(user, household.village_id, "该户不在您的管辖范围内")
    return list(RoundRow.objects.filter(household=household, status=RoundRow.Status.INCLUDED)
                .select_related("round").order_by("-year", "-id")[:200])
