"""Two-factor authentication: staff must set up an authenticator app before the admin opens
(STAFF_REQUIRE_MFA); anyone may; sign-in then asks for a code; recovery codes are offered."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from tests.factories import totp_code, turn_on_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_MFA = True


def _sign_in(login, password):
    client = Client()
    response = client.post("/accounts/login/", {"login": login, "password": password})
    return client, response


def _reauthenticate(client, password):
    """allauth asks for the password again before two-factor settings change."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()


def _activate(client, password):
    """Set up the authenticator app through allauth's page; return its secret."""
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302 and page.url.startswith("/accounts/reauthenticate/"):
        _reauthenticate(client, password)
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, allowed by the CSP
    secret = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302, done.content.decode()
    return secret, done


def test_the_admin_stays_closed_to_staff_until_they_set_up_an_app(required, staff):
    client, _ = _sign_in("ada", "pw-ada")

    closed = client.get("/admin/", follow=True)

    assert closed.redirect_chain[0][0] == "/accounts/2fa/totp/activate/"
    assert "Set up an authenticator app before opening the admin" in closed.content.decode()
    assert client.get("/admin/videos/video/").status_code == 302


def test_once_set_up_recovery_codes_are_offered_and_the_admin_opens(required, staff):
    client, _ = _sign_in("ada", "pw-ada")

    _, done = _activate(client, "pw-ada")

    codes_page = client.get(done.url)
    assert "recovery" in done.url or "recovery" in codes_page.content.decode().lower()
    assert Authenticator.objects.filter(user=staff, type="recovery_codes").exists()
    recovery = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert len(re.findall(r"\b\d{8}\b", recovery)) >= 10
    assert client.get("/admin/").status_code == 200


def test_sign_in_then_asks_for_the_code(required, staff):
    secret, _ = turn_on_totp(staff)

    client, first = _sign_in("ada", "pw-ada")

    assert first.url == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "code" in wrong.context["form"].errors
    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_when_the_phone_is_lost(required, staff):
    _, codes = turn_on_totp(staff)
    client, _ = _sign_in("ada", "pw-ada")

    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})

    assert client.get("/admin/").status_code == 200


def test_staff_cannot_turn_the_app_off_while_it_is_required(required, staff):
    secret, _ = turn_on_totp(staff)
    client, _ = _sign_in("ada", "pw-ada")
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=staff, type="totp").exists()


def test_without_the_requirement_staff_reach_the_admin_with_a_password(staff, settings):
    settings.STAFF_REQUIRE_MFA = False
    client, _ = _sign_in("ada", "pw-ada")

    assert client.get("/admin/").status_code == 200


def test_anyone_may_turn_it_on_and_off(owner):
    client, _ = _sign_in("olivia", "pw-olivia")

    _activate(client, "pw-olivia")
    assert Authenticator.objects.filter(user=owner, type="totp").exists()
    client.post("/accounts/2fa/totp/deactivate/")

    assert not Authenticator.objects.filter(user=owner, type="totp").exists()


def test_the_admins_own_login_page_sends_people_to_the_sites(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_the_mfa_pages_pass_the_security_policy_and_look_like_the_site(required, staff):
    client, _ = _sign_in("ada", "pw-ada")

    _reauthenticate(client, "pw-ada")
    for url in ("/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/reauthenticate/"):
        html = client.get(url).content.decode()
        assert "/static/css/studio.css" in html
        assert "<script>" not in html and " style=" not in html, url
