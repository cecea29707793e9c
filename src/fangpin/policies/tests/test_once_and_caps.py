"""Properties across years and rows: a one-time benefit (once_per: period) is owed at most once to a payee over the
document's period when each year is evaluated with the grants of the years before, and a per-person cap (cap_per:
person_year) is never exceeded by the sum of one person's rows."""
import copy
import datetime as dt
from collections import Counter
from decimal import Decimal

import polars as pl
from hypothesis import given, settings

from fangpin.policies import catalog, engine, simulate, tables

from .test_properties import populations

# three evaluation years inside each document's period (陇县's is open-ended; 忻州's is 2020 only)
YEARS = {"sn2022-67": [2023, 2024, 2025], "lx2022-10": [2022, 2023, 2024], "xz2020-6": [2020]}


def in_year(doc: dict, base: int, year: int) -> dict:
    """The population's yearly facts moved from `base` to `year` (the same people working, training, declaring)."""
    out = copy.deepcopy(doc)
    shift = year - base
    for key in ("employments", "trainings", "incomes"):
        for r in out[key]:
            r["year"] = year
            if r.get("start_date"):
                r["start_date"] = f"{int(r['start_date'][:4]) + shift}{r['start_date'][4:]}"
    for e in out["enterprises"]:
        e["declared_year"] = year
    # start-ups keep their dates: one opened in the first year is the same business later
    return out


def document_for(doc_id: str, as_of: dt.date):
    document = catalog.load_catalog()[doc_id]
    values = {"monitoring_line": Decimal(7000), "dibao_standard_monthly": Decimal(600),
              "absorption_per_worker": Decimal(1000), "absorption_min_employees": Decimal(1),
              "grain_central_per_mu": Decimal("15.6"), "grain_province_per_mu": Decimal("5.9")}
    return simulate.with_values(document, {k: v for k, v in values.items() if k in document.parameters}, as_of)


def payee(b, row) -> tuple:
    if b.basis == "enterprise":
        return (row["credit_code"],)
    if b.payee:
        return (row["credit_code"], row["id_number"])
    return (row["id_number"],) if b.entity == "person" else (row["household_number"],)


@settings(max_examples=40, deadline=None)
@given(populations())
def test_no_one_time_benefit_is_owed_twice_across_years(case):
    (doc_id, _, first), doc = case
    granted = pl.DataFrame(schema={"benefit_id": pl.String, "household_number": pl.String, "id_number": pl.String,
                                   "credit_code": pl.String, "year": pl.Int64})
    seen: Counter = Counter()
    for year in YEARS[doc_id]:
        as_of = dt.date(year, 9, 30)
        document = document_for(doc_id, as_of)
        built, _ = tables.build(tables.from_document(in_year(doc, first.year, year)), year=year, as_of=as_of)
        results = engine.evaluate(document, built, as_of=as_of, granted=granted).results
        once = {b.id: b for b in document.benefits if b.once_per == "period"}
        for r in results.filter(pl.col("benefit_id").cast(pl.String).is_in(list(once))).iter_rows(named=True):
            key = (r["benefit_id"], *payee(once[str(r["benefit_id"])], r))
            seen[key] += 1
            assert seen[key] == 1, f"{key} owed again in {year}"
        # what was owed is paid: next year it is an earlier grant
        granted = pl.concat([granted, results.select(pl.col("benefit_id").cast(pl.String), "household_number",
                                                     "id_number", "credit_code", "year")])


@settings(max_examples=60, deadline=None)
@given(populations())
def test_no_per_person_cap_is_exceeded_across_rows(case):
    (doc_id, _, as_of), doc = case
    document = document_for(doc_id, as_of)
    built, _ = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    results = engine.evaluate(document, built, as_of=as_of).results
    ctx = engine._Context(document, as_of)
    for b in document.benefits:
        if b.amount.cap_per != "person_year":
            continue
        rows = results.filter(pl.col("benefit_id").cast(pl.String) == b.id)
        per_person = rows.group_by("id_number").agg(pl.col("amount").sum())
        assert all(total <= ctx.fen(b.amount.cap.param) for total in per_person["amount"]), (b.id, per_person)
