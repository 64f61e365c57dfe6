"""POST /api/v1/auth/token/: a new named token for a username and password (and the
two-factor code, when the account uses one); never an existing key."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import make_token, totp_code, turn_on_totp

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def _ask(**body):
    body = {"username": "olivia", "password": "pw-olivia", **body}
    return APIClient().post(URL, body, format="json")


def test_each_call_creates_a_new_named_token_and_shows_it_once(owner):
    first = _ask(name="laptop CLI")
    second = _ask()

    assert first.status_code == second.status_code == 201
    assert first["Cache-Control"] == "no-store"
    a, b = first.json(), second.json()
    assert a["token"] != b["token"]
    assert (a["name"], b["name"]) == ("laptop CLI", "API")
    assert a["prefix"] == a["token"][:12] and a["expires_at"] is None
    assert sorted(ApiToken.objects.filter(user=owner).values_list("name", flat=True)) == [
        "API",
        "laptop CLI",
    ]


def test_it_never_hands_out_an_existing_key(owner):
    existing = make_token(owner)

    answer = _ask().json()

    assert answer["token"] != existing
    assert existing not in str(answer)


def test_it_signs_in_by_email_too(owner):
    assert _ask(username="olivia@example.com").status_code == 201


def test_a_token_can_expire(owner):
    answer = _ask(expires_in_days=30).json()

    expires = ApiToken.objects.get(prefix=answer["prefix"]).expires_at
    assert timezone.now() + timedelta(days=29) < expires < timezone.now() + timedelta(days=31)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": "soon"}, "expires_in_days"),
        ({"username": ""}, "username"),
    ],
)
def test_bad_input_is_a_clear_400_and_makes_nothing(owner, body, field):
    response = _ask(**body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_gets_no_token(owner):
    owner.is_active = False
    owner.save()

    response = _ask()

    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"


# --- two-factor authentication ---------------------------------------------------------
def test_with_totp_on_the_code_is_required(owner):
    secret, _ = turn_on_totp(owner)

    missing = _ask()
    wrong = _ask(otp="000000" if totp_code(secret) != "000000" else "111111")
    right = _ask(otp=totp_code(secret))

    assert missing.status_code == 400 and missing.json()["code"] == "otp_required"
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_invalid"
    assert right.status_code == 201
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_a_totp_code_works_once(owner):
    secret, _ = turn_on_totp(owner)
    code = totp_code(secret)

    assert _ask(otp=code).status_code == 201
    assert _ask(otp=code).json()["code"] == "otp_invalid"


def test_a_recovery_code_works_in_place_of_the_app_once(owner):
    _, codes = turn_on_totp(owner)

    assert _ask(otp=codes[0]).status_code == 201
    assert _ask(otp=codes[0]).status_code == 400


def test_wrong_codes_count_towards_the_login_guard(owner, settings):
    settings.LOGIN_MAX_FAILURES = 3
    secret, _ = turn_on_totp(owner)

    for _ in range(3):
        _ask(otp="not-a-code")
    locked = _ask(otp=totp_code(secret))

    assert locked.status_code == 429 and locked.json()["code"] == "locked"
