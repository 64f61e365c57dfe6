"""Deliver task results to callback URLs the way AceDataCloud does: a plain JSON POST."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

logger = logging.getLogger("videos.simulator")

# Straight to the target, ignoring *_proxy variables: AceDataCloud's servers post directly, and a
# proxy from the environment would misroute loopback webhooks.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def safe_target(url: str) -> str:
    """Return scheme://host of a callback URL for logs; the path may carry a per-job secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def deliver(
    url: str,
    body: dict,
    *,
    attempts: int,
    backoff: float,
    timeout: float,
    stopping: threading.Event,
    record: Callable[[dict], None],
) -> bool:
    """POST `body` to `url`, retrying non-2xx answers and network errors with back-off.

    AceDataCloud documents no retries; we retry a few times anyway so a webhook that was
    briefly down in development still gets its result, and tests can pin the duplicate handling.
    Returns whether some attempt got a 2xx. Never raises.
    """
    data = json.dumps(body).encode()
    task_id = body.get("task_id")
    for attempt in range(1, attempts + 1):
        status, error = None, None
        # S310: callback_url was checked to be http(s) when the task was accepted.
        request = urllib.request.Request(  # noqa: S310
            url,
            data=data,
            method="POST",
            headers={"content-type": "application/json", "user-agent": "acedata-luma-simulator"},
        )
        try:
            with _opener.open(request, timeout=timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except Exception as exc:  # connection refused, timeout, bad URL: all just "failed"
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        record({"task_id": task_id, "attempt": attempt, "status": status, "error": error, "ok": ok})
        if ok:
            logger.info("callback for task %s to %s answered %s", task_id, safe_target(url), status)
            return True
        logger.warning(
            "callback for task %s to %s failed (attempt %d/%d): %s",
            task_id,
            safe_target(url),
            attempt,
            attempts,
            error or f"HTTP {status}",
        )
        if attempt < attempts and stopping.wait(backoff * 2 ** (attempt - 1)):
            break
    return False
