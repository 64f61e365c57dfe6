"""GET /events/: a signed-in person's live updates, as Server-Sent Events.

An async view, served by the ASGI processes (uvicorn workers): a stream costs a coroutine
and a queue, never a thread. It subscribes to this process's hub (videos/events.py) for
the signed-in person only, so nobody ever receives another person's events, and within
LIVE_STREAMS_PER_USER and LIVE_STREAMS_PER_PROCESS (past either: 429, and the page polls).

Each message is `event: video` (or `ended` when the job completed or failed) with the same
JSON the page polls (GET /api/v1/videos/<id>/), read as its owner when the notification
arrives; `gone` when it was deleted; `resync` when something may have been missed (the
listener was away, the stream fell behind, or a Last-Event-ID no longer kept): the page
reads itself again. A stream reconnecting with Last-Event-ID (the browser sends it; the
`last_event_id` parameter does the same for a new EventSource) first gets what it missed.
"""

import asyncio
import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import events
from .api.serializers import VideoSerializer
from .models import Video

RETRY_MS = 2000  # how soon a browser reconnects after a cut
LISTENER_WAIT_SECONDS = 5.0


def _refusal(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


@require_GET
async def stream(request):
    user = await request.auser()
    if not user.is_authenticated:
        return _refusal(_("Log in to receive live updates."), "not_authenticated", 401)
    if not events.pushing() or not isinstance(request, ASGIRequest):
        # SQLite: nothing to listen to (the page is told no stream URL). A threaded server
        # would hold a thread per stream and hand nothing on until it ended: the proxy should
        # send /events/ to the live processes; meanwhile the page polls.
        return _refusal(_("Live updates are off on this site."), "live_updates_off", 404)
    try:
        subscription = events.hub().subscribe(user.pk)
    except events.TooManyStreams as exc:
        return _refusal(exc.message, exc.code, 429)
    await sync_to_async(events.release_connections)()  # the session's: held for minutes else
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id", "")
    response = StreamingHttpResponse(
        _messages(request, user, subscription, last_id[:64]), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on at once
    # Runs however the stream ends (the browser left, the server stops), even unstarted.
    response._resource_closers.append(subscription.close)
    return response


async def _messages(request, user, subscription, last_id):
    try:
        hub = subscription.hub
        yield f"retry: {RETRY_MS}\n\n"
        if not await hub.wait_listening(LISTENER_WAIT_SECONDS):
            return  # nothing would arrive: the browser polls, and tries again
        if last_id:
            missed = hub.since(user.pk, last_id)
            if missed is None:
                yield _message("resync", {}, None)
            else:
                for event in missed:
                    yield await _video_message(request, user, event)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.LIVE_STREAM_SECONDS
        while (left := deadline - loop.time()) > 0:
            event = await subscription.next(min(settings.LIVE_KEEPALIVE_SECONDS, left))
            if event is None:
                if not hub.listening.is_set():
                    return  # the listener lost its connection: poll until it is back
                yield ": keep-alive\n\n"
            elif event is events.RESYNC:
                yield _message("resync", {}, None)
            else:
                yield await _video_message(request, user, event)
    finally:
        subscription.close()


async def _video_message(request, user, event: dict) -> str:
    data = await events.off_the_request(_video_json)(request, user, event.get("video"))
    if data is None:
        return _message("gone", {"id": event.get("video")}, event.get("id"))
    kind = "ended" if event.get("kind") == "ended" else "video"
    return _message(kind, data, event.get("id"))


def _video_json(request, user, video_id) -> dict | None:
    """The job as GET /api/v1/videos/<id>/ shows it to its owner; None if not theirs (any more)."""
    try:
        video = Video.objects.for_user(user).filter(pk=video_id).first()
    except (ValueError, TypeError):
        return None
    if video is None:
        return None
    return VideoSerializer(video, context={"request": request}).data


def _message(kind: str, data: dict, event_id: str | None) -> str:
    body = json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {kind}\ndata: {body}\n\n"


class _Encoder(json.JSONEncoder):
    def default(self, o):
        return str(o)  # UUIDs and datetimes, as DRF's renderer writes them (ISO 8601)
