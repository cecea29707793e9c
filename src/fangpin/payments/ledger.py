"""The payment ledger (惠民惠农补贴发放台账): every row the bank paid, by person or enterprise, benefit, clause, round
and funding level with its share (5:3:2 where the clause says so); and, for a household's page, what was paid beside
what is owed."""
from __future__ import annotations

from django.db.models import QuerySet

from fangpin.accounts import access
from fangpin.policies import funding as funding_rules

from .models import Payment, RoundRow

LEVELS = ("central", "province", "city", "county")


def paid(user, *, area: str = "", year: int | None = None, benefit: str = "") -> QuerySet[RoundRow]:
    """Paid rows in the user's area (narrowed to `area`, a year, a benefit), by the ledger's partial index."""
    from django.core.exceptions import ValidationError

    from fangpin.lib import divisions

    qs = access.scope(user, RoundRow.objects.filter(payment__status=Payment.Status.PAID), "payments.read")
    if area and not divisions.is_code(area):
        raise ValidationError({"area": "区划代码应为12位数字"})
    # the same area again on the payment's own village: the ledger's partial index drives the query
    prefix = divisions.prefix(divisions.full_code(area)) if area else access.user_prefix(user)
    qs = qs.filter(access.subtree("payment__village_id", prefix))
    if year:
        qs = qs.filter(year=year)
    if benefit:
        qs = qs.filter(benefit_name=benefit)
    return qs.select_related("round", "village", "village__parent", "payment")


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
                .select_related("round", "payment").order_by("-year", "-id")[:200])


def audit_payments(user, doc, area: str):
    """The system's own payments of `doc`'s benefits under `area`, as `policies.audit` reads a payments file: every
    payment holding its slot (approved, sent to the bank or paid; not one the bank failed), keyed like the file's
    rows, its reference the bank file's (业务流水号)."""
    import polars as pl

    from fangpin.lib import bulkwrite, divisions

    from .disbursement import reference_expr

    if not divisions.is_code(area):
        raise ValueError("区划代码应为12位数字")
    enterprise_basis = {b.id for b in doc.benefits if b.basis == "enterprise"}
    prefix = divisions.prefix(divisions.full_code(area))
    # the area on the payment's village too: the payments' village index drives the query (the rows have none)
    rows = access.scope(user, RoundRow.objects.filter(
        access.subtree("village_id", prefix), access.subtree("payment__village_id", prefix),
        round__document_id=doc.id, benefit_id__in=[b.id for b in doc.benefits], payment__held=True),
        "payments.read").order_by()
    frame = bulkwrite.read_frame(rows, {"id": pl.Int64, "round_id": pl.Int64, "benefit_id": pl.String,
                                        "household_number": pl.String, "id_number": pl.String,
                                        "credit_code": pl.String, "year": pl.Int64, "amount": pl.Int64})
    return frame.select(
        "benefit_id",
        pl.when(pl.col("benefit_id").is_in(sorted(enterprise_basis))).then(pl.lit(""))
        .otherwise(pl.col("household_number").fill_null("")).alias("household_number"),
        pl.col("id_number").fill_null("").alias("person"), pl.col("credit_code").fill_null(""), "year", "amount",
        reference_expr(pl.col("round_id"), pl.col("id")).alias("reference"))
