"""The rows behind a number: the database rows one measure counted for one unit on the snapshot's day, as a query (the
same conditions as the engine's, translated to the ORM), so a page reads one page of them through the indexes.

A measure per entity (`per:`) cannot be one query: its entities are computed by the engine over the unit's facts (a
county's at most), then the page shows the rows of one page of entities, each with its figures."""
from __future__ import annotations

import datetime as dt
import functools
import operator
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from fangpin.accounts import access, masking
from fangpin.lib import money
from fangpin.lib.divisions import PREFIX_LENGTH
from fangpin.lib.listing import Column

from . import engine, facts
from .catalog import EACH, AnyOf, Condition, Measure, entity_words
from .engine import _resolve
from .facts import HUNDREDTHS, STR, Fact

LOOKUP = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}
# Who a row is about, shown beside its own columns: the person (name, ID number masked by role) or the household.
WHO = {"person": (("member__name", "姓名"), ("member__id_number", "身份证号"), ("member__household__number", "户编号")),
       "household": (("household__number", "户编号"),)}
PERSON_PATH = {"persons": "", "repayments": "loan__member__"}  # where the person is, when not `member__`


def condition_q(fact: Fact, c: Condition, on: dt.date) -> Q:
    path = fact.columns[c.column][0]
    if c.op == "is null":
        q = Q(**{f"{path}__isnull": True})
    elif c.op == "is not null":
        q = Q(**{f"{path}__isnull": False}) & (~Q(**{path: ""}) if fact.columns[c.column][1] == STR else Q())
    else:
        value = _resolve(c.value, on)
        if c.op in ("not in", "!="):
            lookup = {f"{path}__in": list(value)} if c.op == "not in" else {path: value}
            q = ~Q(**lookup) & Q(**{f"{path}__isnull": False})
        else:
            q = Q(**{f"{path}__{LOOKUP[c.op]}": list(value) if c.op == "in" else value})
    return q | Q(**{f"{path}__isnull": True}) if c.or_null else q


def queryset(user, measure: Measure, unit_code: str, level: str, on: dt.date) -> QuerySet:
    """The rows `measure` counted for the unit: placed in its subtree (and at its level or below), meeting the
    measure's conditions on `on`; within the user's area."""
    fact = measure.fact
    model = fact.model_class
    prefix = unit_code[:PREFIX_LENGTH[level]]
    qs = model._default_manager.filter(access.subtree(fact.place, prefix))
    if fact.where is not None:
        qs = qs.filter(fact.where)
    for c in measure.where:
        if isinstance(c, AnyOf):
            qs = qs.filter(functools.reduce(operator.or_, (condition_q(fact, x, on) for x in c.conditions)))
        else:
            qs = qs.filter(condition_q(fact, c, on))
    if fact.model != "orgunits.OrgUnit":  # a division is in the area by its code, checked with the unit
        qs = access.scope(user, qs) if model._meta.label_lower in access.SCOPE_PATHS else qs
    return qs.order_by(fact.place, "pk")


