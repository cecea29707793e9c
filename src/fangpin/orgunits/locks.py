"""One recount of a village's maintained counts at a time."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from .models import OrgUnit


def lock_villages(codes: list[str]) -> None:
    """Lock the villages' rows until the transaction ends, in code order (no deadlocks between two recounts).

    A recount deletes a village's tally rows and inserts a fresh count; two at once on PostgreSQL would each miss the
    other's rows (the second DELETE skips what the first deleted and cannot see what it inserted), so the second insert
    collides, or a count goes stale. FOR NO KEY UPDATE does not wait for the key-share locks that inserting a household
    of the village takes. SQLite has one writer at a time: nothing to do."""
    list(OrgUnit.objects.select_for_update(no_key=True).filter(code__in=sorted(codes)).order_by("code")
         .values_list("code", flat=True))


def recount_villages(villages: Iterable[str], recount: Callable[[list[str]], None], chunk: int = 500) -> None:
    """Call `recount` on the villages, a chunk at a time, each chunk locked first, all in one transaction."""
    codes = sorted({v for v in villages if v})
    with transaction.atomic():
        for i in range(0, len(codes), chunk):
            lock_villages(codes[i:i + chunk])
            recount(codes[i:i + chunk])
