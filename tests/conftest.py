"""Shared fixtures: three users, API clients, the simulator over real HTTP, a fake upstream."""

import asyncio
import contextlib
import threading
import time
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from rest_framework.test import APIClient

from tests.fakes import FakeUpstream
from videos.acedata import AceDataClient
from videos.simulator import Simulator
from videos.sweep import sweep

SIM_TOKEN = "test-acedata-token"
ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run in scripts/test.sh's PostgreSQL pass (CI runs both)."""
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only; it runs in the PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # never the repository's media/
    settings.ACEDATACLOUD_API_TOKEN = SIM_TOKEN
    settings.ACEDATACLOUD_BASE_URL = "http://127.0.0.1:9"  # nothing listens: tests opt in
    settings.ACEDATACLOUD_CONNECT_TIMEOUT = 1.0
    settings.ACEDATACLOUD_READ_TIMEOUT = 1.0
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.QUOTA_VIDEOS_PER_PERIOD = 10
    settings.QUOTA_MAX_IN_FLIGHT = 3
    cache.clear()  # throttle and login-failure counts never leak from one test into the next


@pytest.fixture(autouse=True)
def _no_event_loop_left_by_the_browser(request):
    """Playwright's sync API (the session's Chromium) leaves its event loop marked as running
    in the main thread; Django's test client then refuses to call an async view there (the
    gateway's /luma/videos, /events/). Tests other than the browser's run without it."""
    loop = asyncio._get_running_loop()
    if loop is None or request.node.get_closest_marker("browser"):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


def make_user(username, **extra):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-" + username, **extra
    )


@pytest.fixture
def owner(db):
    return make_user("olivia")


@pytest.fixture
def other(db):
    return make_user("oscar")


@pytest.fixture
def staff(db):
    return make_user("ada", is_staff=True, is_superuser=True)


def logged_in(user):
    """A browser (Django's test client) with the user signed in."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser(owner):
    """The owner, logged in."""
    return logged_in(owner)


@pytest.fixture
def other_browser(other):
    return logged_in(other)


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def other_api(other):
    client = APIClient()
    client.force_authenticate(other)
    return client


@pytest.fixture
def fake_upstream():
    """AceDataCloud faked at our client's public face (its three calls), with autospec."""
    fake = FakeUpstream()
    with contextlib.ExitStack() as stack:
        for name in ("submit", "retrieve", "retrieve_batch"):
            method = getattr(fake, name)
            stack.enter_context(
                mock.patch.object(
                    AceDataClient,
                    name,
                    autospec=True,
                    side_effect=lambda _client, *args, _method=method: _method(*args),
                )
            )
        yield fake


@pytest.fixture
def simulator(settings):
    """The AceDataCloud simulator on a free port; jobs finish at once unless a test slows it."""
    sim = Simulator(token=SIM_TOKEN, delay=0, hang_seconds=2.5, callback_backoff=0.1)
    sim.start()
    settings.ACEDATACLOUD_BASE_URL = sim.base_url
    yield sim
    sim.stop()


@pytest.fixture
def live(live_server, settings, simulator):
    """The site on a live server, reachable by the simulator's callbacks."""
    settings.PUBLIC_BASE_URL = live_server.url
    # A threaded server serves no event streams: its pages poll, as on a site without live
    # processes (asgi_live serves them).
    settings.LIVE_UPDATES = "off"
    return live_server


def run_worker(queues=("default", "media")):
    """Run every queued background task once, with the real worker's loop.

    The loop without its command: the command installs signal handlers, which Python
    allows only in the main thread, and background_worker runs this in another one.
    tests/videos/test_worker.py runs the command itself, in a process of its own.
    """
    Worker(
        queue_names=list(queues),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def wait_for(predicate, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def background_worker(live):
    """Run the worker's tasks and sweeps in a thread while a test drives the site."""
    stop = threading.Event()

    def loop():
        try:
            while not stop.is_set():
                run_worker()
                sweep()
                stop.wait(0.2)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(timeout=10)


@pytest.fixture
def asgi_live(live, settings):
    """The site under uvicorn (as production's ASGI processes run it), pushing live updates:
    PostgreSQL's LISTEN/NOTIFY in the PostgreSQL pass, in-process hand-over on SQLite.
    AceDataCloud's callbacks go to the threaded server (`live`), as production routes them."""
    from tests.asgi import AsgiLiveServer

    settings.LIVE_UPDATES = "postgres" if ON_POSTGRES else "local"
    server = AsgiLiveServer().start()
    yield server
    server.stop()
