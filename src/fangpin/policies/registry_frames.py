"""The engine's input frames straight from the registry, for a whole area (a payment round over a county).

`exchange.exporter.rows` builds one dict per row and converts value by value: right for a household's page, and 30
times too slow for a county's million persons. Here each sheet is one `values_list` query over the area's division
range, read in chunks into column lists, and converted column-wise by Polars to the exchange format's JSON types
(the types `tables.build_frames` reads). The columns are the engine's (`tables.INPUT_SCHEMAS`), taken from the same
model paths as the exporter (`exchange.mapping.ORM_PATH`), so both paths read the same facts.
"""
from __future__ import annotations

from collections.abc import Callable

import polars as pl
from django.db import connection, models

from fangpin.accounts import access
from fangpin.exchange import mapping
from fangpin.lib import bulkwrite, divisions

from . import tables

CHUNK = 20_000

# How each sheet's rows reach their village (a division range: the index on the village column serves it).
VILLAGE_PATH = {
    "households": "village_id", "members": "household__village_id", "incomes": "household__village_id",
    "employments": "member__household__village_id", "trainings": "member__household__village_id",
    "startups": "member__household__village_id", "enterprises": "org_unit_id",
}
# Extra columns a caller needs beside the engine's (a payee's name, the row's key).
EXTRA = {"households": {"household_pk": "pk"}, "members": {"member_pk": "pk", "name": "name"},
         "enterprises": {"enterprise_pk": "pk", "name": "name"}}


def _field(model, path: str) -> models.Field:
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    name = parts[-1]
    if name == "pk":
        return model._meta.pk
    if name.endswith("_id"):
        return model._meta.get_field(name[:-3]).target_field
    return model._meta.get_field(name)


def _dtype(field: models.Field) -> pl.DataType:
    if isinstance(field, models.DateField):
        return pl.Date
    if isinstance(field, models.DecimalField):
        return pl.Decimal(14, 2)
    if isinstance(field, models.BooleanField):
        return pl.Boolean
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return pl.Int64
    return pl.String


def _as_input(name: str, have: pl.DataType, want: pl.DataType) -> pl.Expr:
    """A column in the exchange format's JSON type: ISO dates and decimal texts as strings, blank codes as null."""
    col = pl.col(name)
    if have == pl.Date and want == pl.String:
        return col.dt.to_string("%Y-%m-%d").alias(name)
    if isinstance(have, pl.Decimal) and want == pl.String:
        return col.cast(pl.String).alias(name)
    if have == pl.String:
        return pl.when(col != "").then(col).alias(name)
    return col.cast(want).alias(name)


def sheet_frame(user, key: str, prefix: str, *, years: tuple[int, ...] | None = None,
                progress: Callable[[int], None] | None = None) -> pl.DataFrame:
    """One sheet's rows under the division `prefix`, in the user's scope, as the engine reads them (plus EXTRA)."""
    model = mapping.MODELS[key]
    columns = {c: mapping.ORM_PATH[key][c] for c in tables.INPUT_SCHEMAS[key] if c in mapping.ORM_PATH[key]}
    columns |= EXTRA.get(key, {})
    qs = access.scope(user, model.objects.filter(access.subtree(VILLAGE_PATH[key], prefix)))
    if years is not None and "year" in columns:
        qs = qs.filter(year__in=years)
    types = {c: _dtype(_field(model, p)) for c, p in columns.items()}
    names = list(columns)
    qs = qs.order_by(*mapping.ORDER[key])
    if connection.vendor == "postgresql":
        # COPY out as CSV, parsed by Polars: no Python object per cell (a county's million members in seconds);
        # booleans come as t/f
        read = {p: (pl.String if types[c] == pl.Boolean else types[c]) for c, p in columns.items()}
        frame = bulkwrite.read_frame(qs, read).rename(dict(zip(columns.values(), names)))
        frame = frame.with_columns((pl.col(c) == "t").alias(c) for c in names if types[c] == pl.Boolean)
    else:
        lists: list[list] = [[] for _ in names]
        seen = 0
        for row in qs.values_list(*columns.values()).iterator(chunk_size=CHUNK):
            for i, value in enumerate(row):
                lists[i].append(value)
            seen += 1
            if progress and seen % CHUNK == 0:
                progress(seen)
        frame = pl.DataFrame({n: pl.Series(n, values, dtype=types[n], strict=False)
                              for n, values in zip(names, lists)})
    want = tables.INPUT_SCHEMAS[key]
    return frame.with_columns(_as_input(n, types[n], want.get(n, types[n])) for n in names)


