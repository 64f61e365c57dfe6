"""Gateway fixtures: bearer tokens, a JSON client for /luma/*, and a callback receiver."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from tests.factories import make_token


@pytest.fixture(autouse=True)
def _production_callback_rules(settings):
    # As in production: no host is exempt unless a test says so.
    settings.CALLBACK_ALLOWED_HOSTS = []
    settings.GATEWAY_SYNC_TIMEOUT_SECONDS = 300
    settings.GATEWAY_SYNC_MAX_WAITING = 4
    settings.CALLBACK_RETRY_BASE_SECONDS = 30
    settings.CALLBACK_MAX_ATTEMPTS = 3


@pytest.fixture
def owner_token(owner):
    return make_token(owner)


@pytest.fixture
def other_token(other):
    return make_token(other)


class Gateway:
    """POST JSON to /luma/* as an AceDataCloud client would."""

    def __init__(self, token):
        self.token = token
        self.client = Client()

    def post(self, path, body=None, token=..., raw=None):
        token = self.token if token is ... else token
        headers = {"accept": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers=headers)

    def videos(self, body=None, **kwargs):
        return self.post("/luma/videos", body, **kwargs)

    def tasks(self, body=None, **kwargs):
        return self.post("/luma/tasks", body, **kwargs)


@pytest.fixture
def gateway(owner_token):
    return Gateway(owner_token)


@pytest.fixture
def other_gateway(other_token):
    return Gateway(other_token)


class CallbackReceiver:
    """A local HTTP server recording the callbacks it gets; `statuses` scripts its answers."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.headers: list[dict] = []
        self.location = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                receiver.received.append(json.loads(self.rfile.read(length)))
                receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                body = b"x" * receiver.answer_bytes
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.answer_bytes = 2
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host="127.0.0.1", path="/hook"):
        return f"http://{host}:{self.server.server_address[1]}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = CallbackReceiver()
    yield server
    server.stop()
