"""The one module that speaks HTTP to AceDataCloud's Luma API.

Every failure becomes an AceDataError carrying a readable message, the
upstream code and whether retrying could help. The token is never logged.
"""

import hashlib
import logging
import threading
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings

from . import metrics, netguard, wire

logger = logging.getLogger(__name__)

MAX_BATCH = 50  # ids per retrieve_batch call (AceDataCloud's MCP server's advice)


@dataclass
class AceDataError(Exception):
    message: str
    code: str = "upstream_error"
    status: int | None = None
    permanent: bool = False

    def __str__(self):
        return self.message


def _error_from_response(response) -> AceDataError:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = wire.read_error(response.status_code, body)
    return AceDataError(
        error.message, code=error.code, status=response.status_code, permanent=error.permanent
    )


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
        except requests.Timeout:
            raise AceDataError("AceDataCloud did not answer in time", code="upstream_timeout")
        except requests.ConnectionError:
            raise AceDataError("Could not connect to AceDataCloud", code="upstream_unreachable")
        except requests.RequestException as exc:
            raise AceDataError(f"Talking to AceDataCloud failed ({type(exc).__name__})")
        logger.info("AceDataCloud POST %s -> %s", path, response.status_code)
        if response.status_code >= 400:
            raise _error_from_response(response)
        try:
            body = response.json()
        except ValueError:
            raise AceDataError(
                "AceDataCloud sent a response Luma Studio could not read", code="malformed_response"
            )
        if not isinstance(body, dict):
            raise AceDataError(
                "AceDataCloud sent a response Luma Studio could not read", code="malformed_response"
            )
        return body

    def submit(self, payload: dict) -> str:
        """Start a job asynchronously and return its task id."""
        body = self._post("/luma/videos", payload)
        refusal = wire.read_refusal(body)
        if refusal is not None:
            raise AceDataError(refusal.message, code=refusal.code, permanent=True)
        task_id = wire.accepted_task_id(body)
        if task_id is None:
            raise AceDataError(
                "AceDataCloud accepted the job but sent no task id", code="malformed_response"
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
                raise AceDataError(
                    "AceDataCloud sent a task list Luma Studio could not read",
                    code="malformed_response",
                )
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
    so memory stays flat however large the file.
    """
    session = _media_session()
    timeout = (settings.MEDIA_FETCH_CONNECT_TIMEOUT, settings.MEDIA_FETCH_READ_TIMEOUT)
    for _ in range(MAX_REDIRECTS + 1):
        try:
            netguard.MEDIA.check_url(url)
            response = session.get(url, stream=True, timeout=timeout, allow_redirects=False)
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
            dest.write(chunk)
    except requests.RequestException as exc:
        raise AceDataError(f"The download broke off ({type(exc).__name__})", code="media_fetch")
    return Download(size=size, sha256=digest.hexdigest(), content_type=ctype)


def _too_large(max_bytes) -> str:
    return f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit"


_local = threading.local()


def _media_session() -> requests.Session:
    session = getattr(_local, "media_session", None)
    if session is None:
        session = _local.media_session = netguard.MEDIA.session()
    return session


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
