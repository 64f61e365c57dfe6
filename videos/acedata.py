"""The one module that speaks HTTP to AceDataCloud's Luma API.

Every failure becomes an AceDataError carrying a readable message, the upstream code,
whether retrying could help, and whether the request may have reached AceDataCloud
anyway. That last one matters for a submission: a read timeout after the request was
sent is an unknown outcome (AceDataCloud may be making the video), and submitting again
would bill the operator twice. Only a request that provably never arrived (refused, DNS,
connect timeout, TLS handshake) or that AceDataCloud explicitly refused (429, 5xx) is
safe to send again. The token is never logged.
"""

import contextlib
import hashlib
import logging
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from . import metrics, netguard, wire

logger = logging.getLogger(__name__)

MAX_BATCH = 50  # ids per retrieve_batch call (AceDataCloud's MCP server's advice)


@dataclass
class AceDataError(Exception):
    message: str
    code: str = "upstream_error"
    status: int | None = None
    permanent: bool = False
    # The request may have reached AceDataCloud and been acted on: never send it again.
    outcome_unknown: bool = False
    # AceDataCloud's own words about it, if it gave any (the message already quotes them).
    detail: str = ""

    def __str__(self):
        return self.message

    @classmethod
    def of(cls, code: str, **kwargs) -> "AceDataError":
        """An error whose message is the wire's readable text for its code."""
        return cls(wire.FRIENDLY[code], code=code, **kwargs)


def _error_from_response(response) -> AceDataError:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = wire.read_error(response.status_code, body)
    return AceDataError(
        error.message,
        code=error.code,
        status=response.status_code,
        permanent=error.permanent,
        detail=error.detail,
    )


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request provably never reached AceDataCloud (so sending it again is safe)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True  # no connection, or no TLS session: nothing was sent
    if not isinstance(exc, requests.ConnectionError):
        return False
    cause = exc.args[0] if exc.args else None
    reason = cause.reason if isinstance(cause, MaxRetryError) else cause
    # Refused, unresolvable host (NameResolutionError is a NewConnectionError), no route.
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _transport_error(exc: requests.RequestException) -> AceDataError:
    if _never_sent(exc):
        return AceDataError.of("upstream_unreachable")
    if isinstance(exc, requests.Timeout):
        return AceDataError.of("upstream_timeout", outcome_unknown=True)
    return AceDataError.of("upstream_disconnected", outcome_unknown=True)


