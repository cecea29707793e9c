"""Entitlements from the registry: the same engine as the batch, on the rows of one household or one enterprise.

A household's panel holds what the household and its members are paid; what an enterprise is paid (clause-6 industry
subsidies, awards for the workers it employs, placement and training subsidies per person served) belongs to the
enterprise, even when the household's members are the workers counted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Q

from fangpin.accounts import access
from fangpin.exchange import exporter
from fangpin.exchange.spec import BY_KEY
from fangpin.registry.models import Employment, Enterprise, Training

from . import engine, parameters, tables


@dataclass
class Entitlements:
    as_of: dt.date
    rows: list[dict]  # engine result rows
    messages: list[str]  # documents of the region not in force, and why
    unevaluable: list[tables.Unreadable]


def default_date(place_code: str, today: dt.date) -> tuple[dt.date, str]:
    """The date a page evaluates on when the user picked none, and what to tell the user about it: today if a document
    covering the place is in force; else the last day of the document that lapsed last (what it owed stays worth
    seeing: a payment round, an audit), with a note saying so; today when no document has covered the place yet."""
    covering = [d for d in parameters.catalog_with_overrides().values() if d.touches(place_code)]
    if not covering or any(d.in_force(today) for d in covering):
        return today, ""
    ended = [d for d in covering if d.effective_to is not None and d.effective_to < today]
    if not ended:
        return today, ""
    last = max(ended, key=lambda d: (d.effective_to, d.id))
    end = last.effective_to
    return end, (f"今天没有适用于此地的有效政策文件：按{last.number}的最后有效日（{end.year}年{end.month}月{end.day}日）"
                 "计算，可另选计算日期。")


def _covering(*, as_of: dt.date, covers) -> tuple[list, list[str]]:
    """The catalog documents for which covers(document) holds (with the values set on the page) that are in force on
    `as_of`, and a message for each covering document that is not."""
    in_force, messages = [], []
    for document in parameters.catalog_with_overrides().values():
        if covers(document):
            note = engine.out_of_force(document, as_of)
            if note:
                messages.append(note)
            else:
                in_force.append(document)
    return in_force, messages


def _evaluate(read, *, as_of: dt.date, covers, keep, keep_unevaluable: pl.Expr) -> Entitlements:
    """Every catalog document for which covers(document) holds, on the exchange document read() returns; only the
    result rows keep(document) selects, and the rows no rule could evaluate that `keep_unevaluable` selects. With no
    document in force on the date nothing is read: the messages say why nothing is owed."""
    documents, messages = _covering(as_of=as_of, covers=covers)
    if not documents:
        return Entitlements(as_of, [], messages, [])
    doc = read()
    built, unreadable = tables.build(tables.from_document(doc), year=as_of.year, as_of=as_of)
    frames = []
    for document in documents:
        ev = engine.evaluate(document, built, as_of=as_of)
        frames.append(ev.results.filter(keep(doc)))
        messages += ev.messages
        ev.unevaluable = ev.unevaluable.filter(keep_unevaluable)
        unreadable += ev.unreadable()  # e.g. no income record for the year
    results = pl.concat(frames) if frames else pl.DataFrame(schema=engine.RESULT_SCHEMA)
    return Entitlements(as_of, results.to_dicts(), messages, unreadable)


def for_households(*, user, household_ids: list[int], village_code: str, as_of: dt.date) -> Entitlements:
    """What these households and their members are owed on a date, by every document covering the village.

    Only rows paid to the households or their members: no enterprise rows, although the members' work counts towards
    their employers' awards (those are the enterprise's, see for_enterprise)."""
    access.require(user, "registry.read")
    def read() -> dict:
        return {key: list(exporter.rows(user, BY_KEY[key], household_ids=household_ids, unmasked=True))
                for key in tables.SHEETS if key != "enterprises"}  # no rule paid to a household or person reads them

    def keep(doc: dict) -> pl.Expr:
        numbers = [h["household_number"] for h in doc["households"]]
        return (pl.col("entity").cast(pl.String) != "enterprise") & pl.col("household_number").is_in(numbers)

    return _evaluate(read, as_of=as_of, covers=lambda d: d.covers(village_code), keep=keep,
                     keep_unevaluable=pl.col("credit_code").is_null())


def for_enterprise(*, user, enterprise: Enterprise, as_of: dt.date) -> Entitlements:
    """What the enterprise is owed on a date: its own awards and subsidies, and those paid to it per person it placed or
    trained. The people counted are the user's (access.scope): the workers, placements and trainees registered in the
    user's area, as on the enterprise page."""
    access.require(user, "registry.read")
    year = as_of.year
    # The households of everyone linked to the enterprise in the year (and its workers of the year before, for the
    # "new workers" count): their spells and trainings make its worker counts and its per-person rows.
    spells = Employment.objects.filter(Q(employer=enterprise, year__in=[year - 1, year]) | Q(agency=enterprise, year=year))
    trained = Training.objects.filter(institution=enterprise, year=year)
    household_ids = set(access.scope(user, spells).values_list("member__household_id", flat=True))
    household_ids |= set(access.scope(user, trained).values_list("member__household_id", flat=True))
    doc = {key: list(exporter.rows(user, BY_KEY[key], household_ids=household_ids, unmasked=True))
           for key in tables.SHEETS if key != "enterprises"}
    doc["enterprises"] = list(exporter.rows(user, BY_KEY["enterprises"], enterprise_ids=[enterprise.pk]))
    places = {enterprise.org_unit_id} | {h["village_code"] for h in doc["households"]}
    keep = (pl.col("entity").cast(pl.String) == "enterprise") & (pl.col("credit_code") == enterprise.credit_code)
    return _evaluate(lambda: doc, as_of=as_of, covers=lambda d: any(d.covers(p) for p in places), keep=lambda _: keep,
                     keep_unevaluable=pl.col("credit_code") == enterprise.credit_code)
