"""The change log now belongs to the audit app (audit 0003 took over its table): forget it here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("administration", "0002_changelog_security_actions"),
        ("audit", "0003_changelog_moves_to_audit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ChangeLog")],
                                            database_operations=[]),
    ]
