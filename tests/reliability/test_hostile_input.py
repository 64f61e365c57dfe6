"""Hostile input: schemathesis against /api/schema/, then bodies, types and characters that
no schema describes, in the forms, the API, the gateway and the webhook.

schemathesis runs in-process against the WSGI application (no server), signed in with a
token, a bounded number of examples per operation; every answer must be below 500 and
match the schema (status code documented, body and content type as described). The one
check left out is "schema-valid data is accepted": a well-formed username and password, or
video id, is still rightly refused when it is not a real one.
"""

import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import ApiToken
from tests.factories import make_token, make_video
from videos.models import QuotaEvent, Video

pytestmark = [pytest.mark.reliability]
EXAMPLES = 40


@pytest.fixture
def schema(db):
    # The site's WSGI handler under the test's own settings (config.wsgi would default the
    # environment to production for every subprocess started after it).
    application = get_wsgi_application()
    # As Django's test client does: the WSGI handler would otherwise close the test's
    # database connection (and its transaction) at the end of every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_5xx_and_no_answer_outside_the_schema(
    schema, owner, settings, high_submit_rates, record
):
    settings.QUOTA_VIDEOS_PER_PERIOD = 10_000
    settings.QUOTA_MAX_IN_FLIGHT = 10_000
    headers = {"Authorization": f"Token {make_token(owner)}"}
    real = [str(make_video(owner).pk) for _ in range(3)]
    tried = []

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            if case.path_parameters and "id" in case.path_parameters and len(tried) % 2:
                case.path_parameters["id"] = real[len(tried) % len(real)]
            tried.append(case)
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
    record(len(tried), len(tried))


BIG = "x" * (3 * 1024 * 1024)  # past DATA_UPLOAD_MAX_MEMORY_SIZE and GATEWAY_MAX_BODY_BYTES
BAD_PROMPTS = {
    "NUL": "A fox\x00",
    "escape sequence": "A fox \x1b[31mred\x07",
    "lone surrogate": "A fox \ud800",
}
ODD_URLS = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:image/png;base64,AAAA",
    "ftp://example.com/a.png",
    "gopher://example.com/",
]


def _json(value):
    # ensure_ascii keeps a lone surrogate as the \ud800 escape a hostile client would send
    return json.dumps(value, ensure_ascii=True)


@pytest.fixture
def hostile(owner, high_submit_rates):
    key = make_token(owner)
    client = Client()

    def api(body, content_type="application/json"):
        return client.post(
            "/api/v1/videos/",
            body,
            content_type=content_type,
            headers={"authorization": f"Token {key}"},
        )

    def gateway(body, content_type="application/json"):
        return client.post(
            "/luma/videos",
            body,
            content_type=content_type,
            headers={"authorization": f"Bearer {key}"},
        )

    return api, gateway


def _refused(response, status_range=(400, 499)):
    assert status_range[0] <= response.status_code <= status_range[1], response.content[:300]
    body = response.json()
    message = body.get("detail") or body.get("error", {}).get("message")
    assert message and len(message) > 10, body
    return message


CASES = [
    *[("prompt " + name, {"prompt": text}) for name, text in BAD_PROMPTS.items()],
    *[
        ("start_image_url " + url.split(":")[0], {"prompt": "A", "start_image_url": url})
        for url in ODD_URLS
    ],
    *[
        ("extend video_url " + url.split(":")[0], {"action": "extend", "video_url": url})
        for url in ODD_URLS
    ],
]


@pytest.mark.parametrize("name, body", CASES, ids=[name for name, _ in CASES])
def test_hostile_fields_are_refused_clearly_by_the_api_and_the_gateway(hostile, owner, name, body):
    api, gateway = hostile

    _refused(api(_json(body)))
    _refused(gateway(_json({**body, "async": True})))

    assert Video.objects.count() == 0 and QuotaEvent.objects.count() == 0


