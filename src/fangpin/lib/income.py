"""纯收入 (net income) as the monitoring mechanism defines it: wage + business income − business cost + property +
transfer. One definition for the policy engine and the income accounting."""
from __future__ import annotations

import polars as pl

# income part (as in the exchange format's 年度收入 sheet) -> its sign in net income
NET_INCOME_PARTS = {"wage": 1, "business_income": 1, "business_cost": -1, "property_income": 1, "transfer_income": 1}


def net_income_expr() -> pl.Expr:
    """One row's net income in fen; a blank part counts as 0."""
    return sum(pl.col(k).fill_null(0) * sign for k, sign in NET_INCOME_PARTS.items())