def area_frames(*, user, area: str, year: int) -> dict[str, pl.DataFrame]:
    """Every input sheet of the area's households for the evaluation year, and the enterprises placed in the area or
    named by its people's work, training and start-up rows (a workshop in the next county still makes its workers'
    spells count): the frames `tables.build_frames` takes, with names and primary keys beside."""
    access.require(user, "registry.read")
    prefix = divisions.prefix(divisions.full_code(area))
    years = (year - 1, year)  # the year before: "new workers" and last year's spells
    keys = [key for key in tables.SHEETS if key != "enterprises"]
    if _parallel():
        frames = _read_in_parallel(user, keys, prefix, years)
    else:
        frames = {key: sheet_frame(user, key, prefix, years=years) for key in keys}
    named = set()
    for key, column in (("employments", "employer_credit_code"), ("employments", "agency_credit_code"),
                        ("trainings", "institution_credit_code")):
        named |= set(frames[key][column].drop_nulls().unique().to_list())
    own = sheet_frame(user, "enterprises", prefix)
    outside = sorted(named - set(own["credit_code"].to_list()))
    frames["enterprises"] = pl.concat([own, _enterprises(user, outside, own.schema)], how="vertical")
    return frames


PARALLEL_READERS = 2  # the machine's cores: the queries' work is the server's


def _parallel() -> bool:
    """Whether the sheets are read on several connections: on PostgreSQL, inside the caller's own transaction and
    directly in it (a snapshot is exported from a transaction, never from a savepoint). Nested in another
    transaction — a test's, a request's, a caller's with writes of its own — the sheets are read on the one
    connection, which alone sees that transaction's rows."""
    return (PARALLEL_READERS > 1 and connection.vendor == "postgresql" and connection.in_atomic_block
            and len(connection.atomic_blocks) == 1
            and not getattr(connection.atomic_blocks[0], "_from_testcase", False))


def _read_in_parallel(user, keys: list[str], prefix: str, years: tuple[int, ...]) -> dict[str, pl.DataFrame]:
    """`sheet_frame` of each key, on PARALLEL_READERS connections of their own that read the caller's snapshot
    (pg_export_snapshot): the sheets agree with each other as if read on one connection, in about half the time."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import transaction

    with connection.cursor() as c:
        c.execute("SELECT pg_export_snapshot()")
        snapshot = c.fetchone()[0]

    def read(key: str) -> pl.DataFrame:
        try:
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                c.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                return sheet_frame(user, key, prefix, years=years)
        finally:
            connection.close()  # the thread's own connection

    with ThreadPoolExecutor(PARALLEL_READERS) as pool:
        done = {key: pool.submit(read, key) for key in sorted(keys, key=lambda k: _READ_COST.get(k, 0), reverse=True)}
        return {key: done[key].result() for key in keys}


# The larger sheets first, so the two readers finish together (rows per household in a county's registry).
_READ_COST = {"members": 4, "employments": 5, "incomes": 2, "households": 1, "trainings": 1, "startups": 1}


def _enterprises(user, credit_codes: list[str], schema) -> pl.DataFrame:
    """Enterprises outside the area by credit code, among those the user may see (registry.selectors' rule)."""
    from fangpin.registry import selectors

    if not credit_codes:
        return pl.DataFrame(schema=schema)
    columns = {c: mapping.ORM_PATH["enterprises"].get(c) or EXTRA["enterprises"][c] for c in schema.names()}
    rows = []
    visible = selectors.enterprises_visible(user=user)
    for start in range(0, len(credit_codes), CHUNK):
        rows += visible.filter(credit_code__in=credit_codes[start:start + CHUNK]).values_list(*columns.values())
    model = mapping.MODELS["enterprises"]
    types = {c: _dtype(_field(model, p)) for c, p in columns.items()}
    frame = pl.DataFrame(rows, schema=types, orient="row", strict=False)
    want = tables.INPUT_SCHEMAS["enterprises"]
    return frame.with_columns(_as_input(n, types[n], want.get(n, types[n])) for n in columns).select(schema.names())
