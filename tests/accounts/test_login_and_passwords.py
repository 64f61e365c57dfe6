"""Signing in and out, changing and resetting a password (allauth's flows, our pages)."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ApiToken
from tests.accounts.conftest import link_in_mail
from tests.conftest import logged_in
from tests.factories import make_token
from tests.html import without_csrf_tokens

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-7"


def _login(client, login, password, REMOTE_ADDR="127.0.0.1", **extra):  # noqa: N803
    return client.post(
        "/accounts/login/", {"login": login, "password": password, **extra}, REMOTE_ADDR=REMOTE_ADDR
    )


@pytest.mark.parametrize("login", ["olivia", "olivia@example.com", "OLIVIA@example.com"])
def test_it_logs_in_by_username_or_email_and_goes_to_my_videos(client, owner, login):
    response = _login(client, login, "pw-olivia")

    assert response.status_code == 302
    assert response.url == "/videos/"
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_it_goes_back_to_the_page_that_asked_for_a_login(client, owner):
    page = client.get("/videos/new/")
    assert page.status_code == 302
    assert page.url == "/accounts/login/?next=/videos/new/"

    response = _login(client, "olivia", "pw-olivia", next="/videos/new/")

    assert response.url == "/videos/new/"


def test_it_will_not_send_a_login_off_to_another_site(client, owner):
    response = _login(client, "olivia", "pw-olivia", next="https://evil.example/")

    assert response.url == "/videos/"


def test_a_wrong_password_is_refused_with_a_message_and_the_login_kept(client, owner):
    response = _login(client, "olivia", "nope")

    assert response.status_code == 200
    assert "username and/or password you specified are not correct" in response.content.decode()
    assert b'value="olivia"' in response.content
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_log_in(client, owner):
    owner.is_active = False
    owner.save()

    response = _login(client, "olivia", "pw-olivia")

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_logging_out_takes_a_post_and_ends_the_session(browser):
    assert b'name="csrfmiddlewaretoken"' in browser.get("/accounts/logout/").content  # asks

    response = browser.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/"
    assert browser.get("/videos/").status_code == 302


# --- changing the password -------------------------------------------------------------
def _change(client, old="pw-olivia", new=NEW_PASSWORD):
    return client.post(
        "/accounts/password/change/",
        {"oldpassword": old, "password1": new, "password2": new},
    )


def test_the_change_page_says_tokens_and_sessions_will_be_revoked(browser, owner):
    make_token(owner)
    make_token(owner)

    html = browser.get("/accounts/password/change/").content.decode()

    assert "signs you out everywhere else and revokes all your API tokens" in html
    assert "(2)" in html


def test_changing_the_password_revokes_every_token_and_other_session(owner):
    here, elsewhere = logged_in(owner), Client()
    _login(elsewhere, "olivia", "pw-olivia")
    make_token(owner)
    api_key = make_token(owner)

    response = _change(here)

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=owner).exists()
    assert Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {api_key}").status_code == 401
    assert elsewhere.get("/videos/").status_code == 302  # signed out there
    assert here.get("/videos/").status_code == 200  # still signed in here


def test_it_refuses_a_password_change_with_the_wrong_old_password(browser, owner):
    key = make_token(owner)

    response = _change(browser, old="wrong")

    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    owner.refresh_from_db()
    assert owner.check_password("pw-olivia")
    assert Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_staff_change_of_someone_elses_password_revokes_their_tokens(owner, staff):
    make_token(owner)
    owner.set_password("set-by-staff-9182")
    owner.save()

    assert not ApiToken.objects.filter(user=owner).exists()


def test_a_password_hash_upgrade_at_login_revokes_nothing(client, owner, settings):
    make_token(owner)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    _login(client, "olivia", "pw-olivia")

    owner.refresh_from_db()
    assert owner.password.startswith("pbkdf2_sha256$")  # rehashed on login...
    assert ApiToken.objects.filter(user=owner).count() == 1  # ...and nothing revoked


# --- resetting a forgotten password ----------------------------------------------------
def test_it_resets_a_forgotten_password_by_email_and_revokes_everything(client, owner):
    key = make_token(owner)
    elsewhere = logged_in(owner)

    response = client.post("/accounts/password/reset/", {"email": "olivia@example.com"})

    assert response.url == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olivia@example.com"]
    assert "Password Reset" in message.subject
    link = link_in_mail(message, "/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    assert "A new password signs you out everywhere" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert done.url == "/accounts/password/reset/key/done/"
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert elsewhere.get("/videos/").status_code == 302
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()  # works once


def test_a_reset_for_an_unknown_email_answers_the_same_and_mails_only_that_address(
    owner,
):
    known, unknown = Client(), Client()

    a = known.post("/accounts/password/reset/", {"email": "olivia@example.com"}, follow=True)
    b = unknown.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)

    assert a.redirect_chain == b.redirect_chain
    assert without_csrf_tokens(a.content) == without_csrf_tokens(b.content)
    assert sorted(m.to[0] for m in mail.outbox) == ["nobody@example.com", "olivia@example.com"]
    to_nobody = next(m for m in mail.outbox if m.to == ["nobody@example.com"])
    assert "/accounts/password/reset/key/" not in to_nobody.body  # no link: no account


def test_reset_mails_are_rate_limited_per_address(owner, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "20/m/ip,2/m/key",
    }

    answers = [
        Client().post("/accounts/password/reset/", {"email": "olivia@example.com"}).status_code
        for _ in range(3)
    ]

    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_failed_logins_are_rate_limited_per_account_by_allauth_too(owner, settings):
    settings.LOGIN_MAX_FAILURES = 100  # our guard out of the way: allauth's own limit
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/key"}

    for address in ("198.51.100.1", "198.51.100.2"):
        _login(Client(), "olivia", "guess", REMOTE_ADDR=address)
    third = Client().post(
        "/accounts/login/", {"login": "olivia", "password": "pw-olivia"}, REMOTE_ADDR="198.51.100.3"
    )

    assert third.status_code == 200 and "_auth_user_id" not in third.wsgi_request.session
    assert "Too many failed login attempts" in third.content.decode()


def test_logging_out_says_so_on_the_page_it_lands_on(browser):
    response = browser.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "You have signed out." in response.content.decode()
