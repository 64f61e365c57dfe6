"""The upgrade: existing DRF tokens keep working (hashed), existing users get their email
addresses (verified where the operator says so)."""

import importlib
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from accounts import api_tokens
from accounts.models import ApiToken

User = get_user_model()
hash_tokens = importlib.import_module("accounts.migrations.0004_hash_drf_tokens")
add_addresses = importlib.import_module("accounts.migrations.0005_existing_email_addresses")
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's documentation's example key


def _old_authtoken_table(user):
    """The table DRF's authtoken made, with one user's key in it, as before the upgrade."""
    when = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.schema_editor() as editor:
        editor.execute(
            f'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            f'"created" {when} NOT NULL, "user_id" integer NOT NULL UNIQUE)'
        )
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO authtoken_token ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [OLD_KEY, datetime(2026, 1, 2, tzinfo=UTC), user.pk],
        )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
            ["authtoken", "0001_initial", datetime(2026, 1, 2, tzinfo=UTC)],
        )


@pytest.mark.django_db(transaction=True)
def test_existing_drf_tokens_are_hashed_keep_working_and_the_old_table_goes(owner):
    _old_authtoken_table(owner)

    with connection.schema_editor() as editor:
        hash_tokens.hash_drf_tokens(apps, editor)

    token = ApiToken.objects.get(user=owner)
    assert (token.name, token.prefix) == ("API", OLD_KEY[:12])
    assert token.digest == api_tokens.digest(OLD_KEY)
    assert token.created_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone()[0] == 0
    assert Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {OLD_KEY}").status_code == 200
    gateway = Client().post(
        "/luma/tasks",
        {"action": "retrieve_batch", "ids": []},
        content_type="application/json",
        headers={"authorization": f"Bearer {OLD_KEY}"},
    )
    assert gateway.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_hashing_does_nothing_on_a_new_installation():
    with connection.schema_editor() as editor:
        hash_tokens.hash_drf_tokens(apps, editor)

    assert not ApiToken.objects.exists()


def _users_from_before_the_upgrade():
    """Users as the old site made them: no email address records at all."""
    made = {
        "old": User.objects.create_user("old", "Old@Example.com", "pw"),
        "twin": User.objects.create_user("twin", "old@example.com", "pw"),
        "boss": User.objects.create_user("boss", "boss@example.com", "pw", is_staff=True),
        "none": User.objects.create_user("none", "", "pw"),
    }
    EmailAddress.objects.all().delete()
    return made


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trusted", [True, False])
def test_existing_users_get_their_address_verified_as_the_operator_says(settings, trusted):
    settings.EXISTING_EMAILS_VERIFIED = trusted
    users = _users_from_before_the_upgrade()

    with connection.schema_editor() as editor:
        add_addresses.create_email_addresses(apps, editor)

    rows = {a.user.username: a for a in EmailAddress.objects.select_related("user")}
    assert rows["old"].email == "old@example.com" and rows["old"].primary
    assert rows["old"].verified is trusted
    assert rows["boss"].verified  # staff always, so the operator can still sign in
    assert not rows["twin"].verified  # one verified owner per address: the older account
    assert "none" not in rows
    assert User.objects.get(pk=users["old"].pk).check_password("pw")  # passwords untouched


@pytest.mark.django_db(transaction=True)
def test_adding_addresses_twice_changes_nothing(settings):
    _users_from_before_the_upgrade()
    with connection.schema_editor() as editor:
        add_addresses.create_email_addresses(apps, editor)
        before = list(EmailAddress.objects.values_list("email", "verified").order_by("pk"))
        add_addresses.create_email_addresses(apps, editor)

    assert list(EmailAddress.objects.values_list("email", "verified").order_by("pk")) == before
