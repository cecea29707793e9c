"""Reads for the monitoring pages, scoped through accounts.access."""
from __future__ import annotations

from django.db.models import Count, Q

from fangpin.accounts import access

from .models import IncomeAccount, MonitoringLine


def band_counts(*, user, year: int) -> list[dict]:
    """Households per village and band for the year, in the user's area."""
    qs = access.scope(user, IncomeAccount.objects.filter(year=year), "monitoring.read")
    return list(qs.values("household__village_id", "household__village__name", "band").annotate(n=Count("id"))
                .order_by("household__village_id", "band"))


def flagged(*, user, year: int, limit: int = 300):
    """Households below the line or at its edge, or whose income fell sharply: the lowest per-capita first."""
    qs = access.scope(user, IncomeAccount.objects.filter(year=year), "monitoring.read")
    return (qs.filter(Q(band__in=["below", "edge"]) | Q(sharp_fall=True)).select_related("household", "household__village")
            .order_by("per_capita")[:limit])


def lines_for(*, user, year: int) -> list[MonitoringLine]:
    """The lines that can apply in the user's area this year: national, the province's, and the county's (or, above a
    county, the counties' below)."""
    access.require(user, "monitoring.read")
    prefix = access.user_prefix(user)
    above = {"", prefix[:2]} | ({prefix[:6]} if len(prefix) >= 6 else set())
    below = Q(region_prefix__startswith=prefix) & ~Q(region_prefix="") if len(prefix) < 6 else Q(pk__in=[])
    return list(MonitoringLine.objects.filter(Q(region_prefix__in=above) | below, year=year).order_by("region_prefix"))
