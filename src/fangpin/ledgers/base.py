"""What a ledger (台账) is to the system: its sheets in the exchange format, the model each sheet is kept in, how a row
reaches its place in the division tree, and the checks its seeds attach to it.

A ledger is declared once, in its domain app's `ledger.py` (funds, rectification ...); the import, the export, the
template, the JSON Schema, the list pages and the API all read the declaration (fangpin.ledgers.catalog)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from simple_history.models import HistoricalRecords

from fangpin.exchange.spec import Catalog, Sheet


def ledger_history(verbose_name: str) -> HistoricalRecords:
    """A ledger table's history (变更记录). Its user column has no foreign-key constraint, as the registry's: a user is
    deactivated, never deleted, and the constraint would be checked for every history row an import writes."""
    return HistoricalRecords(verbose_name=verbose_name, user_db_constraint=False)


@dataclass(frozen=True)
class Ref:
    """A column that names another row: a place (区划), a person (身份证号), an enterprise, or a row of the same ledger
    (项目编号). The model keeps the foreign key `field`; the file carries the target's `by` value."""
    field: str  # the model's foreign key
    model: type[models.Model]
    by: str  # the target's lookup field (code, id_number, credit_code)
    sheet: str | None = None  # the sheet of this ledger that may define the target in the same file
    area: str = ""  # how the target reaches its division code ("" when `by` is itself the code)
    missing: str = "“{}”在文件和系统中都没有登记"
    within_area: bool = False  # the target must lie in the importer's area too (an asset's source project)
    # the targets it may name, as a filter (a loan's borrower: a member of a lifted or monitored household); another
    # is reported as missing
    only: dict = field(default_factory=dict, hash=False)

    @property
    def is_place(self) -> bool:
        """A division, named by its code or (Excel) its name: resolved against the importer's area."""
        return self.model._meta.label_lower == "orgunits.orgunit"


@dataclass(frozen=True)
class Binding:
    """A sheet of a ledger and the model that keeps its rows.

    upsert: a row is inserted or updated by the sheet's keys. replace: the rows of each `parent` the file names are
    replaced by the file's (a project's allocations, an item's measures): their identity is their parent."""
    sheet: Sheet
    model: type[models.Model]
    area: str  # the column whose value (a place) or target (a Ref) gives the row's division
    refs: dict[str, Ref] = field(default_factory=dict)
    mode: str = "upsert"
    parent: str = ""  # replace: the column naming the parent
    parent_with: tuple[str, ...] = ()  # replace: plain columns that, with the parent, name the rows replaced (a year)
    unique: tuple[str, ...] = ()  # replace: the columns no two rows of a file may share (an entity's household and way)
    order: tuple[str, ...] = ("pk",)  # the export's order
    # (row, today) -> [(column, message)]: the row's own rules beyond each cell's type (dates in order, sums)
    problems: Callable[[dict, dt.date], list[tuple[str, str]]] | None = None
    # (header, (row object, today) -> value): what the list and the entry show after the sheet's columns, computed,
    # never in the file (an item overdue, a loan's balance)
    shown: tuple[tuple[str, Callable], ...] = ()
    # (queryset, day) -> the queryset with what `shown` reads annotated on each row: a list's page of rows then reads
    # its computed columns in the same query (a loan's repayments summed), not one query per row
    annotate: Callable | None = None
    # obj -> (label, url): a page of the row's own beyond the ledger (a disaster event's bulk enrollment)
    link: Callable | None = None

    def model_field(self, key: str) -> str:
        ref = self.refs.get(key)
        return ref.field if ref else key


@dataclass(frozen=True)
class Ledger:
    key: str  # funds, rectification ...: the app's label and the URL's
    title: str  # 衔接资金项目台账
    description: str
    bindings: tuple[Binding, ...]  # in check order: a sheet after the sheets it refers to
    order: tuple[str, ...] = ()  # the sheets' keys in the workbook, where not the check order
    checks: str = ""  # the YAML file of the ledger's checks, beside its ledger.py
    # the ledger page's figures for the area beside its checks: (unit, year, day) -> a dict its template shows
    summary: Callable | None = None
    summary_template: str = ""
    pages: tuple[tuple[str, str], ...] = ()  # (key, title) of further lists of the ledger (web.ledger_lists.SPECS)

    @property
    def catalog(self) -> Catalog:
        by_key = {b.sheet.key: b.sheet for b in self.bindings}
        return Catalog(self.key, self.title, tuple(by_key.values()), tuple(by_key[k] for k in self.order))

    @property
    def package(self) -> str:
        """The domain app's package (fangpin.funds): its checks.yaml, measures.py and demo.py sit beside ledger.py."""
        return self.bindings[0].model.__module__.rsplit(".", 1)[0]

    def binding(self, sheet_key: str) -> Binding:
        return next(b for b in self.bindings if b.sheet.key == sheet_key)
