"""The benefit roster of an area (待遇花名册): every household and person of a village or township with what they are
owed on a date, each amount with its explanation, and the totals by benefit and by funding level (5:3:2 and the like
split to the fen). Computed by the engine on the registry's rows, like the household page's panel."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from fangpin.accounts import access
from fangpin.accounts.masking import id_number_for
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household, Member

from . import entitlements, parameters
from . import funding as funding_rules

MAX_HOUSEHOLDS = 5_000  # computed while the user waits; a larger area (a county) is asked for a township


@dataclass
class Roster:
    as_of: dt.date
    rows: list[dict] = field(default_factory=list)
    by_benefit: list[dict] = field(default_factory=list)
    by_funding: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    unevaluable: list = field(default_factory=list)
    households: int = 0
    too_many: bool = False


def funding_parts(funding: str, amount: int) -> list[tuple[str, int]]:
    """Who pays `amount` (fen), by label: the shares split by policies.funding (one rule everywhere)."""
    return [(funding_rules.label(level), fen) for level, fen in funding_rules.split(funding, amount)]


def area_households(*, user, area: str):
    """The households under `area` (any unit's code) in the user's scope."""
    prefix = divisions.prefix(divisions.full_code(area))
    return access.scope(user, Household.objects.filter(access.subtree("village_id", prefix)))


def roster(*, user, area: str, as_of: dt.date) -> Roster:
    """The roster of `area` (a village's or township's code) in the user's scope on `as_of`."""
    access.require(user, "registry.read")
    households = area_households(user=user, area=area)
    pairs = list(households.order_by("village_id", "number").values_list("pk", "village_id")[:MAX_HOUSEHOLDS + 1])
    result = Roster(as_of=as_of, households=len(pairs))
    if len(pairs) > MAX_HOUSEHOLDS:
        result.too_many = True
        return result
    by_benefit: dict[tuple, dict] = {}
    by_funding: dict[str, int] = {}
    # A document may cover part of the area (双发〔2022〕67号: one township of a county): the engine runs once for each
    # set of villages the same documents cover, with one of those villages as the place.
    groups: dict[tuple, tuple[str, list[int]]] = {}
    documents = list(parameters.catalog_with_overrides().values())
    covering: dict[str, tuple] = {}
    for pk, village in pairs:
        if village not in covering:
            covering[village] = tuple(sorted(d.id for d in documents if d.covers(village)))
        groups.setdefault(covering[village], (village, []))[1].append(pk)
    for place, ids in groups.values():
        result.rows += _rows(user, ids, place, as_of, result, by_benefit, by_funding)
    result.rows.sort(key=lambda r: (r["household_number"] or "", r["id_number"] or ""))
    result.by_benefit = list(by_benefit.values())
    result.by_funding = [{"funding": k, "amount": v} for k, v in by_funding.items()]
    return result


def _rows(user, ids: list[int], area: str, as_of: dt.date, result: Roster, by_benefit: dict, by_funding: dict) -> list:
    """The roster's rows of these households (all under `area`), adding to the totals by benefit and funding."""
    owed = entitlements.for_households(user=user, household_ids=ids, village_code=area, as_of=as_of)
    result.messages += [m for m in owed.messages if m not in result.messages]
    result.unevaluable += owed.unevaluable
    persons = {m.id_number: m for m in Member.objects.filter(household_id__in=ids, id_number__in={
        r["id_number"] for r in owed.rows if r["id_number"]}).select_related("household__village")}
    heads = dict(Member.objects.filter(household_id__in=ids, relation="head").values_list("household__number", "name"))
    village_names = dict(Household.objects.filter(pk__in=ids).values_list("number", "village__name"))
    rows = []
    for r in sorted(owed.rows, key=lambda r: (r["household_number"] or "", r["id_number"] or "", r["clause"])):
        person = persons.get(r["id_number"]) if r["id_number"] else None
        rows.append({
            "household_number": r["household_number"], "head": heads.get(r["household_number"], ""),
            "village": village_names.get(r["household_number"], ""),
            "person": person.name if person else "本户", "id_number": id_number_for(user, r["id_number"]) if person else "",
            "benefit": r["benefit_name"], "basis": f"{r['document_number']}第{r['clause']}条", "amount": r["amount"],
            "bound": r["bound"], "explanation": r["explanation"],
        })
        key = (r["document_number"], r["clause"], r["benefit_name"])
        b = by_benefit.setdefault(key, {"benefit": r["benefit_name"], "basis": f"{r['document_number']}第{r['clause']}条",
                                        "count": 0, "amount": 0})
        b["count"] += 1
        b["amount"] += r["amount"]
        for label, fen in funding_parts(r["funding"], r["amount"]):
            by_funding[label] = by_funding.get(label, 0) + fen
    return rows


def stream(*, user, area: str, as_of: dt.date, totals: Roster) -> Iterator[dict]:
    """The roster of any area (a whole county or city), village by village, each computed as the page computes a
    village's (at most MAX_HOUSEHOLDS households at a time): for the background export. `totals` collects the
    households, the messages and the totals by benefit and by funding level as the rows go by."""
    access.require(user, "registry.read")
    prefix = divisions.prefix(divisions.full_code(area))
    villages = access.scope(user, OrgUnit.objects.filter(access.subtree("code", prefix), level="village"))
    by_benefit: dict[tuple, dict] = {}
    by_funding: dict[str, int] = {}
    for village in villages.order_by("code").values_list("code", flat=True).iterator():
        ids = list(area_households(user=user, area=village).order_by("number").values_list("pk", flat=True))
        step = max(MAX_HOUSEHOLDS, 1)
        for start in range(0, len(ids), step):
            chunk = ids[start:start + step]
            totals.households += len(chunk)
            yield from _rows(user, chunk, village, as_of, totals, by_benefit, by_funding)
            totals.by_benefit = list(by_benefit.values())
            totals.by_funding = [{"funding": k, "amount": v} for k, v in by_funding.items()]
