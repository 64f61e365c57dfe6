"""POST a finished gateway job's result (spec 3c) to the client's callback_url, with back-off.

Each attempt is claimed with a compare-and-set on (delivery_state, delivery_attempts), so a
duplicated task can never send the same attempt twice. Any answer but 2xx is retried with
exponential back-off up to CALLBACK_MAX_ATTEMPTS; an address that breaks the rules of
videos/netguard.py is given up at once. Redirects are never followed: a 3xx is a failed attempt.
Log lines name the job and the callback's host, never its path or query (a client's own
secret may live there), and nothing here ever sees the site's AceDataCloud token.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from videos import retry
from videos.models import GatewayJob, Video
from videos.netguard import CALLBACKS
from videos.netguard import AddressError as CallbackAddressError

from . import shapes

logger = logging.getLogger(__name__)
USER_AGENT = "luma-studio-gateway/1.0"
CHUNK = 8192


@dataclass
class Attempt:
    ok: bool
    detail: str  # for last_delivery_error and the log: status or reason, no URL
    permanent: bool = False


def _session() -> requests.Session:
    return CALLBACKS.session()


def _drain(response: requests.Response) -> int:
    """Read at most CALLBACK_MAX_RESPONSE_BYTES of the answer within the read timeout."""
    limit = settings.CALLBACK_MAX_RESPONSE_BYTES
    deadline = time.monotonic() + settings.CALLBACK_READ_TIMEOUT
    read = 0
    while read < limit and time.monotonic() < deadline:
        chunk = response.raw.read(min(CHUNK, limit - read), decode_content=False)
        if not chunk:
            break
        read += len(chunk)
    return read


def post(url: str, body: dict) -> Attempt:
    """One delivery attempt; every outcome becomes an Attempt, never an exception."""
    try:
        CALLBACKS.check_url(url)
    except CallbackAddressError as exc:
        return Attempt(False, str(exc)[:300], permanent=True)
    except OSError:
        return Attempt(False, "the callback host did not resolve")
    data = json.dumps(body).encode()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    timeout = (settings.CALLBACK_CONNECT_TIMEOUT, settings.CALLBACK_READ_TIMEOUT)
    session = _session()
    try:
        with session.post(
            url, data=data, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            _drain(response)
            status = response.status_code
    except CallbackAddressError as exc:  # the connect-time check (DNS rebinding)
        return Attempt(False, str(exc)[:300], permanent=True)
    except requests.Timeout:
        return Attempt(False, "the callback timed out")
    except (requests.RequestException, OSError) as exc:
        return Attempt(False, f"could not connect ({type(exc).__name__})")
    finally:
        session.close()
    if 200 <= status < 300:
        return Attempt(True, f"HTTP {status}")
    if 300 <= status < 400:
        return Attempt(False, f"HTTP {status}: redirects are not followed")
    return Attempt(False, f"HTTP {status}")


def retry_delay(attempts: int) -> timedelta:
    return retry.retry_delay(attempts, settings.CALLBACK_RETRY_BASE_SECONDS, 3600)


def callback_host(url: str) -> str:
    """The host of a callback URL: what logs and the admin may show of it."""
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def deliver(video_id: str, attempt: int) -> str:
    """Make delivery attempt number `attempt` for a job; return what happened, for the task log."""
    pending = GatewayJob.objects.filter(
        pk=video_id, delivery_state=GatewayJob.Delivery.PENDING, delivery_attempts=attempt - 1
    )
    job = pending.select_related("video").first()
    if job is None or not job.video.is_terminal:
        return "skipped"
    if not pending.update(delivery_attempts=attempt, last_attempt_at=timezone.now()):
        return "skipped"  # another copy of this attempt got there first

    result = post(job.callback_url, shapes.callback_body(job.video))
    host = callback_host(job.callback_url)
    claimed = GatewayJob.objects.filter(
        pk=job.pk, delivery_state=GatewayJob.Delivery.PENDING, delivery_attempts=attempt
    )
    if result.ok:
        claimed.update(
            delivery_state=GatewayJob.Delivery.DELIVERED,
            delivered_at=timezone.now(),
            last_delivery_error="",
        )
        logger.info("Callback for job %s delivered to %s (%s)", job.pk, host, result.detail)
        return "delivered"
    if result.permanent or attempt >= settings.CALLBACK_MAX_ATTEMPTS:
        claimed.update(delivery_state=GatewayJob.Delivery.FAILED, last_delivery_error=result.detail)
        logger.warning(
            "Callback for job %s to %s given up after %d attempts: %s",
            job.pk,
            host,
            attempt,
            result.detail,
        )
        return "failed"
    claimed.update(last_delivery_error=result.detail)
    schedule(job.pk, attempt + 1, delay=retry_delay(attempt))
    logger.info(
        "Callback for job %s to %s failed (%s); attempt %d follows",
        job.pk,
        host,
        result.detail,
        attempt + 1,
    )
    return "retrying"


def recover_stalled(now=None, batch: int = 100) -> int:
    """Requeue deliveries whose next attempt never came: lost enqueue, or a worker that died.

    A job is stalled when nothing has happened for longer than its back-off plus the time an
    attempt can take. Requeueing touches last_attempt_at, so a delivery is requeued at most
    once per window; a duplicate attempt that still exists collapses on the attempt claim.
    """
    now = now or timezone.now()
    grace = timedelta(
        seconds=settings.CALLBACK_CONNECT_TIMEOUT + 2 * settings.CALLBACK_READ_TIMEOUT + 120
    )
    candidates = (
        GatewayJob.objects.filter(
            delivery_state=GatewayJob.Delivery.PENDING,
            video__state__in=Video.TERMINAL_STATES,
            video__completed_at__lte=now - grace,
        )
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=now - grace))
        .order_by("last_attempt_at")[:batch]
    )
    requeued = 0
    for job in candidates:
        attempts = job.delivery_attempts
        if attempts and job.last_attempt_at + retry_delay(attempts) + grace > now:
            continue  # its retry is simply not due yet
        same = GatewayJob.objects.filter(
            pk=job.pk,
            delivery_state=GatewayJob.Delivery.PENDING,
            delivery_attempts=attempts,
            last_attempt_at=job.last_attempt_at,
        )
        if attempts >= settings.CALLBACK_MAX_ATTEMPTS:
            same.update(
                delivery_state=GatewayJob.Delivery.FAILED,
                last_delivery_error="the last attempt was interrupted",
            )
            continue
        if same.update(last_attempt_at=now):
            schedule(job.pk, attempts + 1)
            requeued += 1
    if requeued:
        logger.warning("Requeued %d stalled callback deliveries", requeued)
    return requeued


@task()
def deliver_callback(video_id: str, attempt: int = 1) -> str:
    """POST one finished job's result to its client's callback_url (one attempt)."""
    return deliver(video_id, attempt)


def schedule(video_id, attempt: int, delay: timedelta | None = None) -> None:
    attempt_task = deliver_callback
    if delay:
        attempt_task = attempt_task.using(run_after=timezone.now() + delay)
    attempt_task.enqueue(str(video_id), attempt)


def start(video_id) -> None:
    """Queue the first delivery of a job that just ended, if its client asked for a callback."""
    waiting = GatewayJob.objects.filter(
        pk=video_id, delivery_state=GatewayJob.Delivery.PENDING, delivery_attempts=0
    )
    if not waiting.exists():
        return
    try:
        schedule(video_id, 1)
    except Exception:
        # recover_stalled (run by every sweep) queues it again later.
        logger.exception("Could not queue the callback for job %s", video_id)
