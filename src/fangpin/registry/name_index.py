"""SQLite's trigram index of members' names (FTS5, migrations 0012 and 0013), for search and for bulk writes.

Triggers keep the index in step with every insert, update and delete. For a bulk insert the per-row trigger is the
cost (about 35 µs a member, 3.5 s of a 100,000-member import, against 1.1 s for the rows themselves), so a bulk writer
switches the insert trigger off for its batch and adds the batch's names in one statement. The switch is a row in the
database, set and reset inside the writer's transaction: SQLite lets one writer at a time, so no other connection can
insert a member while it is off, and a rollback puts it back with everything else. PostgreSQL has pg_trgm (0006)."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, connections

TABLE = "registry_member_name_fts"
SWITCH = "registry_member_name_fts_paused"  # one row: 1 while a bulk writer adds the names itself


@functools.cache
def available(alias: str) -> bool:
    return TABLE in connections[alias].introspection.table_names(include_views=True)


def _noop(ids: Sequence[int], names: Sequence[str]) -> None:
    return None


@contextlib.contextmanager
def bulk_insert(model) -> Iterator[Callable[[Sequence[int], Sequence[str]], None]]:
    """Around a bulk insert of `model`'s rows: yields add(ids, names), to be called with the rows inserted. For any
    model but Member, and off SQLite's index, add does nothing and nothing is switched."""
    from .models import Member

    if model is not Member or connection.vendor != "sqlite" or not available(connection.alias):
        yield _noop
        return
    if not connection.in_atomic_block:
        raise RuntimeError("the name index is switched off only inside the writer's transaction")
    with connection.cursor() as c:
        c.execute(f"UPDATE {SWITCH} SET paused = 1")

        def add(ids: Sequence[int], names: Sequence[str]) -> None:
            c.executemany(f"INSERT INTO {TABLE}(rowid, name) VALUES (%s, %s)", list(zip(ids, names)))

        try:
            yield add
        finally:
            c.execute(f"UPDATE {SWITCH} SET paused = 0")
