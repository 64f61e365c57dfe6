"""Fixtures for the simulator's own tests: a simulator, a raw HTTP client and a callback receiver.

None of these need the database: the simulator is plain standard library.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.fakes import recorded
from videos.simulator import Simulator

TOKEN = "sim-test-token"


def is_uuid4(value):
    return str(uuid.UUID(value)) == value and uuid.UUID(value).version == 4


def assert_error(response, status, code, message=None):
    """Assert a section-5 error body: {"error": {"code", "message"}, "trace_id"}, no `success`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == set(recorded("spec_error_used_up"))
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    assert is_uuid4(body["trace_id"])


def wait_until(predicate, timeout=3.0):
    """Poll until predicate() is truthy and return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def make_sim():
    """Start simulators with chosen options; all are stopped after the test."""
    started = []

    def start(**overrides):
        options = {
            "token": TOKEN,
            "delay": 0.3,
            "hang_seconds": 2.0,
            "callback_backoff": 0.05,
            **overrides,
        }
        sim = Simulator(**options)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim):
    return make_sim()


class Upstream:
    """Speaks to the simulator the way a client of AceDataCloud would, but without opinions."""

    def __init__(self, base_url, token=TOKEN):
        self.base_url = base_url
        self.token = token
        self.session = requests.Session()
        self.session.trust_env = False  # never route loopback traffic through an env proxy

    def headers(self, token=None):
        return {
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {token or self.token}",
        }

    def post(self, path, body, *, token=None, timeout=5, headers=None):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.session.post(
            self.base_url + path,
            data=data,
            headers=headers if headers is not None else self.headers(token),
            timeout=timeout,
        )

    def videos(self, body, **kwargs):
        return self.post("/luma/videos", body, **kwargs)

    def tasks(self, body, **kwargs):
        return self.post("/luma/tasks", body, **kwargs)

    def retrieve(self, task_id):
        response = self.tasks({"action": "retrieve", "id": task_id})
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path_or_url, **kwargs):
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        kwargs.setdefault("timeout", 5)
        return self.session.get(url, **kwargs)


@pytest.fixture
def upstream(sim):
    return Upstream(sim.base_url)


class CallbackReceiver:
    """A tiny webhook endpoint that records every POST and answers with scripted statuses."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)  # answered in order, then 200 for ever
        self.received = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._cond:
                    receiver.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/luma/job-secret"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait_for(self, count, timeout=5.0):
        """Return the first `count` deliveries, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"got {len(self.received)} callbacks, wanted {count}")
                self._cond.wait(remaining)
            return list(self.received[:count])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    callback_receiver = CallbackReceiver()
    yield callback_receiver
    callback_receiver.stop()


@pytest.fixture
def make_receiver():
    receivers = []

    def make(statuses=()):
        callback_receiver = CallbackReceiver(statuses)
        receivers.append(callback_receiver)
        return callback_receiver

    yield make
    for callback_receiver in receivers:
        callback_receiver.stop()
