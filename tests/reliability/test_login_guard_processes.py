"""The login guard and the throttles count across web processes: two real gunicorn
processes with production settings and no CACHE_URL (so the database cache), one person
guessing a password against both, through the API's token endpoint (the same guard as the
login page, whose production static files would need collectstatic)."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import make_user
from tests.processes import current_database_url

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "luma_cache",
    }
}


def _gunicorn(**extra):
    """One production web process on a free loopback port; returns it and its address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_URL", "DEBUG"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="guard-test-" + "x" * 50,
        ACEDATACLOUD_API_TOKEN="unused",
        PUBLIC_BASE_URL="https://studio.example.com",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=current_database_url(),
        LOGIN_MAX_FAILURES="3",
        **extra,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0",
         "--workers", "1", "--threads", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    for line in process.stderr:
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        if found:
            return process, found.group(1)
    raise AssertionError("gunicorn did not start")


def _stop(process):
    process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()


@pytest.fixture(scope="module")
def web_processes(django_db_setup, django_db_blocker):
    """Started once for the module; each test begins with an empty shared cache."""
    with django_db_blocker.unblock(), override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)  # what `migrate` does in production
    started = []
    try:
        started = [_gunicorn(THROTTLE_TOKEN="5/min") for _ in range(2)]
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            _stop(process)


@pytest.fixture
def two_web_processes(web_processes):
    with override_settings(CACHES=DATABASE_CACHE):
        caches["default"].clear()
        yield web_processes
        caches["default"].clear()


@pytest.fixture
def person(db):
    """A user whose password the web processes can check (they use production's hashers,
    not the tests' fast one)."""
    user = make_user("olivia")
    user.password = PBKDF2PasswordHasher().encode("pw-olivia", "a-fixed-salt-for-tests")
    user.save(update_fields=["password"])
    return user


def _ask_for_token(site, password):
    return requests.post(
        f"{site}/api/v1/auth/token/",
        json={"username": "olivia", "password": password},
        timeout=10,
    )


def test_failures_on_one_process_lock_the_login_on_the_other(two_web_processes, person, record):
    first, second = two_web_processes
    assert _ask_for_token(second, "pw-olivia").status_code == 201  # the control

    guesses = [_ask_for_token(site, "guess").status_code for site in (first, second, first)]
    locked = _ask_for_token(second, "pw-olivia")  # the right password, on the other process

    record(4, sum([*(g == 400 for g in guesses), locked.status_code == 429]))
    assert guesses == [400, 400, 400]
    assert locked.status_code == 429 and locked.json()["code"] == "locked"
    assert "Too many failed sign-in attempts" in locked.json()["detail"]


def test_the_throttle_counts_across_processes_too(two_web_processes, person, record):
    first, second = two_web_processes

    answers = [_ask_for_token(site, "pw-olivia").status_code for site in [first, second] * 3]

    record(6, sum(a == (201 if n < 5 else 429) for n, a in enumerate(answers)))
    assert answers == [201, 201, 201, 201, 201, 429]  # THROTTLE_TOKEN=5/min, shared
