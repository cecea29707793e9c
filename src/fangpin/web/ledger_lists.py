"""The list of every ledger sheet (项目库, 资金下达 ...), made from the ledger's declaration: its columns are the sheet's,
shown as people read them (places and projects by name, codes by label, money in yuan); sorted by the columns an index
serves, filtered by the division tree and year, exported as shown. Registered with the other lists (web.lists.LISTS),
so a large export runs as a background job like theirs."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from django import forms
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.masking import id_number_for
from fangpin.ledgers import catalog, selectors
from fangpin.ledgers.base import Binding, Ledger
from fangpin.lib import divisions, listing

from .forms import AreaForm
from .lists import ListSpec, area_of, filter_form, unit_label


class LedgerListForm(AreaForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    field_order = ["year", "county", "township", "village"]


def _yuan(fen):
    return None if fen is None else fen / 100


def _display(binding: Binding, f):
    """(row object, user) -> the cell: a place by its name, a person by name and ID number as the role may see it,
    another row by its name, a code by its label."""
    ref = binding.refs.get(f.key)
    if ref is not None:
        def show(o, user, name=ref.field):
            target = getattr(o, name)
            if target is None:
                return ""
            if ref.is_place:
                return unit_label(target)
            if ref.by == "id_number":
                return f"{target.name}（{id_number_for(user, target.id_number)}）"
            return str(target)
        return show
    if f.type == "enum":
        return lambda o, user, k=f.key: getattr(o, f"get_{k}_display")()
    if f.type == "money":
        return lambda o, user, k=f.key: _yuan(getattr(o, k))
    if f.type == "boolean":
        return lambda o, user, k=f.key: "是" if getattr(o, k) else "否"
    if f.type == "id_number":
        return lambda o, user, k=f.key: id_number_for(user, getattr(o, k))
    return lambda o, user, k=f.key: getattr(o, k)


def _order(binding: Binding, key: str) -> tuple[str, ...]:
    """The sortable columns: a sheet's key, its place, its year, and its dates (small tables: their indexes serve)."""
    f = binding.sheet.field(key)
    ref = binding.refs.get(key)
    if f.type == "id_number":  # never sorted by: the order of hidden ID numbers would tell their birth dates
        return ()
    if ref is not None:
        return (f"{ref.field}_id",) if ref.is_place else (f"{ref.field}__{ref.by}",)
    if key in binding.sheet.keys or f.type in ("date", "integer", "money") or key == "year":
        return (key,)
    return ()


def columns(binding: Binding) -> list[listing.Column]:
    out = []
    for f in binding.sheet.fields:
        shown = _display(binding, f)
        out.append(listing.Column(f.key, f.excel_header, lambda r, shown=shown: shown(r["obj"], r["user"]), _order(binding, f.key),
                                  num=f.type in ("money", "integer", "decimal"), width=24 if f.type == "place" else 14))
    for i, (header, fn) in enumerate(binding.shown):  # computed, not sortable
        out.append(listing.Column(f"shown{i}", header, lambda r, fn=fn: fn(r["obj"], timezone.localdate())))
    return out


def queryset(user, binding: Binding, params: dict):
    area = area_of(params)
    return selectors.sheet_rows(user, binding, area=area if divisions.is_code(area) else "", year=params.get("year"))


def _rows(ledger: Ledger, binding: Binding):
    def rows(user, records: Iterable) -> Iterator[dict]:
        for o in records:
            yield {"obj": o, "user": user, "url": reverse("ledger_entry", args=[ledger.key, binding.sheet.key, o.pk])}
    return rows


def _form(binding: Binding):
    def build(user, query):
        form = filter_form(user, LedgerListForm, query)
        if selectors.year_path(binding) is None:
            del form.fields["year"]
        return form
    return build


def spec(ledger: Ledger, binding: Binding) -> ListSpec:
    cols = columns(binding)
    default = next(c.key for c in cols if c.order_by)
    return ListSpec(key=f"ledger:{ledger.key}:{binding.sheet.key}", title=f"{ledger.title}：{binding.sheet.title}",
                    url_name="ledger_list", capability="ledgers.read", columns=cols, default_sort=default,
                    form=_form(binding), queryset=lambda user, p, b=binding: queryset(user, b, p),
                    rows=_rows(ledger, binding))


SPECS: dict[str, ListSpec] = {s.key: s for ledger in catalog.LEDGERS.values() for s in
                              (spec(ledger, b) for b in ledger.bindings)}

from .haves_lists import SPECS as HAVES_SPECS  # noqa: E402  the five-haves gap lists, served like a sheet's list

SPECS.update(HAVES_SPECS)
