import pytest
from django.contrib.auth import get_user_model

from accounts.models import Allowance

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/accounts/signup/"


def _form(**overrides):
    data = {
        "username": "nina",
        "email": "nina@example.com",
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
    }
    data.update(overrides)
    return data


def test_it_shows_the_signup_form_with_a_csrf_token(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    for name in (b'name="username"', b'name="email"', b'name="password1"', b'name="password2"'):
        assert name in response.content


def test_it_creates_the_account_logs_in_and_goes_to_the_new_video_page(client):
    response = client.post(URL, _form())

    assert response.status_code == 302
    assert response.url == "/videos/new/"
    user = User.objects.get(username="nina")
    assert user.email == "nina@example.com"
    assert user.check_password("a-long-unusual-passphrase-42")
    assert Allowance.objects.filter(user=user).exists()
    assert client.get("/videos/").status_code == 200  # logged in


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"username": ""}, "username", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"password1": "123", "password2": "123"}, "password2", "too short"),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "83920184736", "password2": "83920184736"}, "password2", "entirely numeric"),
    ],
)
def test_it_refuses_bad_input_beside_the_field_and_keeps_what_was_typed(
    client, overrides, field, message
):
    response = client.post(URL, _form(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    if overrides.get("username", "nina"):
        assert b'value="nina"' in response.content


def test_it_refuses_a_username_or_email_that_is_taken(client, owner):
    response = client.post(URL, _form(username=owner.username.upper(), email=owner.email.upper()))

    errors = response.context["form"].errors
    assert "username" in errors
    assert "email" in errors
    assert User.objects.count() == 1


def test_a_logged_in_user_is_sent_to_their_videos(browser):
    response = browser.get(URL)

    assert response.status_code == 302
    assert response.url == "/videos/"
