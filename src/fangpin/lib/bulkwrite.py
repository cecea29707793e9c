"""Set-based inserts with their history rows: PostgreSQL COPY, SQLite executemany.

Django's bulk_create builds every INSERT value by value (a prepare_value per cell, a Model instance per row) and
django-simple-history's helper does the same again for the history rows: at 250,000 rows that is most of an import
(docs/benchmarks.md, issue 10). Here each model's columns are worked out once, rows arrive as plain values that are
already typed (the importer's coerced cells), and both tables are written in one statement per batch.

Semantics kept from bulk_create + bulk_create_with_history: the model's defaults fill the columns a row does not
give; primary keys are taken from the table's own sequence (PostgreSQL) or after the largest ever used (SQLite, where
a transaction holds the write lock from its start); every row gets one history row ("+", the user, the reason, one
timestamp for the batch). No signals are sent, as with bulk_create. The tables' constraints still judge every row.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

from fangpin.lib.fields import JSONTextField

# Field types whose Python values the drivers take as they are (None included).
_AS_IS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.DecimalField,
          models.FloatField, models.ForeignKey)


class _Columns:
    """How to turn a row (attname -> value) of `model` into the values of its table's columns, worked out once."""

    def __init__(self, model, given: Sequence[str]):
        self.model = model
        given = set(given)
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.names = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        unknown = given - set(self.attnames) - {model._meta.pk.attname}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.adapters = [_adapter(f) for f in self.fields]
        self.defaults = {}  # for a row that does not give the column
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = timezone.now
            elif f.has_default() and callable(f.default):
                self.defaults[f.attname] = f.default
            else:
                value = f.get_default()
                self.defaults[f.attname] = lambda value=value: value

    def values(self, row: dict) -> list:
        out = []
        for attname, adapt in zip(self.attnames, self.adapters):
            value = row[attname] if attname in row else self.defaults[attname]()
            out.append(value if adapt is None or value is None else adapt(value))
        return out


def _adapter(field):
    """None when the driver takes the value as it is; else a function to the database's value."""
    if isinstance(field, JSONTextField):
        return field.get_prep_value
    if isinstance(field, models.DateTimeField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateField):
        return dt.date.isoformat if connection.vendor == "sqlite" else None
    if isinstance(field, _AS_IS):
        return None
    return lambda v: field.get_db_prep_save(v, connection)


_COLUMNS: dict[tuple, _Columns] = {}


def _columns(model, given) -> _Columns:
    key = (model, connection.vendor, tuple(sorted(given)))
    if key not in _COLUMNS:
        _COLUMNS[key] = _Columns(model, given)
    return _COLUMNS[key]


@contextlib.contextmanager
def big_cache(mib: int = 256):
    """SQLite: a page cache of `mib` for one large write (the default 2 MiB makes every index insert of a 250,000-row
    import go back to the file); the usual size after. Nothing on PostgreSQL (shared_buffers is the server's)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as c:
        c.execute("PRAGMA cache_size")
        before = c.fetchone()[0]
        c.execute(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute(f"PRAGMA cache_size = {int(before)}")


STATISTICS_AFTER_ROWS = 1000  # a write this large may change which index a query should use


def refresh_statistics(rows_written: int) -> None:
    """SQLite: the planner's statistics (sqlite_stat1) after a large write, from a sample (analysis_limit), so that
    it still picks the right index: without them a city leader's case list walked every household of the city
    (57 ms) instead of the cases' due-date index (1 ms). PostgreSQL's autovacuum analyzes changed tables itself."""
    if connection.vendor != "sqlite" or rows_written < STATISTICS_AFTER_ROWS:
        return
    with connection.cursor() as c:
        c.execute("PRAGMA analysis_limit = 400")
        c.execute("ANALYZE")


def analyze(*models_) -> None:
    """PostgreSQL: fresh planner statistics for tables a step has just filled with a county's rows. Autovacuum
    analyzes them a minute later; until then the planner takes the new rows for none and walks them row by row
    (a round's notices: 220,000 index lookups instead of one hash join)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as c:
        for model in models_:
            c.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def allocate_ids(model, n: int) -> list[int]:
    """n new primary keys for `model`'s table, never used before."""
    if n == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [r[0] for r in c.fetchall()]
        q = connection.ops.quote_name
        c.execute(f"SELECT MAX({q(pk)}) FROM {q(table)}")
        largest = c.fetchone()[0] or 0
        c.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])  # AUTOINCREMENT: deleted keys stay used
        seq = c.fetchone()
        start = max(largest, seq[0] if seq else 0) + 1
        return list(range(start, start + n))


