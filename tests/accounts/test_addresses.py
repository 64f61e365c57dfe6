"""The client's address: X-Forwarded-For counts only through TRUSTED_PROXY_COUNT proxies."""

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from accounts.addresses import client_address

pytestmark = pytest.mark.django_db


def _request(forwarded=None, remote="10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    "trusted, forwarded, expected",
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is anyone's
        (1, None, "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # a proxy was bypassed: only the peer is known
        (1, " 203.0.113.7 ", "203.0.113.7"),
    ],
)
def test_it_reads_the_address_the_trusted_proxies_saw(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted

    assert client_address(_request(forwarded)) == expected


@pytest.mark.parametrize(
    "trusted, expected",
    [
        (0, [201, 201, 429, 429]),  # a spoofed header does not escape the token throttle
        (1, [201, 201, 201, 201]),  # behind a trusted proxy, each client counts on its own
    ],
)
def test_the_token_throttle_counts_per_client_address(settings, owner, trusted, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"submit": "30/min", "token": "2/min"},
    }
    body = {"username": "olivia", "password": "pw-olivia"}

    answers = [
        APIClient()
        .post("/api/v1/auth/token/", body, HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 2}")
        .status_code
        for n in range(4)
    ]

    assert answers == expected


def test_a_spoofed_header_does_not_escape_the_login_guard(settings, owner):
    settings.LOGIN_MAX_FAILURES = 2
    for n in range(2):
        Client().post(
            "/accounts/login/",
            {"login": "olivia", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    locked = Client().post(
        "/accounts/login/",
        {"login": "olivia", "password": "pw-olivia"},
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )

    assert locked.status_code == 429
