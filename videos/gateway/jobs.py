"""The gateway's flows: accept a job through videos.services, wait for it, read records back."""

import asyncio
import logging
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from videos import events, services
from videos.errors import AccountNotReady, InvalidRequest, NotFound, QuotaExceeded, ServiceError
from videos.models import GatewayJob, Video

from .errors import GatewayError, bad_request
from .intake import CALLBACK, SYNC, VideoCall

logger = logging.getLogger(__name__)
MAX_BATCH = 100
WAIT_MARGIN_SECONDS = 30  # past its timeout, a waiting call no longer counts, answered or not
RECHECK_SECONDS = 30.0  # a waiting call reads its job at least this often, notified or not


def _field_message(exc: InvalidRequest) -> str:
    """One line naming each bad field and what to do, in the gateway's field names."""
    parts = []
    for name, messages in exc.fields.items():
        # The site's `parent` is the gateway's video_id (the gateway has no parent field).
        name = "video_id" if name == "parent" else name
        parts.append(f"{name}: {' '.join(messages)}")
    return "; ".join(parts)


def _gateway_error(exc: ServiceError) -> GatewayError:
    """The service's refusal in AceDataCloud's codes: what its clients already understand."""
    if isinstance(exc, InvalidRequest):
        return bad_request(_field_message(exc))
    if isinstance(exc, NotFound):
        return bad_request(f"video_id: {exc.message} Extend one of your own videos.")
    if isinstance(exc, QuotaExceeded):
        return GatewayError("used_up", exc.message)
    if isinstance(exc, AccountNotReady):
        # AceDataCloud's 403 for "this account may not do that"; the message says why.
        return GatewayError("forbidden", exc.message)
    if exc.status == 429:  # the in-flight cap, and any other "not now"
        return GatewayError("too_many_requests", exc.message)
    return bad_request(exc.message)


def submit(user, call: VideoCall) -> Video:
    """Create the job and its gateway row in one transaction, or raise a GatewayError.

    One transaction, so the worker can never finish a job (and announce its end) before
    the row saying where to deliver its callback exists. It also holds the user's quota
    lock (taken by the service), which makes the count of their waiting synchronous calls
    exact across processes: a refused call rolls back, job and charge alike.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            video = services.submit(user, call.data)
            waiting_until = None
            if call.mode == SYNC:
                _check_waiting_calls(user, now)
                waiting_until = now + timedelta(seconds=call.timeout + WAIT_MARGIN_SECONDS)
            GatewayJob.objects.create(
                video=video,
                mode=call.mode,
                request_body=call.body,
                callback_url=call.callback_url,
                delivery_state=(
                    GatewayJob.Delivery.PENDING
                    if call.mode == CALLBACK
                    else GatewayJob.Delivery.NONE
                ),
                waiting_until=waiting_until,
            )
    except ServiceError as exc:
        raise _gateway_error(exc)
    logger.info("Gateway accepted %s job %s for user %s", call.mode, video.pk, user.pk)
    return video


def _check_waiting_calls(user, now):
    waiting = GatewayJob.objects.filter(video__owner=user, waiting_until__gt=now).count()
    cap = settings.GATEWAY_SYNC_MAX_WAITING_PER_USER
    if waiting >= cap:
        raise GatewayError(
            "too_many_requests",
            f"You already have {waiting} synchronous requests waiting (the most at once is "
            f'{cap}). Send "async": true (or a callback_url) and poll /luma/tasks, or retry '
            "when one has answered.",
        )


def stop_waiting(video_id) -> None:
    """The synchronous call for this job has answered (or given up)."""
    GatewayJob.objects.filter(pk=video_id).update(waiting_until=None)


# --- synchronous calls ----------------------------------------------------------------------
class WaitingRoom:
    """Bounds how many synchronous calls one process holds open at once.

    In a threaded (WSGI) process each waiting call occupies a thread: without a bound a few
    scripts could take every thread. In an ASGI process a call waits as a coroutine, and
    the bound (GATEWAY_SYNC_MAX_WAITING) is about memory, in the thousands.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.waiting = 0

    def take(self) -> None:
        with self._lock:
            if self.waiting >= settings.GATEWAY_SYNC_MAX_WAITING:
                raise GatewayError(
                    "too_many_requests",
                    "Too many synchronous requests are waiting on this server. Send "
                    '"async": true (or a callback_url) and poll /luma/tasks, or retry shortly.',
                )
            self.waiting += 1

    def release(self) -> None:
        with self._lock:
            self.waiting -= 1


waiting_room = WaitingRoom()


def _current(video_id) -> Video:
    video = Video.objects.select_related("gateway_job").filter(pk=video_id).first()
    if video is None:
        raise GatewayError("api_error", "The video was deleted while this call waited for it.")
    return video


async def wait_until_done(video_id, owner_id, timeout: float, asgi: bool) -> tuple[Video, bool]:
    """Wait for the job to end: (the job, True), or (the job, False) after `timeout` s.

    Under ASGI where changes are pushed, the call sleeps on the process's hub
    (videos/events.py) until a notification about the job arrives, re-reading the row at
    least every RECHECK_SECONDS in case one was lost. Otherwise (or while the listener is
    reconnecting) it reads the row about once a second.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    read = events.off_the_request(_current, asgi)
    subscription = None
    if asgi and events.pushing():
        subscription = events.hub().subscribe(owner_id, stream=False)
    try:
        pause = 0.25
        while True:
            video = await read(video_id)
            if video.is_terminal:
                return video, True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return video, False
            if subscription is not None and subscription.hub.listening.is_set():
                await _news_about(subscription, str(video_id), min(remaining, RECHECK_SECONDS))
            else:
                await _pause(min(pause, remaining))
                pause = min(pause * 1.5, 1.0)
    finally:
        if subscription is not None:
            subscription.close()


async def _pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _news_about(subscription, video_id: str, timeout: float) -> None:
    """Return when a notification about this job (or a call to read again) arrives."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (left := deadline - loop.time()) > 0:
        event = await subscription.next(left)
        if event is None or event is events.RESYNC or event.get("video") == video_id:
            return


def timeout_error(video: Video, timeout: float) -> GatewayError:
    return GatewayError(
        "timeout",
        f"The video was not ready within {timeout:g} seconds. It is still being made: "
        f'retrieve it with /luma/tasks {{"action": "retrieve", "id": "{video.pk}"}}.',
        trace_id=str(video.gateway_job.trace_id),
    )


# --- task records ---------------------------------------------------------------------------
def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def own_videos(user, ids: list) -> list[Video]:
    """The caller's videos among `ids`, in the order asked; others' and unknown ids are skipped."""
    wanted = [u for u in map(_uuid, dict.fromkeys(ids)) if u is not None]
    found = Video.objects.for_user(user).filter(pk__in=wanted).select_related("gateway_job")
    by_id = {video.pk: video for video in found}
    return [by_id[u] for u in wanted if u in by_id]


def task_ids(payload: dict) -> list[str]:
    ids = payload.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_request("ids is required: a list of task ids.")
    if len(ids) > MAX_BATCH:
        raise bad_request(f"ids may hold at most {MAX_BATCH} task ids; split the batch.")
    return ids
