"""A trigram index on members' names, on PostgreSQL only: a name search of three characters or more ("contains") then
reads the index instead of every member of a city. SQLite has no such index; its scan is fine at a township's size.
Where the database user may not create the pg_trgm extension, the index is skipped (search still works, by scanning)."""
from django.db import migrations, transaction


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute("CREATE INDEX IF NOT EXISTS registry_member_name_trgm "
                                  "ON registry_member USING gin (name gin_trgm_ops)")
    except Exception as e:  # noqa: BLE001 - no privilege for the extension: leave the scan
        print(f"\n  （未创建姓名三元组索引：{e}）")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_member_name_trgm")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("registry", "0005_policy_fidelity_facts")]
    operations = [migrations.RunPython(create, drop)]