@pytest.mark.parametrize(
    "raw, content_type, api_status",
    [
        (_json({"prompt": BIG}), "application/json", 413),
        ("prompt=A fox", "text/plain", 415),
        ("<prompt>A fox</prompt>", "application/xml", 415),
        ("{", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
    ],
    ids=["oversized", "text", "xml", "broken json", "deep nesting"],
)
def test_bodies_no_schema_describes_are_refused_clearly(hostile, raw, content_type, api_status):
    api, gateway = hostile

    assert api(raw, content_type).status_code == api_status
    _refused(api(raw, content_type))
    _refused(gateway(raw, content_type), (400, 413))

    assert Video.objects.count() == 0 and QuotaEvent.objects.count() == 0


@pytest.mark.parametrize("name", ["NUL", "escape sequence"])  # a form arrives as UTF-8
def test_the_new_video_form_refuses_hostile_prompts_and_saves_nothing(owner, name):
    page = Client()
    page.force_login(owner)

    response = page.post("/videos/new/", {"prompt": BAD_PROMPTS[name]})

    assert response.status_code in (200, 400)  # the form again, with its errors
    assert response.context["form"].errors
    assert Video.objects.count() == 0


@pytest.mark.parametrize("url", ODD_URLS)
def test_the_forms_refuse_urls_with_odd_schemes(owner, url):
    page = Client()
    page.force_login(owner)

    new = page.post("/videos/new/", {"prompt": "A fox", "start_image_url": url})
    link = page.post("/videos/extend/", {"video_url": url, "prompt": "more"})

    assert new.context["form"].errors and link.context["form"].errors
    assert Video.objects.count() == 0


@pytest.mark.parametrize(
    "raw, content_type, status",
    [
        ("task_id=abc", "text/plain", 415),
        ("[1, 2]", "application/json", 400),
        (_json({"task_id": "\x00"}), "application/json", 409),
        (_json({"task_id": "x" * 100_000}), "application/json", 409),
        ("{", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
    ],
    ids=["text", "not an object", "NUL task id", "huge task id", "broken json", "deep nesting"],
)
def test_the_webhook_refuses_hostile_bodies_and_changes_nothing(owner, raw, content_type, status):
    job = make_video(owner, state=Video.State.PROCESSING)
    url = f"/webhooks/acedata/{job.pk}/{job.callback_secret}/"

    response = Client().post(url, raw, content_type=content_type)

    assert response.status_code == status and response.json()["detail"]
    assert Video.objects.get(pk=job.pk).state == "processing"


NON_FINITE = {
    "Infinity": '{"prompt": "A fox", "loop": Infinity}',
    "-Infinity": '{"prompt": "A fox", "aspect_ratio": -Infinity}',
    "NaN": '{"prompt": "A fox", "extra": [NaN]}',
    "1e309": '{"prompt": "A fox", "model": {"weight": 1e309}}',
}


@pytest.mark.parametrize("raw", NON_FINITE.values(), ids=NON_FINITE.keys())
def test_non_finite_numbers_anywhere_in_a_body_are_a_clear_400(hostile, owner, raw):
    # PostgreSQL refuses to store them (SQLite would); Python's json reads them happily.
    api, gateway = hostile

    assert _refused(api(raw)) and api(raw).json()["code"] == "parse_error"
    assert "not a JSON number" in _refused(gateway(raw)) or "too large" in _refused(gateway(raw))
    job = make_video(owner, state=Video.State.PROCESSING)
    callback = Client().post(
        f"/webhooks/acedata/{job.pk}/{job.callback_secret}/",
        raw.replace('"prompt": "A fox"', f'"task_id": "{job.task_id}"'),
        content_type="application/json",
    )
    assert callback.status_code == 400 and callback.json()["detail"]
    assert Video.objects.get(pk=job.pk).state == "processing"
    assert Video.objects.count() == 1 and QuotaEvent.objects.count() == 1


@pytest.mark.parametrize("query", ["search=%00", "search=a%00b", "search=%1b%5b31m"])
def test_control_characters_in_an_api_search_are_a_clear_400(api, query):
    response = api.get(f"/api/v1/videos/?{query}")

    assert response.status_code == 400
    assert (
        response.json()["code"] == "invalid" and "control characters" in response.json()["detail"]
    )


def test_control_characters_in_the_pages_search_are_said_beside_the_field(owner):
    page = Client()
    page.force_login(owner)

    response = page.get("/videos/?q=fox%00")

    assert response.status_code == 400
    assert 'data-testid="search-error"' in response.content.decode()
    assert "control characters" in response.content.decode()


@pytest.mark.parametrize(
    "host",
    ["a" * 64 + ".example.com", "a..example.com", ("abcdefgh." * 32) + "com"],
    ids=["label over 63", "empty label", "name over 253"],
)
def test_a_callback_url_with_an_impossible_host_name_is_a_clear_400(hostile, host):
    _, gateway = hostile

    message = _refused(gateway(_json({"prompt": "A fox", "callback_url": f"https://{host}/cb"})))

    assert "not a valid host name" in message
    assert Video.objects.count() == 0


ACCOUNT_FORMS = [
    ("/accounts/login/", {"login": "olivia\x00", "password": "pw-olivia"}),
    ("/accounts/signup/", {"email": "nina\x00@example.com", "password1": "pw\x00x" * 4,
                           "password2": "pw\x00x" * 4}),
    ("/accounts/password/reset/", {"email": "olivia@example.com\x00"}),
    ("/accounts/confirm-email/again/", {"email": "\x00@example.com"}),
]  # fmt: skip


@pytest.mark.parametrize("path, body", ACCOUNT_FORMS, ids=lambda v: str(v)[:30])
def test_the_account_forms_refuse_control_characters_clearly(owner, path, body, record):
    response = Client().post(path, body)

    record(1, int(response.status_code == 200))
    assert response.status_code == 200 and response.context["form"].errors
    assert get_user_model().objects.count() == 1
    assert "_auth_user_id" not in Client().session


@pytest.mark.parametrize(
    "body",
    [
        {"username": "olivia\x00", "password": "pw-olivia"},
        {"username": "olivia", "password": "pw-olivia", "name": "n8n\x00"},
        {"username": "olivia", "password": "pw-olivia", "otp": "12\x0034"},
        {"username": "olivia", "password": "pw-olivia", "expires_in_days": float("nan")},
        {"username": ["olivia"], "password": {"a": 1}},
    ],
    ids=["NUL username", "NUL name", "NUL code", "NaN days", "wrong types"],
)
def test_the_token_endpoint_refuses_hostile_bodies_and_issues_nothing(owner, body, record):
    raw = json.dumps(body)  # NaN as JSON allows it, which PostgreSQL's JSON would not

    response = Client().post("/api/v1/auth/token/", raw, content_type="application/json")

    record(1, int(response.status_code == 400))
    assert response.status_code == 400 and response.json()["code"] in ("invalid", "parse_error")
    assert not ApiToken.objects.exists()


def test_a_profile_token_name_with_control_characters_is_refused(owner):
    page = Client()
    page.force_login(owner)

    response = page.post("/accounts/tokens/", {"name": "laptop\x00", "expires": ""})

    assert response.status_code == 400 and not ApiToken.objects.exists()


@pytest.mark.parametrize("key", ["%00", "a%00b", "..%2F..%2Fadmin", "x" * 500, "%F0%9F%A6%8A"])
def test_an_invitation_link_of_junk_is_a_404_page(db, key):
    response = Client().get(f"/accounts/invitation/{key}/")

    assert response.status_code == 404
    assert b'name="password1"' not in response.content
