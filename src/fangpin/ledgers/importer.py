"""All-or-nothing import of a ledger's workbook (or its JSON), the registry's way (fangpin.exchange.importer).

Pass 1 reads every row, types every cell, resolves every place and reference and checks every row against the
importing user's area; it collects every problem with its sheet, row and column. Only a file without problems is
written, in one transaction (pass 2), where every reference and every existing row is looked up again under its lock:
a row that left the user's area in the meantime stops the import, which then writes nothing.

Sheets bound `upsert` insert or update rows by their keys (a column absent from the file leaves its field as it is);
sheets bound `replace` replace, for every parent the file names, that parent's rows. Ledgers are thousands of rows,
not millions: rows are held in memory and written with the ORM's bulk operations, with history."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fangpin.accounts import access
from fangpin.exchange import values
from fangpin.exchange.importer import CHANGED_MEANWHILE, ImportResult, Problem, WriteConflict
from fangpin.exchange.readers import ExchangeFile, FileProblem, column_letter
from fangpin.exchange.spec import Sheet
from fangpin.registry import constraints

from .base import Binding, Ledger
from .places import Places

CHUNK = 500
OUTSIDE = "不在您的管辖范围内"


@dataclass
class _Row:
    number: int
    typed: dict
    area: str | None = None  # the division code the row belongs to, once known


@dataclass
class _Sheet:
    binding: Binding
    rows: list[_Row] = field(default_factory=list)
    keys: dict[tuple, int] = field(default_factory=dict)  # the row's key -> its row number (upsert sheets)
    by_key: dict[tuple, _Row] = field(default_factory=dict)  # the key -> the row, when the row passed its checks
    seen: dict[tuple, int] = field(default_factory=dict)  # the key of a row whose cells were refused -> its number


class _Import:
    def __init__(self, user, ledger: Ledger, f: ExchangeFile, result: ImportResult):
        self.user, self.ledger, self.f, self.result = user, ledger, f, result
        self.today = timezone.localdate()
        self.prefix = access.user_prefix(user)
        self.sheets: dict[str, _Sheet] = {}
        self.letters: dict[str, dict[str, str]] = {}
        self._places: Places | None = None
        self.reason = f"导入 {f.filename}"

    # -- problems -------------------------------------------------------------------------------------------------

    def problem(self, sheet: Sheet | None, row: int | None, key: str | None, value, message: str) -> None:
        column = letter = None
        if sheet is not None and key is not None:
            f = sheet.field(key)
            column, letter = self.f.column_label(f), self.letters.get(sheet.key, {}).get(key)
            if f.choices is not None and value in f.choices.values:
                value = f.choices(value).label
            elif isinstance(value, dt.date):
                value = f"{value:%Y-%m-%d}"
        self.result.problems.append(Problem(self.f.sheet_label(sheet) if sheet else None, row, column, letter,
                                            "" if value is None else str(value), message))

    # -- pass 1 ---------------------------------------------------------------------------------------------------

    def check(self, sheets: list[Sheet]) -> None:
        bindings = [b for b in self.ledger.bindings if b.sheet in sheets]
        rows = 0
        for binding in bindings:
            sheet = binding.sheet
            header_problems = self.f.header_problems(sheet)
            for p in header_problems:
                self.result.problems.append(Problem(self.f.sheet_label(sheet), self.f.header_row_number(sheet) or None,
                                                    p.header, column_letter(p.column) if self.f.kind == "excel" else None,
                                                    "", p.message))
            if header_problems:
                continue
            if self.f.kind == "excel":
                self.letters[sheet.key] = {k: column_letter(i) for k, i in self.f.column_index(sheet).items()}
            state = self.sheets[sheet.key] = _Sheet(binding)
            for raw in self.f.rows(sheet):
                rows += 1
                typed = self.typed(sheet, raw)
                if typed is not None:
                    self.check_row(state, _Row(raw.number, typed))
                elif len(sheet.keys) == 1 and isinstance(raw.values.get(sheet.keys[0]), str):
                    state.seen.setdefault((raw.values[sheet.keys[0]].strip(),), raw.number)
        if not rows and not self.result.problems:
            self.result.problems.append(Problem(None, None, None, None, "", f"文件“{self.f.filename}”中没有任何数据行"))
        for state in self.sheets.values():
            self.check_references(state)
            if state.binding.mode == "upsert":
                self.check_existing(state)
        order = {self.f.sheet_label(b.sheet): i for i, b in enumerate(bindings)}
        self.result.problems.sort(key=lambda p: (order.get(p.sheet, -1 if p.sheet is None else len(order)), p.row or 0))

    def typed(self, sheet: Sheet, raw) -> dict | None:
        if "__not_object__" in raw.values:
            self.problem(sheet, raw.number, None, None, "每一条应为对象（键值对）")
            return None
        unknown = raw.values.keys() - sheet.field_keys
        for key in sorted(unknown):
            self.result.problems.append(Problem(self.f.sheet_label(sheet), raw.number, key, None, "", f"未知的字段“{key}”"))
        typed, ok = {}, not unknown
        for f in sheet.fields:
            if f.key not in raw.values:
                if f.required:
                    self.problem(sheet, raw.number, f.key, None, f"“{f.header}”必填")
                    ok = False
                continue
            try:
                typed[f.key] = values.coerce(f, raw.values[f.key], excel=self.f.kind == "excel")
            except values.CellError as e:
                self.problem(sheet, raw.number, f.key, raw.values[f.key], str(e))
                ok = False
        return typed if ok else None

    def places(self) -> Places:
        if self._places is None:
            self._places = Places(self.prefix)
        return self._places

    def check_row(self, state: _Sheet, row: _Row) -> None:
        binding, sheet, t = state.binding, state.binding.sheet, row.typed
        ok = True
        for key, ref in binding.refs.items():
            if ref.is_place and t.get(key) is not None:  # a place: its name resolved, its code known and ours
                code, message = self.places().resolve(t[key])
                if code is None:
                    self.problem(sheet, row.number, key, t[key], message)
                    ok = False
                else:
                    t[key] = code
        if binding.problems is not None:
            for key, message in binding.problems(t, self.today):
                self.problem(sheet, row.number, key, t.get(key), message)
                ok = False
        unique = sheet.keys if binding.mode == "upsert" else binding.unique
        if unique:
            key = tuple(t.get(k) for k in unique)
            if key in state.keys:
                self.problem(sheet, row.number, unique[0], key[0], f"与第{state.keys[key]}行重复")
                ok = False
            else:
                state.keys[key] = row.number
        area_ref = binding.refs.get(binding.area)
        if area_ref is not None and area_ref.is_place:
            row.area = t.get(binding.area)
        if ok:
            state.rows.append(row)
            if binding.mode == "upsert":
                state.by_key[tuple(t.get(k) for k in sheet.keys)] = row

    def file_target(self, sheet_key: str | None, value) -> _Row | None:
        """The row of this file that defines `value` in sheet `sheet_key` (a project named by its code)."""
        state = self.sheets.get(sheet_key or "")
        if state is None or state.binding.mode != "upsert":
            return None
        return state.by_key.get((value,))

    def failed_row(self, sheet_key: str | None, value) -> tuple[str, int] | None:
        """(sheet title, row) where the file defines `value` on a row that did not pass its checks."""
        state = self.sheets.get(sheet_key or "")
        if state is None or state.binding.mode != "upsert":
            return None
        number = state.keys.get((value,))
        if number is None and (value,) not in state.seen:
            return None
        return self.f.sheet_label(state.binding.sheet), number if number is not None else state.seen[(value,)]

    def check_references(self, state: _Sheet) -> None:
        """Every reference names a row of the file or of the database, and every row lies in the user's area."""
        binding, sheet = state.binding, state.binding.sheet
        for key, ref in binding.refs.items():
            if ref.is_place:
                continue
            pending = defaultdict(list)
            for row in state.rows:
                value = row.typed.get(key)
                if value is None:
                    continue
                target = self.file_target(ref.sheet, value)
                if target is not None:
                    if key == binding.area:
                        row.area = target.area
                elif (failed := self.failed_row(ref.sheet, value)) is not None:
                    # the file defines it, on a row refused above: say so, not that it is nowhere
                    title, number = failed
                    self.problem(sheet, row.number, key, value,
                                 f"{sheet.field(key).header}“{value}”在本文件“{title}”第{number}行，该行有错误，请先改正")
                    row.area = None
                else:
                    pending[value].append(row)
            found = self.lookup(ref, list(pending))
            for value, rows in pending.items():
                for row in rows:
                    if value not in found:
                        self.problem(sheet, row.number, key, value, ref.missing.format(value))
                        continue
                    _, area, admitted = found[value]
                    outside = not access.covers(self.user, area)
                    if key == binding.area:
                        row.area = area  # outside: refused below, as outside and nothing more
                    elif ref.within_area and outside:
                        self.problem(sheet, row.number, key, value, f"{sheet.field(key).header}“{value}”{OUTSIDE}")
                        continue
                    if not admitted and not (outside and (key == binding.area or ref.within_area)):
                        self.problem(sheet, row.number, key, value, ref.missing.format(value))
        for row in state.rows:
            if row.area is not None and not access.covers(self.user, row.area):
                self.problem(sheet, row.number, binding.area, row.typed.get(binding.area), f"该{sheet.field(binding.area).header}{OUTSIDE}")

    def lookup(self, ref, values_: list, lock: bool = False) -> dict:
        """value -> (primary key, division code, whether it is a target `ref.only` admits) in the database. `only` is
        judged after the area, so an answer never tells more of a row outside the area (a person's category) than
        that it is outside."""
        out = {}
        for i in range(0, len(values_), CHUNK):
            qs = ref.model.objects.filter(**{f"{ref.by}__in": values_[i:i + CHUNK]})
            if lock:
                qs = qs.select_for_update()
            admitted = set(qs.filter(**ref.only).values_list("pk", flat=True)) if ref.only else None
            for pk, by, area in qs.values_list("pk", ref.by, ref.area or ref.by):
                out[by] = (pk, area, admitted is None or pk in admitted)
        return out

    def existing(self, binding: Binding, keys: list[tuple], lock: bool = False) -> dict:
        """key -> (instance, division code) of the upsert sheet's rows already stored. A key's columns are the
        sheet's `keys`; a reference among them is matched on its target's lookup value (a station's code)."""
        model, sheet = binding.model, binding.sheet
        paths = [_lookup_path(binding, k) for k in sheet.keys]
        area_path = access.SCOPE_PATHS[model._meta.label_lower]
        out = {}
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            if len(paths) == 1:
                qs = model.objects.filter(**{f"{paths[0]}__in": [k[0] for k in chunk]})
            else:
                match = Q()
                for k in chunk:
                    match |= Q(**dict(zip(paths, k)))
                qs = model.objects.filter(match)
            if lock:
                qs = qs.select_for_update()
            for obj, *stored in qs.values_list("pk", *paths, area_path):
                key, code = tuple(stored[:-1]), stored[-1]
                out[key] = (obj, code)
        objs = model.objects.in_bulk([pk for pk, _ in out.values()])
        return {key: (objs[pk], code) for key, (pk, code) in out.items()}

    def check_existing(self, state: _Sheet) -> None:
        sheet = state.binding.sheet
        for key, (_, code) in self.existing(state.binding, list(state.keys)).items():
            if not access.covers(self.user, code):
                self.problem(sheet, state.keys[key], sheet.keys[0], key[0],
                             f"{sheet.field(sheet.keys[0]).header}“{key[0]}”已在您的管辖范围以外登记，不能通过导入修改")

    # -- pass 2 ---------------------------------------------------------------------------------------------------

    def conflict(self, sheet: Sheet, row: _Row, key: str, message: str):
        raise WriteConflict(Problem(self.f.sheet_label(sheet), row.number, self.f.column_label(sheet.field(key)),
                                    self.letters.get(sheet.key, {}).get(key), str(row.typed.get(key) or ""),
                                    f"{CHANGED_MEANWHILE}：{message}"))

    def write(self) -> None:
        for state in self.sheets.values():
            binding = state.binding
            refs = self.resolved_refs(state)
            if binding.mode == "upsert":
                self.write_upsert(state, refs)
            else:
                self.write_replace(state, refs)
            self.result.counts[binding.sheet.title] = len(state.rows)

    def resolved_refs(self, state: _Sheet) -> dict[str, dict]:
        """key -> value -> primary key, looked up again under lock; a target gone or moved out of the area stops."""
        out = {}
        binding = state.binding
        for key, ref in binding.refs.items():
            if ref.is_place:
                continue
            wanted = sorted({r.typed[key] for r in state.rows if r.typed.get(key) is not None})
            found = self.lookup(ref, wanted, lock=True)
            for row in state.rows:
                value = row.typed.get(key)
                if value is None:
                    continue
                if value not in found:
                    self.conflict(binding.sheet, row, key, ref.missing.format(value))
                if (key == binding.area or ref.within_area) and not access.covers(self.user, found[value][1]):
                    self.conflict(binding.sheet, row, key, f"“{value}”{OUTSIDE}")
                if not found[value][2]:
                    self.conflict(binding.sheet, row, key, ref.missing.format(value))
            out[key] = {v: pk for v, (pk, _, _) in found.items()}
        return out

    def model_values(self, binding: Binding, row: _Row, refs: dict) -> dict:
        out = {}
        for key, value in row.typed.items():
            ref = binding.refs.get(key)
            if ref is None:
                f = binding.sheet.field(key)
                if value is None and f.type in ("string", "enum", "boolean"):  # a blank is the model's default
                    value = binding.model._meta.get_field(key).get_default() if f.type != "string" else ""
                out[key] = value
            elif ref.is_place:
                out[f"{ref.field}_id"] = value
            else:
                out[f"{ref.field}_id"] = None if value is None else refs[key][value]
        return out

    def write_upsert(self, state: _Sheet, refs: dict) -> None:
        binding, sheet = state.binding, state.binding.sheet
        stored = self.existing(binding, list(state.keys), lock=True)
        creates, updates, fields = [], [], set()
        for row in state.rows:
            key = tuple(row.typed.get(k) for k in sheet.keys)
            data = self.model_values(binding, row, refs)
            if key in stored:
                obj, code = stored[key]
                if not access.covers(self.user, code):
                    self.conflict(sheet, row, sheet.keys[0], "该行已在您的管辖范围以外登记")
                for name, value in data.items():
                    setattr(obj, name, value)
                fields.update(data)
                updates.append(obj)
            else:
                creates.append(binding.model(**data))
        for obj in creates + updates:
            obj.full_clean(exclude=_relations(binding.model), validate_unique=False, validate_constraints=False)
        if creates:
            bulk_create_with_history(creates, binding.model, batch_size=CHUNK, default_user=self.user,
                                     default_change_reason=self.reason)
        if updates:
            bulk_update_with_history(updates, binding.model, sorted(fields), batch_size=CHUNK,
                                     default_user=self.user, default_change_reason=self.reason)

    def write_replace(self, state: _Sheet, refs: dict) -> None:
        """A parent's rows (of the years `parent_with` names, if any) in the user's area are replaced by the file's:
        a parent's rows kept by another area (an entity's households in another county) stay."""
        binding = state.binding
        parent = binding.refs[binding.parent]
        parents = set(refs[binding.parent].values())
        model = binding.model
        named = {(refs[binding.parent][r.typed[binding.parent]], *(r.typed.get(k) for k in binding.parent_with))
                 for r in state.rows}
        ours = access.subtree(access.SCOPE_PATHS[model._meta.label_lower], self.prefix)
        for i, chunk in enumerate(_chunks(sorted(parents))):
            for obj in model.objects.filter(ours, **{f"{parent.field}_id__in": chunk}).select_for_update(of=("self",)):
                if (getattr(obj, f"{parent.field}_id"), *(getattr(obj, k) for k in binding.parent_with)) not in named:
                    continue
                obj._history_user = self.user
                obj._change_reason = self.reason
                obj.delete()  # one by one, so each leaves its history row
        objs = [model(**self.model_values(binding, row, refs)) for row in state.rows]
        for obj in objs:
            obj.full_clean(exclude=_relations(model), validate_unique=False, validate_constraints=False)
        bulk_create_with_history(objs, model, batch_size=CHUNK, default_user=self.user,
                                 default_change_reason=self.reason)


