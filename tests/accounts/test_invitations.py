"""Invitations: made by staff (admin or command), bound to one address, used once, expiring,
revocable; every link that cannot be used says why instead of showing a sign-up form."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts import invitations
from accounts.models import Approval, Invitation
from tests.accounts.conftest import link_in_mail, signup_form

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _invite_only(policy):
    policy("invite")


def _invite(email="nina@example.com", **kwargs):
    issued = invitations.issue(email, **kwargs)
    return issued.link.removeprefix("http://testserver")


def _open_and_sign_up(link, email="nina@example.com", client=None):
    client = client or Client()
    opened = client.get(link)
    return client, opened, client.post("/accounts/signup/", signup_form(email=email))


def test_an_invitation_leads_to_a_signup_form_for_its_address(client):
    link = _invite()

    opened = client.get(link)
    form = client.get(opened.url)

    assert opened.status_code == 302 and opened.url == "/accounts/signup/"
    html = form.content.decode()
    assert 'value="nina@example.com"' in html and "readonly" in html
    assert "You were invited" in html


def test_signing_up_through_it_creates_the_account_and_uses_the_invitation(settings):
    settings.SIGNUP_REQUIRES_APPROVAL = True  # an invited account needs no approval
    link = _invite()

    client, _, signed_up = _open_and_sign_up(link)

    assert signed_up.status_code == 302 and signed_up.url == "/accounts/confirm-email/"
    user = User.objects.get(email="nina@example.com")
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.state == "accepted"
    assert not Approval.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified  # a link can be forwarded
    assert "invitation_id" not in client.session


def test_a_used_link_gets_a_clear_page_not_a_form():
    link = _invite()
    _open_and_sign_up(link)

    again = Client().get(link)

    assert again.status_code == 410
    assert "This invitation was already used" in again.content.decode()
    assert b'name="password1"' not in again.content


def test_an_expired_link_gets_a_clear_page(settings):
    link = _invite()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get(link)

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_invitations_last_invitation_days(settings):
    settings.INVITATION_DAYS = 3

    _invite()

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=3)


def test_a_revoked_link_gets_a_clear_page():
    link = _invite()
    invitations.revoke(Invitation.objects.all())

    response = Client().get(link)

    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


@pytest.mark.parametrize("change", ["truncate", "alter", "garbage"])
def test_a_tampered_link_gets_a_clear_page(change):
    link = _invite()
    key = link.rstrip("/").rsplit("/", 1)[1]
    bad = {"truncate": key[:-5], "alter": key[:-1] + ("A" if key[-1] != "A" else "B"),
           "garbage": "x" * 300}[change]  # fmt: skip

    response = Client().get(f"/accounts/invitation/{bad}/")

    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()
    assert b'name="password1"' not in response.content


def test_it_is_bound_to_its_address():
    link = _invite()

    client, _, wrong = _open_and_sign_up(link, email="someone.else@example.com")

    assert wrong.status_code == 200
    assert "This invitation is for nina@example.com" in wrong.context["form"].errors["email"][0]
    assert not User.objects.exists()
    assert Invitation.objects.get().state == "pending"


def test_a_second_invitation_for_the_same_address_replaces_the_first():
    first = _invite()
    second = _invite()

    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 302


def test_the_session_is_no_key_once_the_invitation_is_gone():
    link = _invite()
    client = Client()
    client.get(link)
    invitations.revoke(Invitation.objects.all())

    response = client.post("/accounts/signup/", signup_form())

    assert b'name="password1"' not in response.content and not User.objects.exists()


def test_a_race_for_one_invitation_makes_one_account():
    link = _invite()
    first, second = Client(), Client()
    first.get(link)
    second.get(link)

    a = first.post("/accounts/signup/", signup_form())
    b = second.post("/accounts/signup/", signup_form(email="nina@example.com"))

    assert a.status_code == 302
    assert b.status_code in (200, 410) and b'name="password1"' not in b.content
    assert User.objects.count() == 1


def test_an_invitation_bypasses_the_domain_list(settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.edu"]
    link = _invite("guest@partner.org")

    _, _, signed_up = _open_and_sign_up(link, email="guest@partner.org")

    assert signed_up.status_code == 302
    assert User.objects.filter(email="guest@partner.org").exists()


def test_a_signed_in_person_is_told_to_sign_out_first(browser):
    response = browser.get(_invite())

    assert "You are already logged in" in response.content.decode()
    assert Invitation.objects.get().state == "pending"


def test_the_invitation_email_carries_the_link_and_its_expiry():
    issued = invitations.issue("nina@example.com")

    assert issued.mailed
    message = mail.outbox[0]
    assert message.to == ["nina@example.com"]
    assert message.subject == "Luma Studio: Your invitation"
    assert link_in_mail(message, "/accounts/invitation/") == issued.link.removeprefix(
        "http://testserver"
    )


def test_only_a_digest_of_the_key_is_stored():
    link = _invite()
    key = link.rstrip("/").rsplit("/", 1)[1]

    invitation = Invitation.objects.get()

    assert key not in {invitation.digest, invitation.email}
    assert invitations.look_up(key) == invitation


# --- the command ---------------------------------------------------------------------
def test_the_command_prints_and_emails_a_link_per_address(capsys, owner):
    call_command("invite", "Nina@Example.com", "sam@example.com", "nina@example.com")

    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in out] == ["nina@example.com", "sam@example.com"]
    assert all("/accounts/invitation/" in line for line in out)
    assert sorted(m.to[0] for m in mail.outbox) == ["nina@example.com", "sam@example.com"]
    assert Client().get(out[0].split(": ")[1].removeprefix("http://testserver")).status_code == 302


def test_the_command_can_only_print(capsys):
    call_command("invite", "--no-email", "nina@example.com")

    assert "/accounts/invitation/" in capsys.readouterr().out
    assert mail.outbox == []


def test_the_command_refuses_a_bad_address_before_inviting_anyone():
    with pytest.raises(CommandError, match="Not an email address: 'nina@'"):
        call_command("invite", "sam@example.com", "nina@")

    assert not Invitation.objects.exists()


def test_the_command_skips_an_address_that_has_an_account(capsys, owner):
    with pytest.raises(CommandError, match="1 of 2 addresses need attention"):
        call_command("invite", "olivia@example.com", "sam@example.com")

    assert "olivia@example.com: already has an account" in capsys.readouterr().err
    assert list(Invitation.objects.values_list("email", flat=True)) == ["sam@example.com"]


def test_the_command_still_prints_the_link_when_mail_fails(capsys, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_invitations.BrokenMail"

    with pytest.raises(CommandError):
        call_command("invite", "nina@example.com")

    captured = capsys.readouterr()
    assert "nina@example.com: http://" in captured.out
    assert "could not be sent" in captured.err and "pass the link on yourself" in captured.err


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no SMTP server at localhost:587")


# --- the admin -------------------------------------------------------------------------
def test_staff_invite_several_people_at_once_in_the_admin(admin_client):
    page = admin_client.get("/admin/accounts/invitation/add/")
    response = admin_client.post(
        "/admin/accounts/invitation/add/",
        {"emails": "nina@example.com, sam@example.com\nTess@Example.com nina@example.com"},
        follow=True,
    )

    assert page.status_code == 200 and "Email addresses" in page.content.decode()
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "nina@example.com",
        "sam@example.com",
        "tess@example.com",
    ]
    assert len(mail.outbox) == 3
    assert "Emailed 3 invitation links." in response.content.decode()
    assert Invitation.objects.filter(invited_by__username="admin").count() == 3


@pytest.mark.parametrize(
    "emails, message",
    [
        ("nina@example.com, not-an-address", "These are not email addresses: not-an-address"),
        ("olivia@example.com", "These addresses already have an account: olivia@example.com"),
        (" , ", "Enter at least one email address."),
    ],
)
def test_the_admin_refuses_bad_addresses_and_invites_nobody(admin_client, owner, emails, message):
    response = admin_client.post("/admin/accounts/invitation/add/", {"emails": emails})

    assert message in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_the_admin_shows_links_that_could_not_be_mailed(admin_client, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_invitations.BrokenMail"

    response = admin_client.post(
        "/admin/accounts/invitation/add/", {"emails": "nina@example.com"}, follow=True
    )

    html = response.content.decode()
    assert "could not be emailed" in html and "/accounts/invitation/" in html


def test_staff_revoke_and_resend_in_the_admin(admin_client):
    first = _invite()
    invitation = Invitation.objects.get()

    admin_client.post(
        "/admin/accounts/invitation/",
        {"action": "send_again", "_selected_action": [invitation.pk]},
    )
    fresh = Invitation.objects.pending().get()
    admin_client.post(
        "/admin/accounts/invitation/", {"action": "revoke", "_selected_action": [fresh.pk]}
    )

    assert Client().get(first).status_code == 410
    assert not Invitation.objects.pending().exists()
    assert len(mail.outbox) == 2  # the first invitation and the one sent again
    listing = admin_client.get("/admin/accounts/invitation/").content.decode()
    assert "Revoked" in listing and "nina@example.com" in listing
