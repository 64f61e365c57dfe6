"""The account settings' defaults: strict in production, easy in development, and refused
when they make no sense."""

import json

import pytest

from tests.config.test_settings import PRODUCTION, manage

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'policy': s.SIGNUP_POLICY, 'mfa': s.STAFF_REQUIRE_MFA, 'verify': s.EMAIL_VERIFICATION,"
    "'cache': s.CACHES['default']['BACKEND'], 'proxies': s.TRUSTED_PROXY_COUNT,"
    "'sso': bool(s.SOCIALACCOUNT_PROVIDERS)}))"
)


def _settings(**env):
    result = manage("shell", "-v", "0", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_production_invites_requires_mfa_of_staff_and_counts_in_the_database():
    assert _settings(**PRODUCTION) == {
        "policy": "invite",
        "mfa": True,
        "verify": "mandatory",
        "cache": "django.core.cache.backends.db.DatabaseCache",
        "proxies": 0,
        "sso": False,
    }


@pytest.mark.slow
def test_development_is_open_and_counts_in_memory():
    assert _settings() == {
        "policy": "open",
        "mfa": False,
        "verify": "mandatory",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "proxies": 0,
        "sso": False,
    }


@pytest.mark.slow
def test_a_cache_url_wins_and_single_sign_on_is_configured_from_the_environment():
    found = _settings(
        **PRODUCTION,
        CACHE_URL="redis://127.0.0.1:6379/11",
        OIDC_SERVER_URL="https://id.school.edu",
        OIDC_CLIENT_ID="luma",
        OIDC_CLIENT_SECRET="s3cret",
        TRUSTED_PROXY_COUNT="1",
    )

    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["sso"] is True and found["proxies"] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "env, message",
    [
        ({"SIGNUP_POLICY": "everyone"}, "SIGNUP_POLICY must be one of: invite, open, closed"),
        ({"EMAIL_VERIFICATION": "none"}, "EMAIL_VERIFICATION must be one of: mandatory, optional"),
        ({"OIDC_SERVER_URL": "https://id.school.edu"}, "OIDC_SERVER_URL needs OIDC_CLIENT_ID"),
    ],
)
def test_a_setting_that_makes_no_sense_stops_the_start_with_a_message(env, message):
    result = manage("check", **env)

    assert result.returncode != 0
    assert message in result.stderr
