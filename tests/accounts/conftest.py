"""Helpers for the account tests: sign-up forms, links found in the outbox."""

import re

import pytest
from django.core import mail

PASSWORD = "a-long-unusual-passphrase-42"


def signup_form(email="nina@example.com", password=PASSWORD, **overrides):
    return {"email": email, "password1": password, "password2": password, **overrides}


def link_in_mail(message, path_start) -> str:
    """The first link in `message` whose path starts with `path_start` (without the host)."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"\S*)", message.body)
    assert found, f"no {path_start} link in: {message.body}"
    return found.group(1)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def policy(settings):
    """Set SIGNUP_POLICY (and friends) for one test: policy("invite")."""

    def set_policy(name, **extra):
        settings.SIGNUP_POLICY = name
        for key, value in extra.items():
            setattr(settings, key, value)

    return set_policy
