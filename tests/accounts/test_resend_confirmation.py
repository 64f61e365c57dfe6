"""The form that sends a confirmation link again answers alike for any address."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.accounts.conftest import link_in_mail, mails_to, signup_form
from tests.html import without_csrf_tokens

pytestmark = pytest.mark.django_db
URL = "/accounts/confirm-email/again/"


def _ask(email):
    client = Client()
    response = client.post(URL, {"email": email})
    return response.status_code, without_csrf_tokens(response.content).replace(email, "EMAIL")


def test_an_unconfirmed_address_gets_a_new_link_that_works(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}
    client.post("/accounts/signup/", signup_form())
    mail.outbox.clear()

    status, _ = _ask("nina@example.com")

    assert status == 200
    link = link_in_mail(mails_to("nina@example.com")[0], "/accounts/confirm-email/")
    Client().post(link)
    assert EmailAddress.objects.get(email="nina@example.com").verified


def test_known_unknown_and_confirmed_addresses_read_the_same(client, owner, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}
    client.post("/accounts/signup/", signup_form())
    mail.outbox.clear()

    answers = [_ask(e) for e in ("nina@example.com", "nobody@example.com", owner.email)]

    assert answers[0] == answers[1] == answers[2]
    # Each address gets one mail, saying what is true for it; only the unconfirmed one a link.
    assert [len(mails_to(e)) for e in ("nina@example.com", "nobody@example.com", owner.email)] == [
        1,
        1,
        1,
    ]
    assert "/accounts/confirm-email/" in mails_to("nina@example.com")[0].body
    assert "/accounts/confirm-email/" not in mails_to("nobody@example.com")[0].body
    assert "already confirmed" in mails_to(owner.email)[0].body


def test_it_is_rate_limited_per_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "resend_confirmation": "2/m/key",
    }

    statuses = [Client().post(URL, {"email": "x@example.com"}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_bad_address_is_refused_on_the_form():
    response = Client().post(URL, {"email": "not-an-address"})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert mail.outbox == []
