"""两不愁三保障和饮水安全 (湖南十条 五: 持续推进义务教育、基本医疗、住房安全、饮水安全突出问题动态清零): per household, the
problems of each guarantee with the measure taken and the day cleared.

Problems come from the departments' data (rules.yaml `guarantees`: each person's or household's newest row of the
education, housing and water files opens a problem or clears the one that data opened) and from the village's own
checks (the household's page). A household is 清零 for a guarantee when no problem of that kind is open; a village is
清零 when none of its households has one open."""
from __future__ import annotations

import datetime as dt

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.registry.models import Household

from .feeds import FEEDS
from .models import GuaranteeProblem
from .screening import RULES

K = GuaranteeProblem.Kind
STATES_SCHEMA = {"kind": pl.String, "household_id": pl.Int64, "person_id": pl.Int64, "state": pl.String,
                 "date": pl.Date, "code": pl.String, "upload_id": pl.Int64, "row": pl.Int64}


def states(rows: pl.DataFrame, matched: pl.DataFrame) -> pl.DataFrame:
    """Per guarantee of rules.yaml, each person's (or household's) newest row in the files, as open or clear. rows:
    screening.ROWS_SCHEMA; matched: screening.match()'s result (only matched persons count)."""
    ok = matched.filter(pl.col("status") == "matched").select("feed", "id_number", "name", "person_id", "household_id")
    parts = [pl.DataFrame(schema=STATES_SCHEMA)]
    for kind, spec in (RULES.guarantees or {}).items():
        mine = rows.filter(pl.col("feed") == spec["feed"]).join(ok, on=["feed", "id_number", "name"], how="inner")
        if mine.is_empty():
            continue
        key = ["person_id"] if spec["per"] == "person" else ["household_id"]
        newest = mine.sort("date", "upload_id", "row").group_by(key, maintain_order=True).last()
        state = (pl.when(pl.col("code").is_in(spec["open"])).then(pl.lit("open"))
                 .when(pl.col("code").is_in(spec.get("clear", []))).then(pl.lit("clear")).otherwise(None))
        parts.append(newest.with_columns(kind=pl.lit(kind), state=state,
                                         person_id=pl.col("person_id") if spec["per"] == "person" else pl.lit(None))
                     .filter(pl.col("state").is_not_null()).select(list(STATES_SCHEMA)).cast(STATES_SCHEMA))
    return pl.concat(parts)


def _label(kind: str, code: str) -> str:
    feed = FEEDS[RULES.guarantees[kind]["feed"]]
    return f"{feed.department}部门：{feed.code_label(code)}"


def apply(frame: pl.DataFrame, *, user, source: str) -> tuple[int, int]:
    """Open a problem for each 'open' state without one open of its kind (and person); clear the open problems the
    departments' data opened when the newest row says so. Returns (opened, cleared)."""
    if frame.is_empty():
        return 0, 0
    open_now = {}
    for p in GuaranteeProblem.objects.filter(household_id__in=frame["household_id"].unique().to_list(),
                                             cleared_on__isnull=True):
        open_now.setdefault((p.household_id, p.kind, p.person_id), []).append(p)
    opened, cleared = [], 0
    with transaction.atomic():
        for r in frame.iter_rows(named=True):
            key = (r["household_id"], r["kind"], r["person_id"])
            here = open_now.get(key, [])
            if r["state"] == "open" and not here:
                opened.append(GuaranteeProblem(
                    household_id=r["household_id"], person_id=r["person_id"], kind=r["kind"], found_on=r["date"],
                    description=f"{_label(r['kind'], r['code'])}（{r['date']:%Y-%m-%d}）", source=source,
                    created_by=user))
            elif r["state"] == "clear":
                for p in here:
                    if p.source.startswith("部门数据") and p.found_on <= r["date"]:
                        p.cleared_on, p.cleared_note = r["date"], f"{_label(r['kind'], r['code'])}（{r['date']:%Y-%m-%d}）"
                        p._history_user = user
                        p._change_reason = "部门数据显示已解决"
                        p.save(update_fields=["cleared_on", "cleared_note"])
                        cleared += 1
        if opened:
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history(opened, GuaranteeProblem, batch_size=1000, default_user=user,
                                     default_change_reason=source)
    return len(opened), cleared


