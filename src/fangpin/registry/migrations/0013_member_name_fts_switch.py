"""On SQLite, a switch for the name index's insert trigger (registry/name_index.py): a bulk writer turns it off for
its batch inside its transaction and adds the batch's names in one statement. With no switch row, or the switch
reset, the trigger fires as before."""
from django.db import migrations

TABLE = "registry_member_name_fts"
SWITCH = "registry_member_name_fts_paused"

TRIGGER = f"{TABLE}_insert"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    if TABLE not in schema_editor.connection.introspection.table_names():
        return  # an SQLite without FTS5: no index, nothing to switch
    for sql in [
        f"CREATE TABLE {SWITCH} (paused integer NOT NULL CHECK (paused IN (0, 1)))",
        f"INSERT INTO {SWITCH} (paused) VALUES (0)",
        f"DROP TRIGGER {TRIGGER}",
        f"""CREATE TRIGGER {TRIGGER} AFTER INSERT ON registry_member
            WHEN coalesce((SELECT max(paused) FROM {SWITCH}), 0) = 0 BEGIN
            INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END""",
    ]:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite" or TABLE not in schema_editor.connection.introspection.table_names():
        return
    for sql in [
        f"DROP TRIGGER {TRIGGER}",
        f"""CREATE TRIGGER {TRIGGER} AFTER INSERT ON registry_member BEGIN
            INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END""",
        f"DROP TABLE IF EXISTS {SWITCH}",
    ]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0012_member_name_fts_sqlite")]
    operations = [migrations.RunPython(create, drop)]