class AceDataClient:
    def __init__(self, base_url=None, token=None, connect_timeout=None, read_timeout=None):
        self.base_url = (base_url or settings.ACEDATACLOUD_BASE_URL).rstrip("/")
        self._token = token or settings.ACEDATACLOUD_API_TOKEN
        self.timeout = (
            connect_timeout or settings.ACEDATACLOUD_CONNECT_TIMEOUT,
            read_timeout or settings.ACEDATACLOUD_READ_TIMEOUT,
        )
        self.session = requests.Session()
        self.session.headers.update(
            {
                "accept": "application/json",
                "content-type": "application/json",
                "user-agent": "luma-studio/1.0",
            }
        )

    def __repr__(self):
        return f"<AceDataClient {self.base_url}>"

    @metrics.timed_upstream
    def _post(self, path: str, payload: dict) -> dict:
        url = f"{self.base_url}{path}"
        headers = {"authorization": f"Bearer {self._token}"}
        try:
            response = self.session.post(url, json=payload, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise _transport_error(exc)
        logger.info("AceDataCloud POST %s -> %s", path, response.status_code)
        if response.status_code >= 400:
            raise _error_from_response(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # A 200 we cannot read is no refusal: the job may have been accepted.
            raise AceDataError.of("malformed_response", outcome_unknown=True)
        return body

    def submit(self, payload: dict) -> str:
        """Start a job asynchronously and return its task id."""
        body = self._post("/luma/videos", payload)
        refusal = wire.read_refusal(body)
        if refusal is not None:
            raise AceDataError(
                refusal.message, code=refusal.code, permanent=True, detail=refusal.detail
            )
        task_id = wire.accepted_task_id(body)
        if task_id is None:
            raise AceDataError(
                wire.FRIENDLY["malformed_response"],
                code="malformed_response",
                outcome_unknown=True,
                detail=wire.gettext_noop("it accepted the job but sent no task id"),
            )
        return task_id

    def retrieve(self, task_id: str) -> dict | None:
        """Return the task record, or None when AceDataCloud does not know the id."""
        body = self._post("/luma/tasks", {"action": "retrieve", "id": task_id})
        return body if body.get("id") or body.get("response") else None

    def retrieve_batch(self, task_ids: list[str]) -> dict[str, dict]:
        """Return {task_id: record} for the ids AceDataCloud knows, in calls of at most 50."""
        records = {}
        for start in range(0, len(task_ids), MAX_BATCH):
            chunk = task_ids[start : start + MAX_BATCH]
            body = self._post("/luma/tasks", {"action": "retrieve_batch", "ids": chunk})
            items = body.get("items")
            if not isinstance(items, list):
                raise AceDataError.of("malformed_response")
            for item in items:
                if isinstance(item, dict) and item.get("id"):
                    records[item["id"]] = item
        return records


@dataclass
class Download:
    size: int
    sha256: str
    content_type: str


MAX_REDIRECTS = 3
CHUNK = 64 * 1024


def download(url: str, dest, *, max_bytes: int, content_types: set[str]) -> Download:
    """Stream one of AceDataCloud's result files into dest (a binary file), checking it.

    Only addresses the media guard allows are requested, redirects included (each hop
    is checked again); the size cap and the content type are enforced while streaming,
    so memory stays flat however large the file. The whole download, headers included,
    has MEDIA_FETCH_TOTAL_TIMEOUT seconds: a server that trickles a byte now and then
    (never tripping the read timeout) has its connection cut when the time is up.
    """
    limit = settings.MEDIA_FETCH_TOTAL_TIMEOUT
    watchdog = _Watchdog(limit)
    # A session (and so a connection) of its own: nothing pooled from an earlier download
    # can be stale, and the watchdog knows exactly which sockets are this download's.
    session = netguard.MEDIA.session(on_connect=watchdog.sockets.append)
    try:
        return _download(session, url, dest, max_bytes, content_types)
    except (AceDataError, OSError) as exc:
        if watchdog.expired.is_set():
            raise AceDataError(
                f"The download did not finish within {limit:g} seconds", code="media_deadline"
            )
        if isinstance(exc, AceDataError):
            raise
        raise AceDataError(f"The download broke off ({type(exc).__name__})", code="media_fetch")
    finally:
        watchdog.stop()
        session.close()


class _Watchdog:
    """Cuts a download's connections once `seconds` have passed."""

    def __init__(self, seconds: float):
        self.expired = threading.Event()
        self.sockets = []
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self):
        self.expired.set()
        for sock in list(self.sockets):
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self.timer.cancel()


def _download(session, url, dest, max_bytes, content_types) -> Download:
    timeout = (settings.MEDIA_FETCH_CONNECT_TIMEOUT, settings.MEDIA_FETCH_READ_TIMEOUT)
    headers = {"connection": "close"}  # one file per connection, then it is closed
    for _ in range(MAX_REDIRECTS + 1):
        try:
            netguard.MEDIA.check_url(url)
            response = session.get(
                url, stream=True, timeout=timeout, allow_redirects=False, headers=headers
            )
        except netguard.AddressError as exc:
            raise AceDataError(str(exc), code="media_address", permanent=True)
        except OSError as exc:
            # requests' own errors are OSErrors too: DNS, refused, timeouts.
            raise AceDataError(f"Could not fetch the file ({type(exc).__name__})", "media_fetch")
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("location", ""))
                continue
            return _stream(response, dest, max_bytes, content_types)
    raise AceDataError("The file server redirected too many times", code="media_redirects")


def _stream(response, dest, max_bytes, content_types) -> Download:
    status = response.status_code
    if status != 200:
        raise AceDataError(f"The file server answered HTTP {status}", code=f"media_http_{status}")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in content_types:
        wanted = ", ".join(sorted(content_types))
        raise AceDataError(
            f"The file is {ctype or 'of no stated type'}, not one of {wanted}",
            code="media_content_type",
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise AceDataError(_too_large(max_bytes), code="media_too_large")
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise AceDataError(_too_large(max_bytes), code="media_too_large")
            digest.update(chunk)
            _write(dest, chunk)
    except requests.RequestException as exc:
        raise AceDataError(f"The download broke off ({type(exc).__name__})", code="media_fetch")
    return Download(size=size, sha256=digest.hexdigest(), content_type=ctype)


def _write(dest, chunk):
    try:
        dest.write(chunk)
    except OSError as exc:  # a full or read-only disk: ours, not the file server's fault
        raise AceDataError(f"Could not write the file: {exc.strerror or exc}", "media_storage")


def _too_large(max_bytes) -> str:
    return f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit"


_local = threading.local()


def get_client() -> AceDataClient:
    """The client for this thread: requests.Session is not documented as thread-safe."""
    client = getattr(_local, "client", None)
    key = (
        settings.ACEDATACLOUD_BASE_URL,
        settings.ACEDATACLOUD_API_TOKEN,
        settings.ACEDATACLOUD_CONNECT_TIMEOUT,
        settings.ACEDATACLOUD_READ_TIMEOUT,
    )
    if client is None or getattr(_local, "key", None) != key:
        client = _local.client = AceDataClient()
        _local.key = key
    return client
