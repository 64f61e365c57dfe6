import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_it_logs_in_and_goes_to_my_videos(client, owner):
    response = client.post("/accounts/login/", {"username": "olivia", "password": "pw-olivia"})

    assert response.status_code == 302
    assert response.url == "/videos/"


def test_it_goes_back_to_the_page_that_asked_for_a_login(client, owner):
    page = client.get("/videos/new/")
    assert page.status_code == 302
    assert page.url == "/accounts/login/?next=/videos/new/"

    response = client.post(
        "/accounts/login/", {"username": "olivia", "password": "pw-olivia", "next": "/videos/new/"}
    )

    assert response.url == "/videos/new/"


def test_a_wrong_password_is_refused_with_a_message_and_the_username_kept(client, owner):
    response = client.post("/accounts/login/", {"username": "olivia", "password": "nope"})

    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert b'value="olivia"' in response.content
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(browser):
    assert browser.get("/accounts/logout/").status_code == 405

    response = browser.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/"
    assert browser.get("/videos/").status_code == 302


def test_it_changes_the_password(browser, owner):
    response = browser.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-olivia",
            "new_password1": "a-brand-new-passphrase-7",
            "new_password2": "a-brand-new-passphrase-7",
        },
    )

    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase-7")
    assert browser.get(response.url).status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_old_password(browser, owner):
    response = browser.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "x-9-long-pass",
            "new_password2": "x-9-long-pass",
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    owner.refresh_from_db()
    assert owner.check_password("pw-olivia")


def test_it_resets_a_forgotten_password_by_email(client, owner):
    response = client.post("/accounts/password_reset/", {"email": "olivia@example.com"})

    assert response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olivia@example.com"]
    assert message.subject == "Reset your Luma Studio password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase-31", "new_password2": "a-fresh-passphrase-31"},
    )

    assert done.url == "/accounts/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password("a-fresh-passphrase-31")
    assert client.get(link, follow=True).context["validlink"] is False  # works once


def test_a_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client, owner):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []
