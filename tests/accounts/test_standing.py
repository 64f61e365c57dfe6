"""Accounts that may not make videos yet (email unconfirmed, awaiting approval) are refused
wherever a video is made, with a clear message and code, and the pages say so; staff
approve them in the admin, and each is emailed."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from accounts import standing
from accounts.models import Approval
from tests.conftest import logged_in
from tests.factories import make_token, make_video
from tests.images import png
from videos.models import Upload, Video

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def waiting(owner):
    Approval.objects.create(user=owner)
    return owner


@pytest.fixture
def unconfirmed(owner):
    EmailAddress.objects.filter(user=owner).update(verified=False)
    return owner


def _through_every_surface(user):
    """Try to make a video through the page, the REST API and the gateway."""
    key = make_token(user)
    parent = make_video(user)
    page = logged_in(user).post("/videos/new/", {"prompt": "A fox", "aspect_ratio": "16:9"})
    api = Client().post(
        "/api/v1/videos/",
        {"prompt": "A fox"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    extend = Client().post(
        f"/api/v1/videos/{parent.pk}/extend/",
        {"prompt": "more"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    gateway = Client().post(
        "/luma/videos",
        {"prompt": "A fox", "async": True},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    return page, api, extend, gateway


@pytest.mark.parametrize(
    "who, code, words",
    [
        ("unconfirmed", "account_unverified", "Confirm your email address"),
        ("waiting", "account_not_approved", "waiting for approval"),
    ],
)
def test_it_is_refused_everywhere_a_video_is_made(request, who, code, words, fake_upstream):
    user = request.getfixturevalue(who)

    page, api, extend, gateway = _through_every_surface(user)

    assert page.status_code == 200 and words in page.content.decode()
    for answer in (api, extend):
        assert answer.status_code == 403
        assert answer.json()["code"] == code and words in answer.json()["detail"]
    assert gateway.status_code == 403
    assert gateway.json()["error"]["code"] == "forbidden"
    assert words in gateway.json()["error"]["message"]
    assert Video.objects.filter(owner=user).count() == 1  # only the parent made here
    assert fake_upstream.calls == []


def test_the_refusal_comes_before_the_request_is_read(unconfirmed):
    key = make_token(unconfirmed)

    answer = Client().post(
        "/api/v1/videos/", {"prompt": ""}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )  # fmt: skip

    assert answer.status_code == 403 and answer.json()["code"] == "account_unverified"


def test_the_pages_say_plainly_why_and_disable_the_form(waiting):
    browser = logged_in(waiting)

    for url in ("/videos/", "/videos/new/", "/accounts/profile/"):
        html = browser.get(url).content.decode()
        assert 'data-code="account_not_approved"' in html, url
        assert "waiting for approval by the site" in html
    assert '<fieldset class="plain" disabled>' in browser.get("/videos/new/").content.decode()


def test_an_unconfirmed_account_is_offered_a_new_link(unconfirmed):
    html = logged_in(unconfirmed).get("/videos/").content.decode()

    assert 'data-code="account_unverified"' in html
    assert "Send the confirmation link again" in html


def test_a_confirmed_and_approved_account_sees_no_notice(browser):
    assert b"account-notice" not in browser.get("/videos/").content


def test_with_optional_verification_an_unconfirmed_account_may_make_videos(unconfirmed, settings):
    settings.EMAIL_VERIFICATION = "optional"

    assert standing.video_refusal(unconfirmed) is None


def test_accounts_made_by_staff_count_as_confirmed(db):
    with_email = User.objects.create_user("sam", "Sam@Example.com", "pw-sam-1234")
    without_email = User.objects.create_user("tess", password="pw-tess-1234")
    superuser = User.objects.create_superuser("root", "root@example.com", "pw-root-1234")

    address = EmailAddress.objects.get(user=with_email)
    assert (address.email, address.verified, address.primary) == ("sam@example.com", True, True)
    assert not EmailAddress.objects.filter(user=without_email).exists()
    assert EmailAddress.objects.get(user=superuser).verified
    for user in (with_email, without_email, superuser):
        assert standing.video_refusal(user) is None


def test_an_account_made_in_the_admin_counts_as_confirmed(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "sam",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "allowance-TOTAL_FORMS": "0",
            "allowance-INITIAL_FORMS": "0",
            "quota_events-TOTAL_FORMS": "0",
            "quota_events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert standing.video_refusal(User.objects.get(username="sam")) is None


def test_a_notice_clears_once_the_account_is_approved(waiting, staff):
    browser = logged_in(waiting)
    assert b"account-notice" in browser.get("/videos/").content

    standing.approve([waiting], by=staff)

    assert b"account-notice" not in browser.get("/videos/").content


# --- approval in the admin -----------------------------------------------------------
def test_the_admin_lists_accounts_waiting_for_approval(admin_client, waiting, other):
    html = admin_client.get("/admin/auth/user/?approval=waiting").content.decode()

    assert "olivia" in html and "oscar" not in html
    assert "Waiting for approval" in admin_client.get("/admin/auth/user/").content.decode()


def test_staff_approve_in_bulk_and_each_person_is_emailed(admin_client, waiting, other):
    Approval.objects.create(user=other)

    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "approve_accounts", "_selected_action": [waiting.pk, other.pk]},
        follow=True,
    )

    assert "Approved 2 accounts; each was emailed." in response.content.decode()
    assert not Approval.objects.filter(approved_at=None).exists()
    assert Approval.objects.get(user=waiting).approved_by.username == "admin"
    assert sorted(m.to[0] for m in mail.outbox) == ["olivia@example.com", "oscar@example.com"]
    message = next(m for m in mail.outbox if m.to == ["olivia@example.com"])
    assert "approved" in message.subject and "http://testserver/videos/new/" in message.body
    assert standing.video_refusal(waiting) is None


def test_approving_again_sends_nothing(admin_client, waiting, staff):
    standing.approve([waiting], by=staff)
    mail.outbox.clear()

    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "approve_accounts", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert "None of the selected accounts was waiting" in response.content.decode()
    assert mail.outbox == []


def test_the_user_list_reads_its_states_in_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for n in range(15):
        user = User.objects.create_user(f"user{n}", f"user{n}@example.com", "pw")
        if n % 2:
            Approval.objects.create(user=user)

    with django_assert_max_num_queries(10):
        assert admin_client.get("/admin/auth/user/").status_code == 200


def test_the_admin_says_deactivating_revokes_tokens_and_sessions(admin_client, owner):
    html = admin_client.get(f"/admin/auth/user/{owner.pk}/change/").content.decode()

    assert "revokes all of their API tokens and ends all of their sessions" in html


def test_an_unconfirmed_account_cannot_upload_a_file(unconfirmed):
    answer = Client().post(
        "/api/v1/uploads/", {"file": png()}, HTTP_AUTHORIZATION=f"Token {make_token(unconfirmed)}"
    )

    assert answer.status_code == 403 and answer.json()["code"] == "account_unverified"
    assert not Upload.objects.exists()
