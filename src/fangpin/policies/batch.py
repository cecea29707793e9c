"""Evaluate, simulate and audit an uploaded exchange file (the API's batch calls), with the county's page-set values.

The same steps as the `fangpin evaluate|simulate|audit` commands, returning plain dicts (amounts in fen)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import audit as audit_rules
from . import engine, simulate, tables
from .catalog import Document


def _built(path: Path, as_of: dt.date, filename: str | None = None):
    inputs = tables.read(path, filename)  # ValueError with a Chinese message for a file that cannot be read
    return tables.build(inputs, year=as_of.year, as_of=as_of)


def _unevaluable(unreadable, ev: engine.Evaluation | None = None) -> list[dict]:
    return [u.__dict__ for u in unreadable + (ev.unreadable() if ev is not None else [])]


def _plain(frame) -> list[dict]:
    import polars as pl

    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String)).to_dicts()


def evaluate(doc: Document, path: Path, as_of: dt.date, filename: str | None = None) -> dict:
    built, unreadable = _built(path, as_of, filename)
    ev = engine.evaluate(doc, built, as_of=as_of)
    totals = ev.results.group_by("benefit_id", "benefit_name", maintain_order=True).agg(
        count=engine.pl.len(), amount=engine.pl.col("amount").sum()) if ev.results.height else ev.results.head(0)
    return {"policy": doc.id, "as_of": as_of.isoformat(), "messages": ev.messages,
            "unevaluable": _unevaluable(unreadable, ev), "totals": _plain(totals), "results": _plain(ev.results)}


def what_if(doc: Document, path: Path, as_of: dt.date, settings: list[str], filename: str | None = None) -> dict:
    changes = simulate.parse_settings(doc, settings)  # ValueError for an unknown parameter or a bad value
    built, unreadable = _built(path, as_of, filename)
    result = simulate.compare(doc, built, as_of=as_of, changes=changes)
    return {"policy": doc.id, "as_of": as_of.isoformat(), "changes": {k: str(v) for k, v in changes.items()},
            "unevaluable": _unevaluable(unreadable), **{k: _plain(v) for k, v in result.items()}}


def audit(doc: Document, path: Path, payments_path: Path, as_of: dt.date, filename: str | None = None,
          payments_filename: str | None = None) -> dict:
    built, unreadable = _built(path, as_of, filename)
    paid, bad_payments = audit_rules.read_payments(payments_path, doc, payments_filename)
    ev = engine.evaluate(doc, built, as_of=as_of)
    findings = audit_rules.audit(doc, ev.results, paid, as_of.year)  # one-time benefits: earlier years' payments count
    return {"policy": doc.id, "as_of": as_of.isoformat(), "messages": ev.messages, "findings": findings.to_dicts(),
            "unevaluable": _unevaluable(unreadable + bad_payments, ev)}


def audit_registry(user, doc: Document, area: str, payments_path: Path | None, as_of: dt.date,
                   payments_filename: str | None = None) -> dict | None:
    """audit() with what the registry's households under `area` were owed instead of a file's: the findings (ID
    numbers masked per role), the payment rows not counted, the number of households; None when the area is larger
    than the simulation's limit. `payments_path` None: the system's own payment ledger (payments.ledger) instead of
    a file. ValueError for a payments file that cannot be read."""
    from fangpin.accounts.masking import id_number_for

    got = simulate.registry_tables(user=user, area=area, as_of=as_of)
    if got is None:
        return None
    if payments_path is None:
        from fangpin.payments import ledger

        paid, bad = ledger.audit_payments(user, doc, area), []
    else:
        paid, bad = audit_rules.read_payments(payments_path, doc, payments_filename)
    built, households = got
    owed = engine.evaluate(doc, built, as_of=as_of).results
    findings = audit_rules.audit(doc, owed, paid, as_of.year).to_dicts()
    for f in findings:
        f["id_number"] = id_number_for(user, f["id_number"]) if f["id_number"] else ""
    return {"findings": findings, "bad": bad, "households": households, "payments": paid.height}
