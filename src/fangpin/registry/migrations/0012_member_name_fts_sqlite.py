"""On SQLite, a trigram full-text index of members' names (FTS5's trigram tokenizer), kept by triggers: a name search of
three characters or more ("contains") reads it instead of every member (90 ms at 100,000 households, the township
default's size). PostgreSQL has its pg_trgm index (0006). An SQLite built without FTS5 keeps the scan."""
from django.db import migrations, transaction

TABLE = "registry_member_name_fts"

CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(name, content='registry_member', content_rowid='id', tokenize='trigram')",
    # external content: the triggers keep the index in step with every insert, update and delete, bulk ones included
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON registry_member BEGIN
        INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END""",
    f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON registry_member BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, name) VALUES ('delete', old.id, old.name); END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF name ON registry_member BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO {TABLE}(rowid, name) VALUES (new.id, new.name); END""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",  # the members already there
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        with transaction.atomic():
            for sql in CREATE:
                schema_editor.execute(sql)
    except Exception as e:  # noqa: BLE001 - an SQLite without FTS5: leave the scan
        print(f"\n  （未创建姓名全文索引：{e}）")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("registry", "0011_work_queue_indexes")]
    operations = [migrations.RunPython(create, drop)]