def columns(user, measure: Measure, on: dt.date | None = None) -> list[Column]:
    """Who the row is about, then the fact's columns labelled (stored codes by their Chinese label). A column that
    carries part of an ID number (a person's birth date) is shown as masking allows: a role without the full ID number
    sees the age on `on` (default today) instead, as on the registry's pages."""
    fact = measure.fact
    on = on or dt.date.today()
    out: list[Column] = []
    if fact.person:
        base = PERSON_PATH.get(fact.key, "member__")
        for path, header in WHO["person"]:
            path = base + path.removeprefix("member__")
            if path.endswith("id_number"):
                out.append(Column(path, header, (lambda p: lambda r: masking.id_number_for(user, r[p]))(path), width=22))
            else:
                out.append(Column(path, header, (lambda p: lambda r: r[p])(path)))
    elif fact.household and fact.key != "households":
        out.append(Column("household__number", "户编号", lambda r: r["household__number"]))
    elif fact.key == "households":
        out.append(Column("number", "户编号", lambda r: r["number"]))
    for name, (path, _typ) in fact.columns.items():
        if name in ("household", "person", "project", "loan") or path.endswith("pk") or name in fact.hidden:
            continue
        field = fact.column_field(name)
        if field.is_relation:  # a place, an enterprise, an asset: by its name, not its key
            if any(f.name == "name" for f in field.related_model._meta.fields):
                named = f"{path.removesuffix('_id')}__name"
                out.append(Column(named, fact.label(name), (lambda p: lambda r: r[p])(named)))
            continue
        choices = dict(field.choices or ())
        if field.name in masking.MASKED_FIELDS and not masking.sees_full(user):
            if field.name == "birth_date":
                out.append(Column(path, "年龄", (lambda p: lambda r: masking.age_on(r[p], on))(path), num=True))
            else:
                out.append(Column(path, fact.label(name), (lambda p, f: lambda r: masking.field_for(user, f, r[p]))(
                    path, field.name)))
            continue
        if "（分）" in str(field.verbose_name):  # amounts are kept in fen, shown in yuan (exact: a Decimal, not a float)
            value = (lambda p: lambda r: None if r[p] is None else money.fen_to_yuan(r[p]))(path)
            header = fact.label(name).replace("（分）", "（元）")
            out.append(Column(path, header, value, num=True))
            continue
        if choices:
            value = (lambda p, ch: lambda r: ch.get(r[p], r[p]) if r[p] not in (None, "") else "")(path, choices)
            header = fact.label(name)
        elif field.get_internal_type() == "BooleanField":
            value = (lambda p: lambda r: "是" if r[p] else "否")(path)
            header = fact.label(name)
        else:
            value = (lambda p: lambda r: r[p])(path)
            header = fact.label(name).replace("（分）", "（元）")
        out.append(Column(path, header, value))
    return out


def values(qs: QuerySet, cols: list[Column]) -> QuerySet:
    return qs.values(*dict.fromkeys(c.key for c in cols))


# --- measures per entity ---------------------------------------------------------------------------------------------

PER_LEVELS = ("county", "township", "village")  # the entities are computed from the unit's facts: a county's at most


def entity_unit(m: Measure) -> str:
    """How the page counts entities: 户, 人, 笔贷款, 个合作社."""
    entity = entity_words(m)
    return {"户": "户", "人": "人"}.get(entity) or (EACH.get(entity, "").removeprefix("逐") or f"个{entity}")


def entities(measure: Measure, unit_code: str, level: str, on: dt.date) -> dict[int, dict[str, int]]:
    """entity key -> its figures, for the entities `measure` counts under the unit on `on`, by place and key."""
    prefix = unit_code[:PREFIX_LENGTH[level]]
    frames = facts.load(prefix, keys=list(measure.facts))
    found = engine.entities(frames, measure, on).collect().sort("code", measure.per)
    names = [f.name for f in measure.figures]
    return {row[measure.per]: {n: row[n] for n in names} for row in found.iter_rows(named=True)}


def of_entities(qs: QuerySet, measure: Measure, keys) -> QuerySet:
    """The measure's rows that belong to these entities."""
    path = "pk" if measure.per == "row" else measure.fact.columns[measure.per][0]
    return qs.filter(**{f"{path}__in": list(keys)}).annotate(entity_key=F(path))


def figure_columns(measure: Measure, figures: dict[int, dict[str, int]]) -> list[Column]:
    """Each entity's figures beside its rows (a household's loans, repaid and compensated), amounts in yuan."""
    out = []
    for f in measure.figures:
        m = f.measure
        fen = m.agg == "sum" and all("（分）" in str(m.fact.column_field(c).verbose_name) for c in m.columns)
        # a rate is summed in hundredths of a percent (facts.HUNDREDTHS): shown as the percent it is
        hundredths = m.agg == "sum" and all(m.fact.columns[c][1] == HUNDREDTHS for c in m.columns)
        if fen:
            value = (lambda n: lambda r: money.fen_to_yuan(figures.get(r["entity_key"], {}).get(n) or 0))(f.name)
        elif hundredths:
            value = (lambda n: lambda r: Decimal(figures.get(r["entity_key"], {}).get(n) or 0) / 100)(f.name)
        else:
            value = (lambda n: lambda r: figures.get(r["entity_key"], {}).get(n))(f.name)
        out.append(Column("entity_key", f.label + ("（元）" if fen else "（%）" if hundredths else ""), value, num=True))
    return out
