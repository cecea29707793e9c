"""Taking a snapshot: every indicator for every unit of an area on a day, judged against its targets, written in one
set-based insert. Pages, the API and the bulletin read snapshots; they never compute.

A snapshot covers an area's whole subtree (a county's snapshot has its townships and villages, never its city: a
city's figure needs all its counties). The monthly snapshot is taken for each top unit on the last day of each month;
any user who may may ask for one of their area on any day (a job)."""
from __future__ import annotations

import datetime as dt
import functools
import operator
import time

import polars as pl
from django.db import transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import bulkwrite
from fangpin.orgunits.models import OrgUnit

from . import engine, facts, status
from .catalog import Indicator, load_catalog
from .models import IndicatorValue, Snapshot


def units_frame(prefix: str) -> pl.DataFrame:
    """code, level, parent (Int64) of every unit whose code starts with `prefix`."""
    rows = list(OrgUnit.objects.filter(access.subtree("code", prefix)).order_by().values_list("code", "level", "parent_id"))
    return pl.DataFrame(rows, schema={"code": pl.String, "level": pl.String, "parent": pl.String}, orient="row") \
        .with_columns(pl.col("code").cast(pl.Int64), pl.col("parent").cast(pl.Int64))


def _values(long: pl.DataFrame, indicators: list[Indicator]) -> pl.DataFrame:
    """The long frame with `value` in each indicator's unit (a share over a zero base has none)."""
    # looked up by key (not joined): the long frame has a row per indicator, day and unit (millions for a province)
    shares = [i.key for i in indicators if i.form == "share"]
    scale = pl.col("indicator").replace_strict({i.key: float(i.scale) for i in indicators}, return_dtype=pl.Float64)
    return long.with_columns(pl.when(pl.col("indicator").is_in(shares))
                             .then(pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")))
                             .otherwise(pl.col("numerator") / scale).alias("value"))


def _applicable(target, units: pl.DataFrame, on: dt.date) -> pl.Series:
    """Target.applies for every unit at once (a Boolean per row of `units`)."""
    if target.in_force is not None and not target.in_force[0].year <= on.year <= target.in_force[1].year:
        return pl.Series([False] * units.height)
    text = pl.col("code").cast(pl.String).str.zfill(12)
    region = pl.any_horizontal([text.str.starts_with(r) for r in target.regions])
    return units.select(pl.col("level").is_in(list(target.levels)) & region).to_series()


def compute(frames: dict, units: pl.DataFrame, on: dt.date,
            indicators: list[Indicator] | None = None) -> pl.DataFrame:
    """One row per (indicator, unit): the figures of `on`, last year's, and the status against the targets that
    apply to the unit — the columns of IndicatorValue (unit and parent as codes)."""
    indicators = list(load_catalog().values()) if indicators is None else indicators
    days = sorted(status.days_needed([t for i in indicators for t in i.targets], on))
    long = _values(engine.compute(frames, indicators, days, units.select("code", "level")), indicators)
    wide = long.filter(pl.col("on") == on).drop("on")
    base = long.filter(pl.col("on") == status.same_day_last_year(on)).select("indicator", "code",
                                                                             pl.col("value").alias("base"))
    wide = wide.join(base, on=["indicator", "code"], how="left")
    days = sorted(long["on"].unique())
    judged = []
    for ind in indicators:
        if not ind.targets:
            continue
        # which targets apply to which unit, decided for all units at once; only those units are judged
        masks = [_applicable(t, units, on) for t in ind.targets]
        keep = functools.reduce(operator.or_, masks)
        codes = units.filter(keep)["code"]
        if codes.is_empty():
            continue
        # a unit's values of every day in one row (days in order), read once
        per_unit = (long.filter((pl.col("indicator") == ind.key) & pl.col("code").is_in(codes.implode()))
                .pivot(on="on", index="code", values="value", sort_columns=True))
        applies = units.select("code", *[m.alias(f"t{n}") for n, m in enumerate(masks)])
        per_unit = per_unit.join(applies, on="code", how="left")
        day_cols = [str(d) for d in days]
        for row in per_unit.select("code", *day_cols, *[f"t{n}" for n in range(len(masks))]).iter_rows():
            code, values, flags = row[0], dict(zip(days, row[1:1 + len(days)])), row[1 + len(days):]
            results = [(n, status.judge(t, on, values)) for n, t in enumerate(ind.targets) if flags[n]]
            if not results:
                continue
            n, j = max(results, key=lambda r: status.SEVERITY[r[1].status])
            judged.append((ind.key, code, j.status, j.bound, j.expected, j.gap, j.due, n))
    judgements = pl.DataFrame(judged, orient="row", schema={
        "indicator": pl.String, "code": pl.Int64, "status": pl.String, "bound": pl.Float64, "expected": pl.Float64,
        "gap": pl.Float64, "due": pl.Date, "target": pl.Int64})
    out = (wide.join(judgements, on=["indicator", "code"], how="left")
           .join(units.select("code", "parent"), on="code", how="left")
           .with_columns(pl.col("status").fill_null(status.NO_TARGET)))
    # in the unique index's order (after the snapshot): the write appends to its pages instead of scattering
    return out.sort("code", "indicator").select(
        "indicator", pl.col("code").cast(pl.String).str.zfill(12).alias("unit_id"),
        pl.col("parent").cast(pl.String).str.zfill(12).alias("parent_id"), "numerator", "denominator", "value", "base",
        "status", "bound", "expected", "gap", "due", "target")


def start(area: OrgUnit, on: dt.date, kind: str, user=None) -> Snapshot:
    return Snapshot.objects.create(area=area, on=on, kind=kind, requested_by=user)


def lock_area(area: OrgUnit) -> None:
    """Serialize the snapshots of one area (in the caller's transaction): two runs of the same day would otherwise
    both miss the other's uncommitted rows, and the second would fail on the one-done-per-day constraint."""
    OrgUnit.objects.select_for_update().filter(pk=area.pk).values_list("pk", flat=True).first()


def run(snapshot: Snapshot) -> Snapshot:
    """Compute the snapshot's values and write them; the area's former snapshot of the same day is replaced."""
    began = time.monotonic()
    try:
        frame = compute(facts.load(snapshot.area.prefix), units_frame(snapshot.area.prefix), snapshot.on)
        with transaction.atomic():
            lock_area(snapshot.area)
            Snapshot.objects.filter(area=snapshot.area, on=snapshot.on, state=Snapshot.State.DONE) \
                .exclude(pk=snapshot.pk).delete()
            bulkwrite.insert_frame(IndicatorValue, frame.with_columns(pl.lit(snapshot.pk).alias("snapshot_id")))
            Snapshot.objects.filter(pk=snapshot.pk).update(
                state=Snapshot.State.DONE, finished_at=timezone.now(), seconds=round(time.monotonic() - began, 2),
                units=frame.select("unit_id").n_unique())
    except Exception as e:
        Snapshot.objects.filter(pk=snapshot.pk).update(state=Snapshot.State.FAILED, finished_at=timezone.now(),
                                                       error=str(e)[:500])
        raise
    snapshot.refresh_from_db()
    return snapshot


def take(area: OrgUnit, on: dt.date, kind: str = Snapshot.Kind.ON_DEMAND, user=None) -> Snapshot:
    return run(start(area, on, kind, user))


def month_end_before(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def top_units():
    return OrgUnit.objects.filter(parent__isnull=True).order_by("code")


def monthly(today: dt.date) -> list[Snapshot]:
    """The last month's snapshot of every top unit that has none yet (the scheduled job; safe to run twice)."""
    on = month_end_before(today)
    done = []
    for area in top_units():
        if not Snapshot.objects.filter(area=area, on=on, state=Snapshot.State.DONE).exists():
            done.append(take(area, on, Snapshot.Kind.MONTHLY))
    return done


def latest_for(unit: OrgUnit, on: dt.date | None = None) -> Snapshot | None:
    """The newest finished snapshot on or before `on` whose area holds `unit` (its own or an ancestor's)."""
    from fangpin.lib.divisions import lineage

    qs = Snapshot.objects.filter(state=Snapshot.State.DONE, area_id__in=lineage(unit.code))
    if on is not None:
        qs = qs.filter(on__lte=on)
    return qs.order_by("-on", "-id").first()
