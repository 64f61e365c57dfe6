"""Named personal API tokens: stored hashed, several per person, expiring, revocable, and the
same key for the REST API, the gateway and file downloads."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import api_tokens
from accounts.models import ApiToken
from tests.factories import make_token

pytestmark = pytest.mark.django_db
QUOTA = "/api/v1/quota/"


def _api(key, keyword="Token"):
    return Client().get(QUOTA, HTTP_AUTHORIZATION=f"{keyword} {key}")


def _gateway(key):
    return Client().post(
        "/luma/tasks",
        {"action": "retrieve_batch", "ids": []},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )


def _everything_in_the_database() -> str:
    """Every text value in every table, as one string to search."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                found.extend(str(value) for value in row if value is not None)
    return "\n".join(found)


def test_the_raw_key_is_nowhere_in_the_database_after_it_is_shown(browser, owner):
    page = browser.post("/accounts/tokens/", {"name": "laptop CLI", "expires": ""})
    page_key = page.context["key"]
    api_key = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "olivia", "password": "pw-olivia", "name": "n8n"})
        .json()["token"]
    )
    assert _api(page_key).status_code == _api(api_key).status_code == 200  # sessions saved too

    stored = _everything_in_the_database()

    for key in (page_key, api_key):
        assert key not in stored
        assert key[api_tokens.PREFIX_LENGTH :] not in stored  # not even the secret part
        assert api_tokens.digest(key) in stored  # only its fingerprint
        assert key[: api_tokens.PREFIX_LENGTH] in stored  # and its prefix, to find it


def test_a_key_looks_like_a_luma_studio_token_and_its_prefix_is_recorded(owner):
    token, key = api_tokens.issue(owner, "laptop CLI")

    assert key.startswith("luma_") and len(key) == 48
    assert token.prefix == key[:12] and token.digest == api_tokens.digest(key)
    assert token.name == "laptop CLI"


def test_a_person_holds_several_tokens_and_each_works(owner):
    keys = [make_token(owner, name) for name in ("laptop CLI", "n8n", "phone")]

    assert ApiToken.objects.filter(user=owner).count() == 3
    assert [_api(k).status_code for k in keys] == [200, 200, 200]
    assert [_gateway(k).status_code for k in keys] == [200, 200, 200]


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_the_api_takes_the_token_with_either_keyword(owner, keyword):
    assert _api(make_token(owner), keyword).status_code == 200


@pytest.mark.parametrize(
    "key",
    ["", "nope", "luma_" + "x" * 43, "x" * 101, "luma_\u00e9\u00e9", "a b"],
)
def test_a_wrong_key_is_refused_everywhere_with_the_usual_answers(owner, key):
    make_token(owner)

    api = _api(key)
    gateway = _gateway(key)

    assert api.status_code == 401 and api.json()["code"] in (
        "authentication_failed",
        "not_authenticated",
    )
    assert gateway.status_code == 401 and gateway.json()["error"]["code"] == "invalid_token"


def test_an_expired_token_stops_working_everywhere(owner):
    key = make_token(owner, expires_at=timezone.now() + timedelta(minutes=5))
    assert _api(key).status_code == 200
    ApiToken.objects.filter(user=owner).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _api(key).status_code == 401
    assert "revoked, has expired" in _api(key).json()["detail"]
    assert _gateway(key).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(owner, django_assert_num_queries):
    key = make_token(owner)
    token = ApiToken.objects.get(user=owner)
    assert token.last_used_at is None

    assert api_tokens.find(key) is not None
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    with django_assert_num_queries(1):  # the lookup only: no second write within the minute
        api_tokens.find(key)

    assert first is not None and ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_tokens.find(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)


def test_a_deactivated_users_tokens_are_revoked_and_stay_revoked(owner, staff):
    key = make_token(owner)
    admin = Client()
    admin.force_login(staff)

    owner.is_active = False
    owner.save()
    owner.is_active = True  # reactivating does not bring the old tokens back
    owner.save()

    assert not ApiToken.objects.filter(user=owner).exists()
    assert _api(key).status_code == 401 and _gateway(key).status_code == 401


def test_deactivating_ends_the_users_sessions(client, owner):
    client.post("/accounts/login/", {"login": "olivia", "password": "pw-olivia"})
    assert client.get("/videos/").status_code == 200

    owner.is_active = False
    owner.save(update_fields=["is_active"])
    owner.is_active = True
    owner.save(update_fields=["is_active"])

    assert client.get("/videos/").status_code == 302


def test_saving_an_inactive_user_again_revokes_nothing_new(owner):
    owner.is_active = False
    owner.save()
    make_token(owner)  # e.g. staff prepare one before reactivating

    owner.first_name = "Liv"
    owner.save()

    assert ApiToken.objects.filter(user=owner).count() == 1


def test_the_admin_shows_prefixes_and_dates_never_a_key(admin_client, owner):
    key = make_token(owner, "laptop CLI")

    listing = admin_client.get("/admin/accounts/apitoken/").content.decode()
    token = ApiToken.objects.get(user=owner)
    detail = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    user_page = admin_client.get(f"/admin/auth/user/{owner.pk}/change/").content.decode()

    for html in (listing, detail, user_page):
        assert key not in html and token.digest not in html
        assert token.prefix in html
    assert "laptop CLI" in listing
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_staff_revoke_a_token_in_the_admin(admin_client, owner):
    key = make_token(owner)
    token = ApiToken.objects.get(user=owner)

    admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )

    assert not ApiToken.objects.exists()
    assert _api(key).status_code == 401
