"""Refuse UPDATE and DELETE on audit rows in the database itself (PostgreSQL), so even SQL run
behind the application's back cannot rewrite history without first dropping the trigger."""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_accessevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION safepassage_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION safepassage_audit_append_only()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS safepassage_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_and_access_chains")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
