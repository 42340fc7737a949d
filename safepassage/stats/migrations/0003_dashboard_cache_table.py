"""The table of the dashboard's cache (settings.CACHES["stats"]): Django's database cache, so
that every server process shares the figures it computes. Created here rather than by a
separate `createcachetable` step, so that `migrate` is the whole installation."""

from django.core.management import call_command
from django.db import migrations

# The LOCATION of the "stats" cache in config/settings.py.
TABLE = "stats_dashboard_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_drop_indexes_covered_by_year_indexes")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
