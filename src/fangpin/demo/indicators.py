"""The demo's indicator snapshots: every month end from January of last year to the last month end, for each top unit
(already taken ones are kept), so that the dashboards have trends and last year's targets (双发〔2022〕67号 runs to the
end of 2025) show their statuses.

FANGPIN_DEMO_SNAPSHOTS=few takes three days only (30 June and 31 December of last year, and the last month end): the
test suite builds the demo many times, and a slow machine starts sooner. The monthly job adds the rest as months end."""
from __future__ import annotations

import datetime as dt
import os

from fangpin.indicators import snapshots
from fangpin.indicators.models import Snapshot


def month_ends(first: dt.date, today: dt.date) -> list[dt.date]:
    out, day = [], snapshots.month_end_before(first.replace(day=1) + dt.timedelta(days=32))
    while day < today:
        out.append(day)
        day = snapshots.month_end_before((day + dt.timedelta(days=1)).replace(day=1) + dt.timedelta(days=32))
    return out


def ensure_snapshots(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    taken = 0
    days = month_ends(dt.date(today.year - 1, 1, 1), today)
    if os.environ.get("FANGPIN_DEMO_SNAPSHOTS") == "few":
        days = sorted({dt.date(today.year - 1, 6, 30), dt.date(today.year - 1, 12, 31), days[-1]})
    for on in days:
        for area in snapshots.top_units():
            if not Snapshot.objects.filter(area=area, on=on, state=Snapshot.State.DONE).exists():
                snapshots.take(area, on, Snapshot.Kind.MONTHLY)
                taken += 1
    return taken
