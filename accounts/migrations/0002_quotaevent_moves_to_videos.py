# The quota ledger is a record of what users did, so it belongs to the videos app
# (which may depend on accounts, never the reverse). Only Django's state moves: the
# table accounts_quotaevent and its rows stay where they are (videos 0004 takes them).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="QuotaEvent")],
            database_operations=[],
        ),
    ]
