"""Operations: what an operator relies on holds under production settings and real gunicorn.

Each server here is the shipped deploy/gunicorn.conf.py in production mode (DEBUG off),
reached over loopback with the site's host name: health answers 503 (and says nothing
sensitive) when the database is unreachable while /healthz stays 200; /metrics refuses
anonymous scrapes; a webhook request's secret reaches neither the JSON logs nor the access
log; and several gunicorn processes plus a worker process report one set of metrics.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

from tests.config.test_settings import PRODUCTION, _clean_environment
from tests.conftest import SIM_TOKEN, wait_for
from tests.factories import make_video

pytestmark = [pytest.mark.reliability, pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
HOST = "studio.example.com"
METRICS_TOKEN = "metrics-" + "s" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def gunicorn(tmp_path, **env):
    """deploy/gunicorn.conf.py in production mode; yields (url, log file)."""
    port = _free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    environment = _clean_environment(
        {
            **PRODUCTION,
            "DATABASE_URL": _test_database_url(),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "WEB_BIND": f"127.0.0.1:{port}",
            "WEB_PROCESSES": "1",
            "WEB_THREADS": "4",
            **env,
        }
    )
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(url, "/healthz", quiet=True), timeout=30, interval=0.2)
        yield url, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _get(url, path, quiet=False, **headers):
    try:
        return requests.get(f"{url}{path}", headers={"Host": HOST, **headers}, timeout=10)
    except requests.ConnectionError:
        if quiet:
            return None
        raise


def _samples(text) -> dict:
    return {
        (s.name, *sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_health_says_unavailable_and_nothing_more_when_the_database_is_down(tmp_path, record):
    closed = _free_port()  # nothing listens: PostgreSQL is "down"
    down = {"DATABASE_URL": f"postgres://luma:pw-in-url@127.0.0.1:{closed}/luma_studio"}
    with gunicorn(tmp_path, METRICS_TOKEN=METRICS_TOKEN, **down) as (url, _):
        alive = _get(url, "/healthz")
        ready = _get(url, "/readyz")
        web = _get(url, "/readyz/web")
        scrape = _get(url, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")

    held = [
        alive.status_code == 200,
        ready.status_code == 503,
        ready.json()["checks"]["database"] == "unavailable",
        web.status_code == 503,
        scrape.status_code == 200 and "luma_site_state_up 0.0" in scrape.text,
        not any(s in ready.text + web.text for s in (str(closed), "pw-in-url", "luma_studio")),
    ]
    record(len(held), sum(held))
    assert alive.json() == {"status": "ok"}
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["database"] == "unavailable"
    assert ready.json()["checks"]["storage"] == "ok"
    assert web.status_code == 503
    assert scrape.status_code == 200
    assert _samples(scrape.text)[("luma_site_state_up",)] == 0
    assert all(held)


@pytest.mark.django_db(transaction=True)
def test_metrics_refuse_every_anonymous_scrape_in_production(tmp_path, record):
    with gunicorn(tmp_path) as (url, _):  # the production default: no token, no addresses
        loopback = _get(url, "/metrics")
    with gunicorn(tmp_path, METRICS_TOKEN=METRICS_TOKEN) as (url, _):
        anonymous = _get(url, "/metrics")
        wrong = _get(url, "/metrics", Authorization="Bearer guess")
        proxied = _get(url, "/metrics", **{"X-Forwarded-For": "127.0.0.1"})
        scraper = _get(url, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")

    refused = [loopback.status_code == 403] + [
        r.status_code == 401 for r in (anonymous, wrong, proxied)
    ]
    record(len(refused) + 1, sum(refused) + (scraper.status_code == 200))
    assert all(refused)
    assert all("luma_jobs" not in r.text for r in (loopback, anonymous, wrong, proxied))
    assert scraper.status_code == 200 and "luma_jobs" in scraper.text


@pytest.mark.django_db(transaction=True)
def test_a_webhook_requests_secret_reaches_no_log_line(tmp_path, owner, record):
    job = make_video(owner, state="processing")
    secret = job.callback_secret
    with gunicorn(tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG") as (url, log):
        hook = f"{url}/webhooks/acedata/{job.pk}/{secret}/"
        headers = {"Host": HOST, "Content-Type": "application/json"}
        answers = [
            requests.post(hook, data="{", headers=headers, timeout=10),
            requests.post(hook, json={"task_id": "not-this-one"}, headers=headers, timeout=10),
            requests.get(hook, headers=headers, timeout=10),
        ]
        wait_for(lambda: log.read_text().count("/webhooks/acedata/") >= 6, timeout=10)
    text = log.read_text()
    lines = [line for line in text.splitlines() if line.strip()]

    parsed = [json.loads(line) for line in lines if line.startswith("{")]
    access = [p for p in parsed if p.get("path", "").startswith("/webhooks/")]
    django = [p for p in parsed if p.get("logger") == "django.request"]
    record(len(lines), sum(secret not in line for line in lines))
    assert [a.status_code for a in answers] == [400, 409, 405]
    assert secret not in text
    assert len(parsed) == len(lines)  # every line is one JSON object, gunicorn's included
    assert len(access) == 3 and all("[secret]" in a["path"] for a in access)
    assert len(django) == 3 and all("[secret]" in d["request"]["path"] for d in django)


@pytest.mark.django_db(transaction=True)
def test_several_gunicorn_processes_and_a_worker_report_one_set_of_metrics(
    tmp_path, simulator, record
):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    common = {"PROMETHEUS_MULTIPROC_DIR": str(shared), "METRICS_TOKEN": METRICS_TOKEN}
    with gunicorn(tmp_path, WEB_PROCESSES="3", **common) as (url, _):
        # Another process of the same machine (as a worker would) calls the upstream twice.
        code = (
            "from videos.acedata import AceDataClient; c = AceDataClient(); "
            "[c.retrieve(str(i)) for i in range(2)]"
        )
        caller = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=ROOT,
            env={
                **os.environ,
                **common,
                "DATABASE_URL": _test_database_url(),
                "ACEDATACLOUD_BASE_URL": simulator.base_url,
                "ACEDATACLOUD_API_TOKEN": SIM_TOKEN,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert caller.returncode == 0, caller.stderr
        auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        for _ in range(12):  # spread over the three processes
            assert _get(url, f"/healthz?{uuid.uuid4()}").status_code == 200
        scrapes = [_samples(_get(url, "/metrics", **auth).text) for _ in range(6)]

    calls = [
        s[("luma_upstream_request_duration_seconds_count", ("endpoint", "/luma/tasks"))]
        for s in scrapes
    ]
    requests_seen = [
        s[("django_http_requests_total_by_method_total", ("method", "GET"))] for s in scrapes
    ]
    held = [c == 2 for c in calls] + [
        all(b > a for a, b in zip(requests_seen, requests_seen[1:], strict=False))
    ]
    record(len(held), sum(held))
    assert calls == [2] * 6  # the worker's calls, whichever web process answers
    # Every process's requests are summed: each scrape sees all the ones before it.
    assert requests_seen[0] >= 13
    assert all(b == a + 1 for a, b in zip(requests_seen, requests_seen[1:], strict=False))