def _relations(model) -> list[str]:
    """The model's foreign keys: resolved (and locked) by the import itself, so full_clean need not query each."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _lookup_path(binding: Binding, key: str) -> str:
    ref = binding.refs.get(key)
    if ref is None:
        return key
    return f"{ref.field}_id" if ref.is_place else f"{ref.field}__{ref.by}"


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def import_file(*, user, ledger: Ledger, path: Path | str, filename: str | None = None) -> ImportResult:
    """Check the whole file against the ledger's sheets; write it only if nothing is wrong."""
    result = ImportResult(filename=filename or Path(path).name)
    if not access.can_keep(user, ledger.key):
        result.problems.append(Problem(None, None, None, None, "", f"您的角色无权导入{ledger.title}"))
        return result
    try:
        f = ExchangeFile(Path(path), result.filename, catalog=ledger.catalog)
    except FileProblem as e:
        result.problems.append(Problem(None, None, None, None, "", str(e)))
        return result
    result.kind = f.kind
    try:
        sheets, unknown = f.sheets()
        for name in unknown:
            result.problems.append(Problem(name, None, None, None, "", f"未知的工作表“{name}”"))
        if not sheets:
            names = "、".join(f"“{s.title}”" for s in ledger.catalog.workbook_order)
            result.problems.append(Problem(None, None, None, None, "",
                                           f"文件“{f.filename}”中没有{ledger.title}的工作表（应有{names}）"))
            return result
        job = _Import(user, ledger, f, result)
        job.check(sheets)
        if result.problems:
            return result
        with transaction.atomic():
            job.write()
    except WriteConflict as e:
        result.counts.clear()
        result.problems.append(e.problem)
    except IntegrityError as e:
        result.counts.clear()
        result.problems.append(Problem(None, None, None, None, "", f"{CHANGED_MEANWHILE}：{constraints.explain(e)}"))
    except DataError:  # a value the database refuses that the checks let through: nothing written, said plainly
        result.counts.clear()
        result.problems.append(Problem(None, None, None, None, "", "数据库拒绝了文件中的某个值（未写入任何数据），请检查文本中的特殊字符和过大的数字"))
    finally:
        f.close_all()
    return result
