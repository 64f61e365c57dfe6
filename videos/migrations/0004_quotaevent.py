# The quota ledger moves here from accounts (accounts 0002 drops it from its state).
# State only: the table keeps its name, accounts_quotaevent, and every row in it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("videos", "0003_video_media_copy"),
        ("accounts", "0002_quotaevent_moves_to_videos"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="QuotaEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("charge", "Charge"), ("release", "Release")], max_length=10)),
                        ("amount", models.SmallIntegerField()),
                        ("period_start", models.DateTimeField()),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="quota_events", to=settings.AUTH_USER_MODEL)),
                        ("video", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="videos.video")),
                    ],
                    options={
                        "db_table": "accounts_quotaevent",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["user", "period_start"], name="quota_event_user_period")],
                        "constraints": [
                            models.UniqueConstraint(fields=("video", "kind"), name="quota_event_once_per_video"),
                            models.CheckConstraint(
                                condition=models.Q(models.Q(("amount", 1), ("kind", "charge")), models.Q(("amount", -1), ("kind", "release")), _connector="OR"),
                                name="quota_event_amount_matches_kind",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
