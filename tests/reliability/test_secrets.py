"""Secrets: a full flow with every logger at DEBUG shows no AceDataCloud token, no user API
token and no callback secret in any log line, page or response.

The flow: sign up, issue a token on the profile page and one through the API, submit
through the API and the gateway, let the worker dispatch to the simulator and the
callbacks arrive, send a callback that is refused (400, 409: Django logs those paths),
poll, and read every page. Two answers show a token by design and are left out: the
profile page right after issuing it (shown once) and the token endpoint's answer. SQL is
logged only with DEBUG on, which production never runs; the test runs as production does.
"""

import http.client
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.core import mail
from django.test import Client

from tests.accounts.conftest import link_in_mail
from tests.conftest import SIM_TOKEN, wait_for
from videos.models import Video

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
# Every logger at DEBUG, except the two the site's LOGGING deliberately caps (django.template,
# urllib3): caplog.set_level would lift those caps, which production never does.
LOGGERS = ["", "django", "django.request", "django.server", "django.db.backends", "videos"]


@pytest.fixture
def debug_logs(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_a_full_flow_at_debug_shows_no_secret_anywhere(
    live, simulator, background_worker, debug_logs, record
):
    shown = []  # every body a user or client could see
    site = Client()
    signup = site.post(
        "/accounts/signup/",
        {
            "email": "sam@example.com",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert signup.status_code == 302
    confirm = link_in_mail(mail.outbox[-1], "/accounts/confirm-email/")
    assert site.post(confirm).status_code == 302  # confirmed and signed in
    revealed = site.post("/accounts/tokens/", {"name": "script"})  # the one showing, left out
    page_key = revealed.context["key"]
    assert page_key in revealed.content.decode()

    answer = requests.post(
        f"{live.url}/api/v1/auth/token/",
        data={"username": "sam", "password": "a-long-pass-phrase-42"},
        timeout=10,
    )
    key = answer.json()["token"]  # the token endpoint's answer, left out
    api = {"Authorization": f"Token {key}"}
    gateway = {"Authorization": f"Bearer {key}"}

    made = requests.post(
        f"{live.url}/api/v1/videos/", json={"prompt": "A fox"}, headers=api, timeout=10
    )
    shown.append(made)
    via_gateway = requests.post(
        f"{live.url}/luma/videos",
        json={"prompt": "A cat", "async": True},
        headers=gateway,
        timeout=10,
    )
    shown.append(via_gateway)
    wait_for(lambda: Video.objects.filter(state="completed").count() == 2, timeout=20)

    job = Video.objects.get(pk=made.json()["id"])
    hook = f"{live.url}/webhooks/acedata/{job.pk}/{job.callback_secret}/"
    # As AceDataCloud would, and through http.client: urllib3 would log this client's own
    # request lines, which are not the site's.
    shown.append(_post(hook, "{"))
    shown.append(_post(hook, json.dumps({"task_id": "someone-elses"})))
    shown.append(_post(hook, json.dumps({"task_id": job.task_id, "success": True})))
    shown.append(
        requests.post(
            f"{live.url}/luma/tasks",
            json={"action": "retrieve", "id": via_gateway.json()["task_id"]},
            headers=gateway,
            timeout=10,
        )
    )
    for path in ("/api/v1/videos/", f"/api/v1/videos/{job.pk}/", "/api/v1/quota/"):
        shown.append(requests.get(f"{live.url}{path}", headers=api, timeout=10))
    for path in ("/videos/", f"/videos/{job.pk}/", "/accounts/profile/", "/videos/new/"):
        shown.append(site.get(path))

    secrets = {"AceDataCloud token": SIM_TOKEN, "API token": key}
    secrets |= {f"callback secret {v.pk}": v.callback_secret for v in Video.objects.all()}
    texts = [_text(r) for r in shown]
    lines = [_line(entry) for entry in debug_logs.records]
    leaks = [
        (what, where)
        for what, secret in secrets.items()
        for where, text in [("log", "\n".join(lines)), *(("answer", t) for t in texts)]
        if secret in text
    ]
    record(len(secrets) * (len(texts) + len(lines)), len(secrets) * (len(texts) + len(lines)))
    assert len(secrets) == 4 and len(lines) > 20
    assert any("/webhooks/acedata/" in line and "[secret]" in line for line in lines)
    assert [r.status_code for r in shown[2:5]] == [400, 409, 200]
    assert leaks == []
    assert page_key not in "\n".join(lines)


@dataclass
class _Answer:
    status_code: int
    text: str


def _post(url, body):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body, {"content-type": "application/json"})
        response = connection.getresponse()
        return _Answer(response.status, response.read().decode())
    finally:
        connection.close()


def _text(response):
    return response.text if hasattr(response, "text") else response.content.decode()


def _line(entry):
    text = entry.getMessage()
    if entry.exc_info and not entry.exc_text:
        text += logging.Formatter().formatException(entry.exc_info)
    return f"{entry.name} {text} {entry.exc_text or ''}"
