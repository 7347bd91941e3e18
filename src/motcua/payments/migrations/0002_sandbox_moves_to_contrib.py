# The demo gateway's books (SandboxTransaction) move to the contrib app motcua.payments.contrib.sandbox,
# which keeps the table payments_sandboxtransaction: only Django's state changes, no row moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SandboxTransaction')],
            database_operations=[],
        ),
    ]
