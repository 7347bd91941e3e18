"""The table of the `ratelimit` cache (Django's DatabaseCache) when it is configured: the embedded
set-up keeps its rate-limit counters in the database so that every web process counts together."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_table(apps, schema_editor):
    # Without table names, createcachetable makes the table of every DatabaseCache in CACHES (ours,
    # named by its LOCATION) and leaves existing ones alone.
    if settings.CACHES.get("ratelimit", {}).get("BACKEND", "").endswith("DatabaseCache"):
        call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_table, migrations.RunPython.noop)]
