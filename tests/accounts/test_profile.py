"""The profile page: the quota meter, the account's state, and the named API tokens."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from tests.conftest import logged_in
from tests.factories import make_token, make_video, turn_on_totp, use_up_quota

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"


def _create(client, name="laptop CLI", expires=""):
    return client.post("/accounts/tokens/", {"name": name, "expires": expires})


def test_it_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_shows_the_quota_meter_from_the_quota_status(browser, owner, settings):
    use_up_quota(owner, 2)
    make_video(owner, state="processing")  # charged when accepted, like the finished two

    html = browser.get(URL).content.decode()

    assert "<strong data-quota-used>3</strong> of 10 videos used this month" in html
    assert "<strong data-quota-remaining>7</strong> left" in html
    assert '<meter min="0" max="10" value="3"' in html
    assert "1 in progress (at most 3 at once)" in html
    assert "Resets <time datetime=" in html


def test_it_shows_the_email_state_and_two_factor(browser, owner):
    html = browser.get(URL).content.decode()
    assert "olivia@example.com" in html and "confirmed" in html
    assert 'data-testid="two-factor">off' in html

    turn_on_totp(owner)

    assert "authenticator app" in browser.get(URL).content.decode()


def test_the_page_of_where_you_are_signed_in_lists_this_session(client, owner):
    client.post("/accounts/login/", {"login": "olivia", "password": "pw-olivia"})
    profile = client.get(URL).content.decode()
    assert 'href="/accounts/sessions/"' in profile

    sessions = client.get("/accounts/sessions/", HTTP_USER_AGENT="Firefox-on-the-test-bench")

    assert sessions.status_code == 200
    assert "Current" in sessions.content.decode()  # allauth marks the session you are using


def test_it_offers_to_create_a_token_when_there_is_none(browser):
    html = browser.get(URL).content.decode()

    assert "You have no API token yet." in html
    assert "Create a token" in html
    assert "Authorization: Token YOUR_TOKEN" in html


def test_it_creates_a_named_token_and_shows_it_only_on_that_answer(browser, owner):
    response = _create(browser)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    html = response.content.decode()
    assert f'value="{key}"' in html
    assert f"Authorization: Token {key}" in html  # the curl example is ready to paste
    assert f"export ACEDATACLOUD_API_TOKEN={key}" in html  # and the gateway's
    assert "shown only this once" in html
    token = ApiToken.objects.get(user=owner)
    assert token.name == "laptop CLI" and token.expires_at is None

    later = browser.get(URL).content.decode()
    assert key not in later
    assert f"{token.prefix}…" in later and "laptop CLI" in later


def test_the_new_token_authenticates_the_api(browser, client):
    key = _create(browser).context["key"]

    response = client.get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_it_lists_every_token_with_its_dates(browser, owner):
    make_token(owner, "n8n", expires_at=timezone.now() + timedelta(days=30))
    make_token(owner, "old", expires_at=timezone.now() - timedelta(days=1))
    used = make_token(owner, "laptop CLI")
    Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {used}")

    html = browser.get(URL).content.decode()

    for name in ("n8n", "old", "laptop CLI"):
        assert name in html
    assert html.count("never") >= 2  # n8n never used; laptop CLI never expires
    assert "ago" in html  # laptop CLI's last use
    assert "expired " in html  # old


@pytest.mark.parametrize("days", ["30", "90", "365"])
def test_a_token_can_be_made_to_expire(browser, owner, days):
    _create(browser, expires=days)

    expires = ApiToken.objects.get(user=owner).expires_at
    assert abs(expires - (timezone.now() + timedelta(days=int(days)))) < timedelta(minutes=1)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\there"])
def test_a_bad_name_is_refused_on_the_form(browser, owner, name):
    response = _create(browser, name=name)

    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_an_unknown_expiry_is_refused(browser):
    response = _create(browser, expires="forever")

    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_revoking_one_token_leaves_the_others(browser, owner):
    make_token(owner, "keep")
    gone = make_token(owner, "gone")
    token = ApiToken.objects.get(name="gone")

    response = browser.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)

    assert list(ApiToken.objects.values_list("name", flat=True)) == ["keep"]
    assert "The token “gone” was revoked" in response.content.decode()
    assert Client().get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {gone}").status_code == 401


def test_nobody_can_revoke_another_persons_token(owner, other):
    make_token(other, "theirs")
    token = ApiToken.objects.get(user=other)

    logged_in(owner).post(f"/accounts/tokens/{token.pk}/revoke/")

    assert ApiToken.objects.filter(user=other).count() == 1


def test_token_actions_take_only_a_post_with_a_csrf_token(owner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)

    assert strict.get("/accounts/tokens/").status_code == 405
    assert strict.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.filter(user=owner).exists()


def test_it_shows_only_my_own_tokens(browser, other):
    make_token(other, "their secret script")

    html = browser.get(URL).content.decode()

    assert "You have no API token yet." in html
    assert "their secret script" not in html


def test_staff_see_a_link_to_the_admin_and_others_do_not(browser, staff):
    assert b'href="/admin/"' not in browser.get(URL).content
    assert b'href="/admin/"' in logged_in(staff).get(URL).content


def test_it_shows_how_to_point_acedatacloud_tools_at_the_site(browser, owner):
    html = browser.get(URL).content.decode()

    assert "export ACEDATACLOUD_API_BASE_URL=http://testserver\n" in html
    assert "export ACEDATACLOUD_API_TOKEN=&lt;your Luma Studio API token&gt;" in html
    assert '"$ACEDATACLOUD_API_BASE_URL/luma/videos"' in html


def test_it_lists_tokens_in_a_fixed_number_of_queries(
    browser, owner, django_assert_max_num_queries
):
    for n in range(10):
        make_token(owner, f"script {n}")

    with django_assert_max_num_queries(11):  # 9, and two for the usage panel
        assert browser.get(URL).status_code == 200