# --- the village's own records ---------------------------------------------------------------------------------------

def _check(user, household: Household) -> None:
    access.require(user, "monitoring.assist")
    access.require_area(user, household.village_id, "该户不在您的管辖范围内")


EARLIEST = dt.date(2020, 1, 1)


def add(user, household: Household, *, kind: str, description: str, found_on: dt.date, person=None,
        measure: str = "") -> GuaranteeProblem:
    """村级排查 found a problem."""
    _check(user, household)
    errors = {}
    if kind not in K.values:
        errors["kind"] = "请选择保障类别"
    if not description.strip():
        errors["description"] = "请填写问题"
    if found_on > timezone.localdate():
        errors["found_on"] = "发现日期不能晚于今天"
    elif found_on < EARLIEST:  # a typo's year (1900) would stand as the oldest open problem for ever
        errors["found_on"] = f"发现日期不能早于{EARLIEST:%Y-%m-%d}（防止返贫动态监测机制建立）"
    if person is not None and person.household_id != household.pk:
        errors["person"] = "该成员不在本户"
    if errors:
        raise ValidationError(errors)
    p = GuaranteeProblem(household=household, person=person, kind=kind, description=description.strip()[:300],
                         found_on=found_on, source="村级排查", measure=measure.strip()[:300], created_by=user)
    p._history_user = user
    p.save()
    return p


def update(user, problem: GuaranteeProblem, *, measure: str, cleared_on: dt.date | None) -> GuaranteeProblem:
    """The measure taken, and the day the problem was cleared (a measure is needed to clear it)."""
    _check(user, problem.household)
    errors = {}
    if cleared_on is not None:
        if not measure.strip():
            errors["measure"] = "清零前请填写采取的措施"
        if cleared_on < problem.found_on or cleared_on > timezone.localdate():
            errors["cleared_on"] = f"清零日期应在发现日期（{problem.found_on:%Y-%m-%d}）和今天之间"
    if errors:
        raise ValidationError(errors)
    problem.measure, problem.cleared_on = measure.strip()[:300], cleared_on
    if cleared_on and not problem.cleared_note:
        problem.cleared_note = "村级核实已解决"
    problem._history_user = user
    problem.save(update_fields=["measure", "cleared_on", "cleared_note"])
    return problem


def household_status(household: Household) -> list[dict]:
    """The four guarantees of one household: open problems, or 清零."""
    problems = list(household.guarantee_problems.select_related("person").order_by("-found_on", "-id"))
    return [{"kind": k, "label": label, "open": [p for p in problems if p.kind == k and p.cleared_on is None],
             "cleared": [p for p in problems if p.kind == k and p.cleared_on is not None]} for k, label in K.choices]


def open_counts(user, unit) -> list[dict]:
    """Per unit one level below `unit` in the user's area: households with an open problem of each kind. Reads the
    open problems only (a partial index), never the households."""
    level = divisions.level_of(unit.code)
    width = {"province": 4, "city": 6, "county": 9, "township": 12}.get(level, 12)
    rows = (access.scope(user, GuaranteeProblem.objects.filter(access.subtree("household__village_id",
                                                                               divisions.prefix(unit.code)),
                                                               cleared_on__isnull=True))
        .values_list("household__village_id", "kind").annotate(n=Count("household_id", distinct=True)))
    out: dict[str, dict] = {}
    for village, kind, n in rows:
        code = village[:width].ljust(12, "0")
        o = out.setdefault(code, {"code": code, **{k: 0 for k in K.values}})
        o[kind] += n
    return sorted(out.values(), key=lambda r: r["code"])

