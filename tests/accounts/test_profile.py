import pytest
from rest_framework.authtoken.models import Token

from tests.conftest import logged_in
from tests.factories import make_video, use_up_quota

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"


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


def test_it_offers_to_create_a_token_when_there_is_none(browser):
    html = browser.get(URL).content.decode()

    assert "You have no API token yet." in html
    assert "Create a token" in html
    assert "Authorization: Token YOUR_TOKEN" in html


def test_it_creates_a_token_and_shows_it_only_once(browser, owner):
    response = browser.post("/accounts/token/")

    assert response.status_code == 302
    assert response.url == "/accounts/profile/#api-token"
    key = Token.objects.get(user=owner).key
    first = browser.get(URL).content.decode()
    assert f'value="{key}"' in first
    assert f"Authorization: Token {key}" in first  # the curl example is ready to paste
    assert "shown only this once" in first

    again = browser.get(URL).content.decode()
    assert key not in again
    assert f"…{key[-4:]}" in again


def test_the_new_token_authenticates_the_api(browser, owner, client):
    browser.post("/accounts/token/")
    key = Token.objects.get(user=owner).key

    response = client.get("/api/v1/quota/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_rotating_replaces_the_old_token(browser, owner):
    old = Token.objects.create(user=owner).key

    browser.post("/accounts/token/")

    new = Token.objects.get(user=owner).key
    assert new != old
    assert not Token.objects.filter(key=old).exists()
    assert new in browser.get(URL).content.decode()


def test_revoking_deletes_the_token(browser, owner):
    Token.objects.create(user=owner)

    response = browser.post("/accounts/token/revoke/")

    assert response.status_code == 302
    assert not Token.objects.filter(user=owner).exists()


def test_token_actions_take_only_a_post_with_a_csrf_token(owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)

    assert strict.get("/accounts/token/").status_code == 405
    assert strict.post("/accounts/token/").status_code == 403
    assert not Token.objects.filter(user=owner).exists()


def test_it_shows_only_my_own_token(browser, other):
    key = Token.objects.create(user=other).key

    html = browser.get(URL).content.decode()

    assert "You have no API token yet." in html
    assert key not in html


def test_staff_see_a_link_to_the_admin_and_others_do_not(browser, staff):

    assert b'href="/admin/"' not in browser.get(URL).content
    assert b'href="/admin/"' in logged_in(staff).get(URL).content


def test_it_shows_how_to_point_acedatacloud_tools_at_the_site(browser, owner):
    html = browser.get(URL).content.decode()

    assert "export ACEDATACLOUD_API_BASE_URL=http://testserver\n" in html
    assert "export ACEDATACLOUD_API_TOKEN=&lt;your Luma Studio API token&gt;" in html
    assert '"$ACEDATACLOUD_API_BASE_URL/luma/videos"' in html


def test_the_gateway_example_carries_a_new_token_only_while_it_is_revealed(browser, owner):
    browser.post("/accounts/token/")
    key = Token.objects.get(user=owner).key

    assert f"export ACEDATACLOUD_API_TOKEN={key}" in browser.get(URL).content.decode()
    assert key not in browser.get(URL).content.decode()
