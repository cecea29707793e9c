"""Pages of long lists without counting a whole city: the count stops at a cap (10,000 rows), and a list that
reaches it says so and asks for a narrower filter (a township, a village, a category), instead of every page view
counting a million rows."""
from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "values"):  # count keys only: no annotation (a page's per-row subqueries), no ordering
            rows = rows.values("pk").order_by()
        n = rows[: self.cap + 1].count()  # SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)
        self.capped = n > self.cap
        return min(n, self.cap)

    capped = False
