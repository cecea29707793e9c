"""Audit: payments compared with entitlements, per benefit, payee (person, household or enterprise) and year.

Findings, in the audit's own words:
- 应享未享 (missed): owed but not paid, or paid less than an exact amount or a floor (不低于) owed;
- 重复享受 (duplicate): paid more than once for the same benefit, payee and year;
- 违规享受 (ineligible): paid with no entitlement, or more than an exact amount owed, or above a ceiling (不超过).

Enterprise payments are keyed by credit code (and, for a payment per worker or trainee, by that person's ID).
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from fangpin.exchange import values
from fangpin.exchange.readers import ExchangeFile, FileProblem
from fangpin.exchange.spec import Field, Sheet

from .catalog import Document
from .engine import yuan_text
from .tables import Unreadable

PAYMENTS = Sheet(
    "payments", "发放记录",
    (
        Field("benefit_id", "待遇代码", "string", True, max_length=64, description="政策目录中的待遇 id，如 transport_subsidy"),
        Field("household_number", "户编号", "string", False, max_length=32, description="发给户或个人的待遇必填"),
        Field("id_number", "身份证号", "id_number",
              description="发给个人的待遇必填；按人计发给经营主体的（如职业介绍补贴）填所服务的人；发给户的留空"),
        Field("credit_code", "经营主体信用代码", "credit_code", description="发给经营主体的待遇必填"),
        Field("year", "年度", "integer", True, minimum=2000, maximum=2100),
        Field("amount", "金额", "money", True),
        Field("paid_on", "发放日期", "date"),
        Field("reference", "凭证号", "string", max_length=64),
    ),
    "每笔发放一行",
    ("benefit_id", "household_number", "id_number", "year"),
)
KEY = ["benefit_id", "household_number", "person", "credit_code", "year"]
FINDING_SCHEMA = {"finding": pl.String, "benefit_id": pl.String, "benefit_name": pl.String, "household_number": pl.String,
                  "id_number": pl.String, "credit_code": pl.String, "year": pl.Int64, "owed": pl.Int64, "paid": pl.Int64, "payments": pl.Int64,
                  "reason": pl.String}


def read_payments(path: Path, doc: Document, filename: str | None = None) -> tuple[pl.DataFrame, list[Unreadable]]:
    """A payments file: an exchange-format JSON document with a "payments" table (fen), or a workbook with a sheet
    发放记录 (yuan). Every cell is checked as the importer checks it; bad rows are reported, not counted."""
    try:
        f = ExchangeFile(Path(path), filename)
    except FileProblem as e:
        raise ValueError(str(e)) from None
    if f.kind == "excel" and PAYMENTS.title not in f.sheet_names:
        raise ValueError(f"文件“{f.filename}”中没有工作表“{PAYMENTS.title}”")
    header_problems = f.header_problems(PAYMENTS)
    if header_problems:
        raise ValueError("；".join(f"{p.header}：{p.message}" for p in header_problems))
    benefits = {b.id: b for b in doc.benefits}
    rows, problems = [], []
    for raw in f.rows(PAYMENTS):
        row, reasons = values.coerce_row(PAYMENTS.fields, raw.values, excel=f.kind == "excel")
        if not reasons:
            reasons.extend(_payee_problems(row, benefits.get(row["benefit_id"]), doc))
        if reasons:
            key = raw.values.get("id_number") or raw.values.get("household_number") or ""
            problems.append(Unreadable(f.sheet_label(PAYMENTS), raw.number, str(key), "；".join(reasons)))
            continue
        b = benefits[row["benefit_id"]]
        rows.append({"benefit_id": row["benefit_id"],
                     "household_number": "" if b.basis == "enterprise" else row["household_number"],
                     "person": row.get("id_number") or "", "credit_code": row.get("credit_code") or "",
                     "year": row["year"], "amount": row["amount"], "reference": row.get("reference") or ""})
    schema = {"benefit_id": pl.String, "household_number": pl.String, "person": pl.String, "credit_code": pl.String,
              "year": pl.Int64, "amount": pl.Int64, "reference": pl.String}
    return (pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)), problems


def as_granted(payments: pl.DataFrame | None) -> pl.DataFrame | None:
    """Payments in the shape engine.evaluate(granted=) reads (blank keys as nulls)."""
    if payments is None:
        return None
    return payments.select("benefit_id", *_payee_columns(), "year")


def _payee_problems(row: dict, b, doc: Document) -> list[str]:
    """Which keys a payment must carry depends on whom the benefit is paid to."""
    if b is None:
        return [f"待遇代码“{row['benefit_id']}”不在 {doc.number} 中"]
    out = []
    if b.entity == "enterprise" and not row.get("credit_code"):
        out.append("发给经营主体的待遇须填经营主体信用代码")
    if b.entity != "enterprise" and row.get("credit_code"):
        out.append("发给户或个人的待遇不填经营主体信用代码")
    if b.basis != "enterprise" and not row.get("household_number"):
        out.append("须填户编号")
    person_keyed = b.basis not in ("household", "enterprise") and (b.entity == "person" or b.payee is not None)
    if person_keyed != bool(row.get("id_number")):
        out.append("发给个人或按人计发的待遇须填身份证号，发给户或按单位计发的待遇不填")
    return out


def _payee_columns() -> list[pl.Expr]:
    """The payee keys of a finding, blank keys as nulls: household, person (ID number), enterprise (credit code)."""
    return [pl.when(pl.col(k) == "").then(None).otherwise(pl.col(k)).alias(name)
            for k, name in (("household_number", "household_number"), ("person", "id_number"),
                            ("credit_code", "credit_code"))]


def _combined(doc: Document, payments: pl.DataFrame, names: dict, year: int) -> pl.DataFrame:
    """重复享受 across benefits: one payee paid for two benefits the document says are not combined — in the year, or,
    when every benefit of the group is one-time, in any years of the period up to `year` (reported in the year of a
    payment)."""
    frames = []
    once = {b.id for b in doc.benefits if b.once_per == "period"}
    for group in doc.exclusive_groups():
        across = group <= once
        window = (pl.col("year").is_between(doc.effective_from.year, year) if across else pl.col("year") == year)
        paid = payments.filter(pl.col("benefit_id").is_in(sorted(group)) & window).with_columns(
            pl.col("benefit_id").replace_strict(names, default=pl.col("benefit_id")).alias("name"))
        payee = ["household_number", "person", "credit_code"] + ([] if across else ["year"])
        hits = paid.group_by(payee).agg(
            pl.col("benefit_id").n_unique().alias("kinds"), pl.col("benefit_id").first(),
            pl.col("name").unique(maintain_order=True).str.join("”与“").alias("names"),
            pl.col("amount").sum().alias("paid"), pl.len().alias("payments"), (pl.col("year") == year).any().alias("now"),
        ).filter((pl.col("kinds") > 1) & pl.col("now")).with_columns(pl.lit(year, dtype=pl.Int64).alias("year"))
        frames.append(hits.select(
            pl.lit("重复享受").alias("finding"), "benefit_id",
            pl.col("benefit_id").replace_strict(names, default=pl.col("benefit_id")).alias("benefit_name"),
            *_payee_columns(),
            "year", pl.lit(0, dtype=pl.Int64).alias("owed"), "paid", pl.col("payments").cast(pl.Int64),
            pl.concat_str([pl.lit("“"), pl.col("names"),
                           pl.lit("”不重复享受，执行期内都已发放，共" if across else "”不重复享受，同一年度都已发放，共"),
                           yuan_text(pl.col("paid")),
                           pl.lit("元")]).alias("reason")))
    return pl.concat(frames) if frames else pl.DataFrame(schema=FINDING_SCHEMA)


def audit(doc: Document, entitlements: pl.DataFrame, payments: pl.DataFrame, year: int | None = None) -> pl.DataFrame:
    """The findings of the year, one row each: owed and paid in fen, the number of payments, the reason in Chinese.

    `entitlements`: the engine's rows for `year` (computed without earlier grants); `payments`: the payments file, any
    years. A benefit is compared with the year's payments taken together: several payments within what is owed are
    instalments (200 yuan a month for six months; a post paid monthly), several above it a 重复享受. A one-time benefit
    (once_per: period) is compared with its payments of every year of the document's period up to `year`, a person's
    by ID number wherever the household: paid in an earlier year it is not missed now, and paid in two years it is a
    重复享受 in the year of the later payment. `year` defaults to the entitlements' year (or the payments' latest)."""
    names = {b.id: b.name for b in doc.benefits}
    once = sorted(b.id for b in doc.benefits if b.once_per == "period")
    if year is None:
        years = entitlements["year"].to_list() or payments["year"].to_list() or [0]
        year = max(years)

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:  # a person's benefit follows the person to another household
        return frame.with_columns(pl.when(pl.col("person") != "")
                                  .then(pl.lit("")).otherwise(pl.col("household_number")).alias("hh"))

    join = ["benefit_id", "hh", "person", "credit_code", "year"]
    owed = keyed(entitlements.select(
        pl.col("benefit_id").cast(pl.String), pl.col("household_number").fill_null(""),
        pl.col("id_number").fill_null("").alias("person"), pl.col("credit_code").fill_null(""),
        "year", pl.col("amount").alias("owed"), pl.col("bound").cast(pl.String),
    )).group_by(join).agg(pl.col("owed").sum(), pl.col("bound").first(), pl.col("household_number").first())
    in_year = payments.filter(pl.col("year") == year)
    one_time = payments.filter(pl.col("benefit_id").is_in(once) & pl.col("year").is_between(doc.effective_from.year, year))
    common = [pl.col("amount").sum().alias("paid"), pl.len().alias("payments"),
              pl.col("reference").str.join("、").alias("references"),
              pl.col("household_number").last().alias("paid_household")]
    paid = pl.concat([
        keyed(in_year.filter(~pl.col("benefit_id").is_in(once))).group_by(join).agg(
            *common, pl.len().alias("now"), pl.lit(0, dtype=pl.UInt32).alias("earlier"),
            pl.lit("", dtype=pl.String).alias("years")),
        # a one-time benefit's payments of every year so far, reported in `year`
        keyed(one_time).group_by([k for k in join if k != "year"]).agg(
            *common, (pl.col("year") == year).sum().alias("now"), (pl.col("year") < year).sum().alias("earlier"),
            pl.col("year").unique().sort().cast(pl.String).str.join("年、").alias("years"),
        ).with_columns(pl.lit(year, dtype=pl.Int64).alias("year")),
    ], how="diagonal_relaxed")
    both = owed.join(paid, on=join, how="full", coalesce=True).with_columns(
        pl.col("owed").fill_null(0), pl.col("paid").fill_null(0), pl.col("payments").fill_null(0).cast(pl.Int64),
        pl.col("now").fill_null(0).cast(pl.Int64), pl.col("earlier").fill_null(0).cast(pl.Int64),
        pl.col("bound").fill_null(""), pl.col("benefit_id").is_in(once).alias("once"),
        pl.coalesce("household_number", "paid_household").alias("household_number"))
    ceiling, floor = pl.col("bound") == "at_most", pl.col("bound") == "at_least"
    this_year = (pl.col("now") > 0) & (pl.col("earlier") == 0)  # paid this year only (one payment or instalments)
    # a one-time benefit paid over two years within what is owed is instalments (“连续补助6个月” across a new year)
    beyond = (pl.col("owed") == 0) | (~floor & (pl.col("paid") > pl.col("owed")))
    in_force = doc.effective_from.year <= year and (doc.effective_to is None or year <= doc.effective_to.year)
    not_owed = ("按登记信息不符合条件，却发放" if in_force else f"{doc.number}在{year}年度不在有效期内，却发放")

    def yuan(c: str) -> pl.Expr:
        return yuan_text(pl.col(c))

    owed_text = pl.when(floor).then(pl.lit("应不低于")).when(ceiling).then(pl.lit("上限")).otherwise(pl.lit("应享"))
    checks = [
        ("应享未享", (pl.col("owed") > 0) & (pl.col("payments") == 0),
         pl.when(ceiling).then(pl.concat_str([pl.lit("可享（上限"), yuan("owed"), pl.lit("元），未发放")]))
         .otherwise(pl.concat_str([pl.lit("应享"), yuan("owed"), pl.lit("元，未发放")]))),
        # less than an exact amount or a floor, all the year's payments together (a one-time benefit's: all so far);
        # never below a ceiling
        ("应享未享", (pl.col("now") > 0) & ~ceiling & (pl.col("owed") > 0) & (pl.col("paid") < pl.col("owed")),
         pl.concat_str([pl.when(floor).then(pl.lit("低于下限：应不低于")).otherwise(pl.lit("应享")), yuan("owed"),
                        pl.when(pl.col("payments") > 1).then(pl.concat_str([
                            pl.lit("元，共发放"), pl.col("payments").cast(pl.String), pl.lit("次、")]))
                        .otherwise(pl.lit("元，只发放")), yuan("paid"), pl.lit("元")])),
        ("重复享受", pl.col("once") & (pl.col("earlier") > 0) & (pl.col("now") > 0) & beyond,
         pl.concat_str([pl.lit("一次性待遇已于"), pl.col("years"), pl.lit("年发放，共"), pl.col("payments").cast(pl.String),
                        pl.lit("次、"), yuan("paid"), pl.lit("元（凭证："), pl.col("references"), pl.lit("）")])),
        # several payments above what is owed (a floor has no upper bound: paying more is allowed)
        ("重复享受", this_year & (pl.col("payments") > 1) & (pl.col("owed") > 0) & ~floor
         & (pl.col("paid") > pl.col("owed")),
         pl.concat_str([pl.lit("同一待遇同一年度发放"), pl.col("payments").cast(pl.String), pl.lit("次，共"), yuan("paid"),
                        pl.lit("元（"), owed_text, yuan("owed"), pl.lit("元；凭证："), pl.col("references"), pl.lit("）")])),
        ("违规享受", this_year & (pl.col("owed") == 0),
         pl.concat_str([pl.lit(not_owed), yuan("paid"), pl.lit("元"),
                        pl.when(pl.col("payments") > 1).then(pl.concat_str([
                            pl.lit("（"), pl.col("payments").cast(pl.String), pl.lit("次）")])).otherwise(pl.lit(""))])),
        # one payment over the standard or the ceiling
        ("违规享受", (pl.col("owed") > 0) & this_year & (pl.col("payments") == 1) & ~floor
         & (pl.col("paid") > pl.col("owed")),
         pl.concat_str([pl.when(ceiling).then(pl.lit("超过上限：上限")).otherwise(pl.lit("超标准：应享")),
                        yuan("owed"), pl.lit("元，发放"), yuan("paid"), pl.lit("元")])),
    ]
    frames = [_combined(doc, payments, names, year)] if doc.exclusive_groups() and in_year.height else []
    frames += [
        both.filter(cond).select(
            pl.lit(kind).alias("finding"), "benefit_id",
            pl.col("benefit_id").replace_strict(names, default=pl.col("benefit_id")).alias("benefit_name"),
            *_payee_columns(),
            "year", "owed", "paid", "payments", reason.alias("reason"))
        for kind, cond, reason in checks
    ]
    return pl.concat(frames).sort(["finding", "household_number", "id_number", "credit_code", "benefit_id"],
                                  nulls_last=True) \
        if frames else pl.DataFrame(schema=FINDING_SCHEMA)