def _write(table: str, columns: list[str], rows: list[list]) -> None:
    if not rows:
        return
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in columns)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # psycopg's COPY is reached past Django's cursor wrapper: its errors are turned into Django's here, so that
            # a violated constraint is an IntegrityError like any other
            with connection.wrap_database_errors, c.cursor.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            c.executemany(f"INSERT INTO {q(table)} ({cols}) VALUES ({marks})", rows)


def insert_with_history(model, rows: list[dict], *, user, reason: str) -> list[int]:
    """Insert `rows` (attname -> typed value) into `model`'s table and one "+" history row each; the new keys in order."""
    if not rows:
        return []
    cols, ids, table_rows = _insert(model, rows)

    history = model.history.model
    hcols = _columns(history, [])
    pos = {a: i for i, a in enumerate(cols.attnames)}
    pos[model._meta.pk.attname] = len(cols.attnames)
    now = timezone.now()
    fixed = {"history_date": now, "history_change_reason": reason, "history_type": "+",
             "history_user_id": getattr(user, "pk", None)}
    names, sources = [], []
    for f, adapt in zip(hcols.fields, hcols.adapters):
        names.append(f.column)
        if f.attname in fixed:
            value = fixed[f.attname]
            sources.append(("fixed", value if adapt is None or value is None else adapt(value)))
        elif f.attname in pos:
            sources.append(("row", pos[f.attname]))
        else:
            raise ValueError(f"history column {f.attname} of {model.__name__} has no source")
    history_rows = [[value if kind == "fixed" else r[value] for kind, value in sources] for r in table_rows]
    _write(history._meta.db_table, names, history_rows)
    return ids


def _insert(model, rows: list[dict]) -> tuple[_Columns, list[int], list[list]]:
    """Write `rows` to `model`'s table with new keys: the columns, the keys and the table rows as written."""
    cols = _columns(model, rows[0].keys())
    ids = allocate_ids(model, len(rows))
    table_rows = []
    for pk, row in zip(ids, rows):
        values = cols.values(row)
        values.append(pk)
        table_rows.append(values)
    _write(model._meta.db_table, [*cols.names, model._meta.pk.column], table_rows)
    return cols, ids, table_rows


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert `rows` (attname -> typed value) into `model`'s table, for tables whose history is kept otherwise (a
    payment round's rows: the round's events); the new keys in order."""
    return _insert(model, rows)[1] if rows else []


FRAME_BATCH = 50_000


def insert_frame(model, frame, *, json_text: Sequence[str] = ()) -> int:
    """Insert a Polars frame's rows (columns named by attname, values already typed) into `model`'s table; columns the
    frame lacks take the model's defaults, keys come from the table's sequence. `json_text` names JSON columns given
    as JSON text (one encoded document per cell), written as they are. PostgreSQL: COPY in CSV, each batch written by
    Polars (no Python object per cell: a million round rows in seconds); SQLite: executemany. The rows written."""
    import json

    import polars as pl

    if frame.height == 0:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    known = {f.attname for f in fields}
    unknown = set(frame.columns) - known
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    missing, raw = [], set(json_text)
    for f in fields:
        if f.attname in frame.columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        else:
            value = f.get_default()
        if isinstance(f, (models.JSONField, JSONTextField)):
            value = json.dumps(value)
            raw.add(f.attname)
        missing.append(pl.lit(value).alias(f.attname))
    frame = frame.with_columns(missing).select([f.attname for f in fields])
    names = [f.column for f in fields]
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in names)
    table = q(model._meta.db_table)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            import io

            from psycopg.copy import QueuedLibpqWriter

            # a writer thread sends each batch while Polars writes the next (both outside the GIL): the client's
            # formatting overlaps the server's parsing instead of following it
            sql = f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)"
            with connection.wrap_database_errors, c.cursor.copy(sql, writer=QueuedLibpqWriter(c.cursor)) as copy:
                for start in range(0, frame.height, FRAME_BATCH):
                    buf = io.BytesIO()  # bytes straight from Polars: no str made and encoded again
                    frame.slice(start, FRAME_BATCH).write_csv(buf, include_header=False)
                    copy.write(buf.getvalue())
        else:
            adapters = [None if f.attname in raw else _adapter(f) for f in fields]
            # dates become ISO text in Polars, so that most frames need no Python call per cell
            dates = [f.attname for f, a in zip(fields, adapters) if a is dt.date.isoformat]
            frame = frame.with_columns(pl.col(d).cast(pl.String) for d in dates)
            adapters = [None if f.attname in dates else a for f, a in zip(fields, adapters)]
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            for start in range(0, frame.height, FRAME_BATCH):
                part = frame.slice(start, FRAME_BATCH)
                if all(a is None for a in adapters):
                    c.executemany(sql, part.rows())
                else:
                    c.executemany(sql, [[v if a is None or v is None else a(v) for v, a in zip(row, adapters)]
                                        for row in part.iter_rows()])
    return frame.height


def read_frame(queryset, columns: dict):
    """The queryset's `columns` (lookup path -> Polars type) as a Polars frame, in the queryset's order. PostgreSQL:
    the query's rows COPY-ed out as CSV and parsed by Polars (no Python object per cell); SQLite: values_list."""
    import io

    import polars as pl

    paths = list(columns)
    qs = queryset.values_list(*paths)
    if connection.vendor != "postgresql":
        rows = list(qs)
        return pl.DataFrame(rows, schema=columns, orient="row")
    sql, params = qs.query.sql_with_params()
    buf = io.BytesIO()
    with connection.cursor() as c, connection.wrap_database_errors, \
            c.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for data in copy:
            buf.write(data)
    if buf.tell() == 0:
        return pl.DataFrame(schema=columns)
    buf.seek(0)
    return pl.read_csv(buf, has_header=False, new_columns=paths, schema=columns)


