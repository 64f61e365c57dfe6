"""Deployment: the production checks pass, password guessing is stopped, abuse is throttled."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.config.test_settings import PRODUCTION, manage
from tests.factories import make_token, make_video
from videos.models import Video

pytestmark = [pytest.mark.reliability]


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["locmemcache://", "redis://127.0.0.1:6379/1"])
def test_the_deploy_check_reports_nothing_with_production_settings(cache):
    result = manage("check", "--deploy", "--fail-level", "WARNING", CACHE_URL=cache, **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


# --- password guessing -------------------------------------------------------------------
@pytest.fixture
def guard(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 600


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_wrong_passwords_lock_the_login_with_a_clear_429(guard, owner, record):
    page = Client()
    answers = [_login(page, "olivia", f"guess-{n}").status_code for n in range(3)]

    locked = _login(page, "olivia", "pw-olivia")  # even the right password, for now

    held = [a == 200 for a in answers] + [locked.status_code == 429]
    record(len(held), sum(held))
    assert answers == [200, 200, 200]
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in page.session


def test_the_lockout_reads_the_same_for_a_user_that_does_not_exist(guard, owner):
    for name in ("olivia", "nobody-here"):
        for n in range(3):
            _login(Client(), name, f"guess-{n}")

    real, unknown = (_login(Client(), name, "x") for name in ("olivia", "nobody-here"))

    assert real.status_code == unknown.status_code == 429
    assert real.context["form"].errors == unknown.context["form"].errors


def test_the_lockout_is_per_address_and_a_good_login_clears_the_count(guard, owner):
    for n in range(3):
        _login(Client(), "olivia", f"guess-{n}")

    elsewhere = _login(Client(), "olivia", "pw-olivia", ip="198.51.100.9")
    _login(Client(), "olivia", "bad", ip="198.51.100.9")
    again = _login(Client(), "olivia", "pw-olivia", ip="198.51.100.9")

    assert elsewhere.status_code == 302 and again.status_code == 302


def test_the_api_token_endpoint_and_the_admin_refuse_a_locked_out_login(guard, staff):
    for n in range(3):
        _login(Client(), "ada", f"guess-{n}")

    token = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "ada", "password": "pw-ada"},
        REMOTE_ADDR="203.0.113.7",
    )
    admin = Client().post(
        "/admin/login/", {"username": "ada", "password": "pw-ada"}, REMOTE_ADDR="203.0.113.7"
    )

    assert token.status_code == 429 and "token" not in token.json()
    assert token.json()["code"] == "locked"
    # The admin's own login form is gone: it sends staff to the site's guarded sign-in.
    assert admin.status_code == 302 and admin.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in admin.wsgi_request.session


# --- throttles -----------------------------------------------------------------------------
@pytest.fixture
def low_rates(settings):
    rates = {"submit": "3/min", "token": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.QUOTA_VIDEOS_PER_PERIOD = 100
    settings.QUOTA_MAX_IN_FLIGHT = 100


def test_submissions_are_throttled_across_the_api_and_the_gateway(low_rates, owner, record):
    key = make_token(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    parent = make_video(owner, prompt="A fox", charge=False)

    made = [
        api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json").status_code,
        api.post(f"/api/v1/videos/{parent.pk}/extend/", {"prompt": "more"}).status_code,
        Client()
        .post(
            "/luma/videos",
            {"prompt": "A fox", "async": True},
            content_type="application/json",
            headers={"authorization": f"Bearer {key}"},
        )
        .status_code,
    ]
    api_refused = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")
    gateway_refused = Client().post(
        "/luma/videos",
        {"prompt": "A fox", "async": True},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )

    held = [s == ok for s, ok in zip(made, [202, 202, 200], strict=True)]
    held += [api_refused.status_code == 429, gateway_refused.status_code == 429]
    record(len(held), sum(held))
    assert made == [202, 202, 200]
    assert api_refused.status_code == 429
    assert api_refused.json()["code"] == "throttled" and api_refused.json()["detail"]
    assert gateway_refused.status_code == 429
    assert gateway_refused.json()["error"]["code"] == "too_many_requests"
    assert "Retry in" in gateway_refused.json()["error"]["message"]
    assert Video.objects.filter(owner=owner).count() == 4  # the parent and three jobs


def test_reading_is_not_throttled_by_the_submit_rate(low_rates, api):
    for _ in range(3):
        api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")

    assert api.get("/api/v1/videos/").status_code == 200
    assert api.get("/api/v1/quota/").status_code == 200


def test_the_token_endpoint_is_throttled_per_address(low_rates, owner):
    client = APIClient()
    body = {"username": "olivia", "password": "pw-olivia"}

    answers = [client.post("/api/v1/auth/token/", body).status_code for _ in range(3)]
    other_address = client.post("/api/v1/auth/token/", body, REMOTE_ADDR="198.51.100.9")

    assert answers == [201, 201, 429]
    assert other_address.status_code == 201
