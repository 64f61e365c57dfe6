"""Sign-up (allauth's, with the site's rules): SIGNUP_POLICY, the allowed email domains,
the confirmation email, and answers that never say whether an address has an account."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from accounts.models import Allowance, Approval
from tests.accounts.conftest import PASSWORD, link_in_mail, signup_form
from tests.html import without_csrf_tokens

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/accounts/signup/"


def test_it_shows_the_signup_form_with_a_csrf_token(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    for name in (b'name="email"', b'name="password1"', b'name="password2"'):
        assert name in response.content


def test_it_creates_the_account_and_emails_a_link_to_confirm_the_address(client):
    response = client.post(URL, signup_form())

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="nina@example.com")
    assert user.username == "nina"  # made from the address
    assert user.check_password(PASSWORD)
    assert Allowance.objects.filter(user=user).exists()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("nina@example.com", False, True)
    assert "_auth_user_id" not in client.session  # not signed in before confirming
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.com"]
    page = client.get(response.url)
    assert "Check your email" in page.content.decode()


def test_confirming_the_address_signs_the_person_in(client):
    client.post(URL, signup_form())
    link = link_in_mail(mail.outbox[0], "/accounts/confirm-email/")

    page = client.get(link)
    assert page.status_code == 200 and b"nina@example.com" in page.content
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="nina@example.com").verified
    assert client.get("/videos/").status_code == 200  # signed in


def test_an_unconfirmed_account_cannot_sign_in_and_is_sent_the_link_again(client):
    client.post(URL, signup_form())
    mail.outbox.clear()

    response = client.post("/accounts/login/", {"login": "nina@example.com", "password": PASSWORD})

    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password2": "something-else-entirely"}, "password2", "same password"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "83920184736", "password2": "83920184736"}, "password1", "numeric"),
    ],
)
def test_it_refuses_bad_input_beside_the_field_and_keeps_what_was_typed(
    client, overrides, field, message
):
    response = client.post(URL, signup_form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    assert User.objects.count() == 0
    if overrides.get("email", "x") and "@" in overrides.get("email", "@"):
        assert b'value="nina@example.com"' in response.content


def test_a_logged_in_user_is_sent_to_their_videos(browser):
    response = browser.get(URL)

    assert response.status_code == 302
    assert response.url == "/videos/"


# --- no account enumeration ------------------------------------------------------------
class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def _answer(email):
    """What a visitor sees signing up with `email`: the answer, its cookies, the next page."""
    visitor = Client()
    CountingHasher.calls = 0
    response = visitor.post(URL, signup_form(email=email))
    page = without_csrf_tokens(visitor.get(response.url).content).replace(email, "EMAIL")
    seen = (response.status_code, response.url, sorted(response.cookies), page)
    return seen, CountingHasher.calls


def test_signing_up_with_a_taken_address_answers_exactly_like_a_new_one(owner, settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup.CountingHasher"]

    new, work_for_new = _answer("newcomer@example.com")
    taken, work_for_taken = _answer(owner.email)

    assert new == taken
    assert work_for_new == work_for_taken == 1  # the same password hashing, the same time
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    # The owner of the taken address learns of it by mail; the page says nothing.
    warning = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(warning) == 1 and "already" in warning[0].body
    assert len(mail.outbox) == 2


def test_a_taken_address_is_not_revealed_when_verification_is_optional(client, owner, settings):
    settings.EMAIL_VERIFICATION = settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    new = client.post(URL, signup_form(email="newcomer@example.com"))
    taken = client.post(URL, signup_form(email=owner.email))

    assert (
        (new.status_code, new.url)
        == (taken.status_code, taken.url)
        == (
            302,
            "/accounts/confirm-email/",
        )
    )
    assert User.objects.filter(email__iexact=owner.email).count() == 1


# --- SIGNUP_POLICY ---------------------------------------------------------------------
def test_the_invite_policy_shows_no_form_without_an_invitation(client, policy):
    policy("invite")

    page = client.get(URL)
    refused = client.post(URL, signup_form())

    assert page.status_code == 200 and b'name="password1"' not in page.content
    assert "by invitation only" in page.content.decode()
    assert b'name="password1"' not in refused.content
    assert User.objects.count() == 0
    assert b'href="/accounts/signup/"' not in client.get("/").content


def test_the_closed_policy_has_no_signup_page_at_all(client, policy):
    policy("closed")

    page = client.get(URL)
    refused = client.post(URL, signup_form())

    assert b'name="password1"' not in page.content and b'name="password1"' not in refused.content
    assert "does not create new accounts" in page.content.decode()
    assert User.objects.count() == 0
    assert b"Sign up" not in client.get("/accounts/login/").content


def test_the_open_policy_links_to_the_signup_page(client, policy):
    policy("open")

    assert b'href="/accounts/signup/"' in client.get("/").content


# --- SIGNUP_EMAIL_DOMAINS --------------------------------------------------------------
def test_only_the_listed_domains_may_sign_up_and_the_form_says_so(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.edu", "staff.school.edu"]

    form = client.get(URL).content.decode()
    outsider = client.post(URL, signup_form(email="eve@gmail.com"))
    lookalike = client.post(URL, signup_form(email="eve@evil-school.edu"))
    subdomain = client.post(URL, signup_form(email="eve@x.school.edu"))
    student = client.post(URL, signup_form(email="Sam@School.EDU"))
    teacher = client.post(URL, signup_form(email="tess@staff.school.edu"))

    assert "school.edu or staff.school.edu" in form
    for refused in (outsider, lookalike, subdomain):
        assert refused.status_code == 200
        assert (
            "limited to email addresses at school.edu or staff.school.edu"
            in (refused.context["form"].errors["email"][0])
        )
    assert student.status_code == teacher.status_code == 302
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "sam@school.edu",
        "tess@staff.school.edu",
    ]


# --- SIGNUP_REQUIRES_APPROVAL ----------------------------------------------------------
def test_with_approval_required_a_new_account_waits_for_staff(client, settings):
    settings.SIGNUP_REQUIRES_APPROVAL = True

    client.post(URL, signup_form())

    approval = Approval.objects.get(user__email="nina@example.com")
    assert approval.waiting


def test_without_approval_required_a_new_account_does_not_wait(client):
    client.post(URL, signup_form())

    assert not Approval.objects.exists()


# --- rate limit ------------------------------------------------------------------------
def test_signups_are_rate_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}

    answers = [
        client.post(URL, signup_form(email=f"bot{n}@example.com"), REMOTE_ADDR="203.0.113.9")
        for n in range(3)
    ]
    elsewhere = client.post(URL, signup_form(email="real@example.com"), REMOTE_ADDR="198.51.100.1")

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many attempts" in answers[2].content.decode()
    assert elsewhere.status_code == 302
    assert User.objects.count() == 3


def test_a_broken_confirmation_link_says_so_and_offers_a_new_one(client):
    response = client.get("/accounts/confirm-email/not-a-real-key/")

    html = response.content.decode()
    assert "This confirmation link has expired, was already used" in html
    assert 'href="/accounts/confirm-email/again/"' in html
