"""Entitlements of households in the registry: the same engine as the batch, on the households' rows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from fangpin.accounts import access
from fangpin.exchange import exporter
from fangpin.exchange.spec import BY_KEY

from . import engine, parameters, tables


@dataclass
class HouseholdEntitlements:
    as_of: dt.date
    rows: list[dict]  # engine result rows
    messages: list[str]  # documents of the household's region not in force, and why
    unevaluable: list[tables.Unreadable]


def for_households(*, user, household_ids: list[int], village_code: str, as_of: dt.date) -> HouseholdEntitlements:
    """Every catalog document whose region covers the village, evaluated for these households as of a date."""
    access.require(user, "registry.read")
    doc = {key: list(exporter.rows(user, BY_KEY[key], household_ids=household_ids, unmasked=True))
           for key in tables.SHEETS}
    built, unreadable = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    frames, messages = [], []
    for document in parameters.catalog_with_overrides().values():  # with the values set on the page
        if not document.covers(village_code):
            continue
        ev = engine.evaluate(document, built, as_of=as_of)
        frames.append(ev.results)
        messages += ev.messages
        unreadable += ev.unreadable()  # e.g. no income record for the year
    results = pl.concat(frames) if frames else pl.DataFrame(schema=engine.RESULT_SCHEMA)
    return HouseholdEntitlements(as_of, results.to_dicts(), messages, unreadable)
