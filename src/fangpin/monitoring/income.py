"""Income accounting (收入核算): per household and year, net income, per-capita net income and the band against the
monitoring line; a fall from last year and a sharp fall. Pure Polars over whole tables, and exact: comparisons are
made on totals (net income against line × persons), so no per-capita rounding decides a band.

- 纯收入 = 工资性 + 生产经营性收入 − 生产经营性支出 + 财产性 + 转移性; 人均纯收入 = 纯收入 / 家庭人口 (half up to the fen,
  for display only).
- band: below (人均 < 监测标准), edge (人均 < 标准 × 边缘系数), above, or unknown (no income record, no members, or no
  line for the year — said in the note, never guessed).
- fell: net income below last year's (the household's size is today's for both years); sharp_fall: the fall is at
  least the configured share of last year's net income.
"""
from __future__ import annotations

import polars as pl

from fangpin.lib.income import net_income_expr
LINE_SCHEMA = {"region_prefix": pl.String, "year": pl.Int64, "line": pl.Int64, "edge_centi": pl.Int64,
               "sharp_centi": pl.Int64}


def net(incomes: pl.LazyFrame) -> pl.LazyFrame:
    return incomes.group_by("household_id", "year").agg(net_income_expr().sum().alias("net_income"))


def account(households: pl.DataFrame, sizes: pl.DataFrame, incomes: pl.DataFrame, lines: pl.DataFrame, *,
            year: int) -> pl.DataFrame:
    """households: household_id, village_code; sizes: household_id, size; incomes: household_id, year and the
    income parts (this year and last); lines: LINE_SCHEMA (the most specific prefix of the village wins)."""
    nets = net(incomes.lazy().filter(pl.col("year").is_in([year, year - 1]))).collect()
    this = nets.filter(pl.col("year") == year).select("household_id", "net_income")
    last = nets.filter(pl.col("year") == year - 1).select("household_id", pl.col("net_income").alias("last_net"))
    year_lines = lines.filter(pl.col("year") == year)

    def line_for(prefix_len: int | None, name: str) -> pl.DataFrame:
        rows = year_lines.filter(pl.col("region_prefix").str.len_chars() == (prefix_len or 0))
        return rows.select(pl.col("region_prefix").alias(f"{name}_key"), *[pl.col(c).alias(f"{name}_{c}") for c in
                                                                          ("line", "edge_centi", "sharp_centi")])

    out = (households.lazy()
           .with_columns(pl.col("village_code").str.slice(0, 6).alias("county_key"),
                         pl.col("village_code").str.slice(0, 2).alias("province_key"), pl.lit("").alias("nation_key"))
           .join(sizes.lazy(), on="household_id", how="left")
           .join(this.lazy(), on="household_id", how="left")
           .join(last.lazy(), on="household_id", how="left"))
    for n, name in ((6, "county"), (2, "province"), (None, "nation")):
        out = out.join(line_for(n, name).lazy(), on=f"{name}_key", how="left")
    pick = ["county", "province", "nation"]
    out = out.with_columns(
        pl.col("size").fill_null(0),
        *[pl.coalesce([pl.col(f"{p}_{c}") for p in pick]).alias(c) for c in ("line", "edge_centi", "sharp_centi")])
    size, income, line = pl.col("size"), pl.col("net_income"), pl.col("line")
    known = (size > 0) & income.is_not_null() & line.is_not_null()
    band = (pl.when(~known).then(pl.lit("unknown"))
            .when(income < line * size).then(pl.lit("below"))
            .when(income * 100 < line * size * pl.col("edge_centi")).then(pl.lit("edge"))
            .otherwise(pl.lit("above")))
    note = (pl.when(size == 0).then(pl.lit("户内没有家庭成员"))
            .when(income.is_null()).then(pl.lit(f"没有{year}年收入记录"))
            .when(line.is_null()).then(pl.lit(f"没有{year}年监测标准"))
            .otherwise(pl.lit("")))
    prev = pl.col("last_net")
    fell = (income.is_not_null() & prev.is_not_null() & (income < prev)).fill_null(False)
    sharp = (fell & (prev > 0) & ((prev - income) * 100 >= prev * pl.col("sharp_centi"))).fill_null(False)
    return out.select(
        "household_id", "size", "net_income",
        pl.when(size > 0).then((2 * income + size) // (2 * size)).alias("per_capita"),
        "line", band.alias("band"), fell.alias("fell"), sharp.alias("sharp_fall"), note.alias("note"),
        prev.alias("last_net"),
    ).sort("household_id").collect()


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen / 100:,.2f}"


def signals(accounts: pl.DataFrame, households: pl.DataFrame, rules, *, year: int) -> list[dict]:
    """Income warnings (rules.yaml, income_rules) from a year's accounting. accounts: account()'s result; households:
    household_id, category, at_risk. One signal per household and matching rule, with the figures that caused it."""
    if not rules:
        return []
    flagged = accounts.filter(pl.col("band").is_in(["below", "edge"]) | pl.col("fell")).join(
        households.select("household_id", "category", "at_risk"), on="household_id", how="inner")
    out = []
    for r in flagged.iter_rows(named=True):
        for rule in rules:
            hit = {"below": r["band"] == "below", "edge": r["band"] in ("below", "edge"), "fell": r["fell"],
                   "sharp_fall": r["sharp_fall"]}[rule.flag]
            if not hit or r["category"] not in rule.categories or (r["at_risk"] and not rule.at_risk):
                continue
            size, last = r["size"], r["last_net"]
            last_pc = (2 * last + size) // (2 * size) if last is not None and size else None
            fall = (f"{(last - r['net_income']) * 100 / last:.1f}" if last and r["net_income"] is not None
                    else "—")
            reason = rule.reason.format(year=year, per_capita=_yuan(r["per_capita"]), line=_yuan(r["line"]),
                                        last_year=year - 1, last_per_capita=_yuan(last_pc), fall=fall)
            out.append({"household_id": r["household_id"], "rule": rule.id, "period": str(year), "subject": "",
                        "risk": rule.risk, "reason": reason, "total": r["per_capita"] or 0, "count": 1,
                        "days": rule.days, "person_ids": [], "sources": []})
    return out
