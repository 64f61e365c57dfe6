# API tokens move from Django REST framework's authtoken (one raw key per user, readable by
# anyone with the database or the admin) to accounts.ApiToken (named, several per user,
# stored as a SHA-256 digest). Each existing key is hashed here, so scripts that use it keep
# working, and then the old table, which held the keys in clear, is dropped, along with
# Django's record of its migrations (the app is no longer installed). Not reversible: the
# keys cannot be recovered from their digests.

import hashlib

from django.db import migrations

OLD_TABLE = "authtoken_token"


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} "  # noqa: S608
            f"FROM {quote(OLD_TABLE)}"
        )
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="API",
                prefix=key[:12],
                digest=hashlib.sha256(key.encode()).hexdigest(),
                created_at=created,
            )
            for key, user_id, created in rows
        ]
    )
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_api_tokens_invitations_approvals"),
    ]

    operations = [
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop, elidable=True),
    ]
