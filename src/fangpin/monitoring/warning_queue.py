"""The warning queue (待核实预警) that department screening and income accounting both feed.

Each signal has a key (household, rule, period, subject): writing the same signal again never adds a warning. A signal
of the income accounting and a department signal for the same household and year are one warning: whichever comes
second joins the first while it is still open (待核实), as a "同户同期信号" kept on it with its own key and reason, so
the village verifies the household once. Department signals keep a warning each, as before (different risks, each
with its own rows).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fangpin.registry.models import Household

from . import tallies
from .models import Warning
from .screening import RULES

VALUES = ("reason", "total", "source_count", "sources", "person_ids")


def _key(household_id: int, rule: str, period: str, subject: str) -> tuple:
    return household_id, rule, period, subject or ""


def _joins(a: str, b: str) -> bool:
    """Signals of two rules become one warning unless both are the departments'."""
    return RULES.is_income(a) or RULES.is_income(b)


def write(signals: list[dict], *, user, reason: str, today: dt.date, run=None) -> tuple[int, int, int]:
    """Write signals (dicts with household_id, rule, period, subject, risk, reason, total, count, days, person_ids,
    sources as [[upload, row], ...]). Returns (new warnings, signals already known, signals joined to another
    warning). An open warning takes a known signal's newest reason and sources; a verified one stays as verified."""
    households = {s["household_id"] for s in signals}
    existing = list(Warning.objects.filter(household_id__in=households)) if households else []
    by_key: dict[tuple, tuple[Warning, int | None]] = {}  # key -> (warning, index in its joined list or None)
    open_by_year: dict[tuple, list[Warning]] = {}
    for w in existing:
        by_key[_key(w.household_id, w.rule, w.period, w.subject)] = (w, None)
        for i, j in enumerate(w.joined or []):
            by_key[_key(w.household_id, j["rule"], j["period"], j.get("subject", ""))] = (w, i)
        if w.status == Warning.Status.OPEN:
            open_by_year.setdefault((w.household_id, w.period[:4]), []).append(w)
    creates, updates, joined, known = [], {}, 0, 0
    for s in signals:
        key = _key(s["household_id"], s["rule"], s["period"], s["subject"])
        values = {"reason": s["reason"], "total": s["total"], "source_count": s["count"], "sources": s["sources"],
                  "person_ids": s["person_ids"]}
        found = by_key.get(key)
        if found is not None:
            known += 1
            w, index = found
            if w.status != Warning.Status.OPEN:
                continue
            if index is None and any(getattr(w, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(w, k, v)
                updates[id(w)] = w
            elif index is not None and w.joined[index]["reason"] != s["reason"]:
                w.joined[index] = {**w.joined[index], "reason": s["reason"]}
                updates[id(w)] = w
            continue
        host = next((w for w in open_by_year.get((s["household_id"], s["period"][:4]), [])
                     if _joins(w.rule, s["rule"])), None)
        if host is not None:
            host.joined = [*(host.joined or []), {"rule": s["rule"], "label": RULES.label(s["rule"]),
                                                 "period": s["period"], "subject": s["subject"] or "",
                                                 "risk": s["risk"], "reason": s["reason"]}]
            by_key[key] = (host, len(host.joined) - 1)
            if host.pk is not None:
                updates[id(host)] = host
            joined += 1
            continue
        w = Warning(household_id=s["household_id"], rule=s["rule"], label=RULES.label(s["rule"]),
                    period=s["period"], subject=s["subject"] or "", risk=s["risk"], run=run, joined=[],
                    deadline=today + dt.timedelta(days=s["days"]), **values)
        creates.append(w)
        by_key[key] = (w, None)
        open_by_year.setdefault((s["household_id"], s["period"][:4]), []).append(w)
    with transaction.atomic():
        if creates:
            bulk_create_with_history(creates, Warning, batch_size=1000, default_user=user,
                                     default_change_reason=reason)
        if updates:
            bulk_update_with_history(list(updates.values()), Warning, [*VALUES, "joined"], batch_size=1000,
                                     default_user=user, default_change_reason=f"{reason}：来源数据更新")
        if creates:  # bulk writes send no signals
            tallies.recount(Household.objects.filter(pk__in={w.household_id for w in creates})
                            .values_list("village_id", flat=True).distinct())
    return len(creates), known, joined


def income_falls(warning: Warning) -> bool:
    """Whether the warning carries an income fall (its own rule or a joined signal): confirming it opens the plan's
    增收措施."""
    rules = [warning.rule, *(j["rule"] for j in warning.joined or [])]
    return any((r := RULES.income_rule(rule)) is not None and r.falls for rule in rules)