def update_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Set `columns` (attnames) row by row: each tuple is (primary key, *values). PostgreSQL: the values are copied to
    a temporary table and applied in one UPDATE ... FROM (a million single-row UPDATEs take minutes); SQLite: one
    executemany."""
    if not rows:
        return
    q = connection.ops.quote_name
    meta = model._meta
    fields = [meta.pk, *[next(f for f in meta.concrete_fields if f.attname == c) for c in columns]]
    adapters = [_adapter(f) for f in fields]
    values = [[v if a is None or v is None else a(v) for v, a in zip(row, adapters)] for row in rows]
    names = [f.column for f in fields]
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            types = [f.db_type(connection) for f in fields]
            tmp = q(f"_upd_{meta.db_table}")
            c.execute(f"CREATE TEMP TABLE {tmp} ({', '.join(f'{q(n)} {t}' for n, t in zip(names, types))}) "
                      "ON COMMIT DROP")
            _write(tmp.strip('"'), names, values)
            sets = ", ".join(f"{q(n)} = u.{q(n)}" for n in names[1:])
            c.execute(f"UPDATE {q(meta.db_table)} t SET {sets} FROM {tmp} u WHERE t.{q(names[0])} = u.{q(names[0])}")
            c.execute(f"DROP TABLE {tmp}")
        else:
            sets = ", ".join(f"{q(n)} = %s" for n in names[1:])
            c.executemany(f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(names[0])} = %s",
                          [[*v[1:], v[0]] for v in values])


class AnyOf(models.Lookup):
    """`field__any_of=[...]`: IN for a long list of keys. On PostgreSQL the list goes as one array parameter
    (`= ANY(%s)`): psycopg parses a query's placeholders on the client, and 2,000 of them per batch cost more than the
    query itself. Values are compared as given (already typed), not prepared one by one."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", params
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # foreign keys look their lookups up on their own class


def insert_select(model, queryset, columns: Sequence[str], **constants) -> int:
    """Rows copied inside the database: INSERT INTO `model`'s table the values of `queryset` (a values_list in the
    order of `columns`, attnames), with `constants` for the other columns; the number of rows. A round's million
    rows never come to Python. Constants are strings, numbers or booleans (a NULL column is left out)."""
    q = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = ", ".join(q(fields[c].column) for c in (*columns, *constants))
    sql, params = queryset.order_by().query.sql_with_params()
    marks = "".join(", %s" for _ in constants)
    values = [fields[c].get_db_prep_save(v, connection) for c, v in constants.items()]
    with connection.cursor() as c:
        c.execute(f"INSERT INTO {q(model._meta.db_table)} ({names}) SELECT s.*{marks} FROM ({sql}) s",
                  [*values, *params])
        return c.rowcount
