"""When the database is away every client gets a 503 in its own shape; never a 500 or HTML
for an API client. The real outage (a PostgreSQL cluster stopped for 30 s under load) is in
tests/reliability/test_database_outage.py."""

import pytest
from django.db import OperationalError
from django.test import Client

from tests.factories import make_video
from videos.models import Video

pytestmark = pytest.mark.django_db
DOWN = OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@pytest.fixture
def database_down(monkeypatch):
    """Every video query fails as it does while PostgreSQL is stopped."""

    def down(*args, **kwargs):
        raise DOWN

    monkeypatch.setattr(Video.objects, "for_user", down)
    monkeypatch.setattr("videos.gateway.views.user_for", down)
    monkeypatch.setattr("videos.services.receive_callback", down)


def _assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    return response


def test_the_api_answers_503_unavailable_in_its_own_shape(api, database_down):
    response = _assert_unavailable(api.get("/api/v1/videos/"))

    assert response.json() == {
        "detail": "Luma Studio is briefly unavailable. Try again in a moment.",
        "code": "unavailable",
    }


def test_a_page_answers_a_friendly_503_page(owner, database_down):
    browser = Client(raise_request_exception=False)
    browser.force_login(owner)

    response = _assert_unavailable(browser.get("/videos/"))

    html = response.content.decode()
    assert "Back in a moment" in html and "cannot reach its database" in html
    assert "Traceback" not in html


def test_the_gateway_answers_503_in_acedataclouds_shape(database_down):
    response = _assert_unavailable(
        Client().post(
            "/luma/videos",
            {"prompt": "A fox"},
            content_type="application/json",
            headers={"authorization": "Bearer some-token"},
        )
    )

    body = response.json()
    assert set(body) == {"error", "trace_id"} and body["error"]["code"] == "api_error"
    assert "briefly unavailable" in body["error"]["message"]


def test_acedataclouds_callback_gets_a_503_it_may_retry(owner, database_down):
    video = make_video(owner, state=Video.State.PROCESSING)

    response = _assert_unavailable(
        Client().post(
            f"/webhooks/acedata/{video.pk}/{video.callback_secret}/",
            {"task_id": video.task_id},
            content_type="application/json",
        )
    )

    assert response.json()["code"] == "unavailable"


def test_a_bug_behind_the_api_is_a_json_500_not_an_html_page(api, monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Video.objects, "for_user", bug)
    client = Client(raise_request_exception=False)
    client.force_login(api.handler._force_user)

    response = client.get("/api/v1/videos/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and "a bug" not in response.content.decode()


def test_an_unknown_api_or_gateway_address_is_a_json_404(client):
    api = client.get("/api/v1/nothing-here/")
    gateway = client.post("/luma/nothing-here", content_type="application/json")

    assert (api.status_code, api.json()["code"]) == (404, "not_found")
    assert (gateway.status_code, gateway.json()["error"]["code"]) == (404, "no_api")
    assert client.get("/nothing-here/").status_code == 404  # a person still gets the page
