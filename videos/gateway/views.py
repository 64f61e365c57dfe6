"""POST /luma/videos and POST /luma/tasks, answering exactly as AceDataCloud does.

Plain Django views rather than DRF: the bodies, statuses and the 401 must be AceDataCloud's,
byte for byte in shape, not DRF's. Token-authenticated APIs, so no CSRF.
"""

import logging
import math
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import JsonResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from videos import error_views, events
from videos.models import Video
from videos.throttles import submit_wait

from . import jobs, shapes
from .auth import user_for
from .errors import GatewayError, bad_request
from .intake import SYNC, read_json, video_call

logger = logging.getLogger(__name__)


def error_response(exc: GatewayError) -> JsonResponse:
    return JsonResponse(shapes.error_body(exc), status=exc.status)


@method_decorator(csrf_exempt, name="dispatch")
class GatewayView(View):
    def dispatch(self, request, *args, **kwargs):
        # AceDataCloud answers in English, whatever the client's Accept-Language: so do we.
        with translation.override("en"):
            return self._dispatch(request)

    def _dispatch(self, request):
        try:
            if request.method != "POST":
                raise GatewayError("no_api")
            user = user_for(request)
            return self.answer(user, read_json(request))
        except GatewayError as exc:
            return error_response(exc)
        except error_views.UNREACHABLE:
            return error_views.unavailable_json(request.path)
        except Exception:
            # Clients parse every answer as JSON: even our own bug gets AceDataCloud's shape.
            logger.exception("Gateway %s failed", request.path)
            return error_response(GatewayError("api_error"))

    def answer(self, user, payload: dict) -> JsonResponse:
        raise NotImplementedError


@dataclass
class Waiting:
    """A synchronous call accepted, holding a seat in the waiting room: wait for its job."""

    video: Video
    owner_id: int
    timeout: float


@method_decorator(csrf_exempt, name="dispatch")
class VideosView(GatewayView):
    """Generate or extend: sync (3a), async or callback (3b).

    An async view: a synchronous call is read and accepted like any other (in a thread, as
    GatewayView does), then waits for its job's end as a coroutine, woken by the job's
    notification under ASGI, so it holds neither a thread nor a database connection.
    """

    view_is_async = True

    async def dispatch(self, request, *args, **kwargs):
        asgi = isinstance(request, ASGIRequest)
        # Under ASGI on the shared pool: a burst of calls opens as many database connections
        # as the pool has threads, not one per call.
        outcome = await events.off_the_request(self._accept, asgi)(request)
        if not isinstance(outcome, Waiting):
            return outcome
        if asgi:  # what the middleware opened in the request's own thread
            await sync_to_async(events.release_connections)()
        with translation.override("en"):
            try:
                return await self._wait(outcome, asgi)
            except GatewayError as exc:
                return error_response(exc)
            except error_views.UNREACHABLE:
                return error_views.unavailable_json(request.path)
            except Exception:
                logger.exception("Gateway %s failed while waiting", request.path)
                return error_response(GatewayError("api_error"))

    def _accept(self, request):
        return GatewayView.dispatch(self, request)

    def answer(self, user, payload):
        wait = submit_wait(self.request, user)
        if wait is not None:
            raise GatewayError(
                "too_many_requests",
                f"Too many videos requested in a short time. Retry in {math.ceil(wait)} seconds.",
            )
        call = video_call(payload)
        if call.mode != SYNC:
            video = jobs.submit(user, call)
            return JsonResponse({"task_id": str(video.pk)})
        # Take a seat before submitting, so a full server charges no quota.
        jobs.waiting_room.take()
        try:
            video = jobs.submit(user, call)
        except BaseException:
            jobs.waiting_room.release()
            raise
        return Waiting(video, user.pk, call.timeout)

    async def _wait(self, waiting: Waiting, asgi: bool) -> JsonResponse:
        try:
            video, done = await jobs.wait_until_done(
                waiting.video.pk, waiting.owner_id, waiting.timeout, asgi
            )
        finally:
            jobs.waiting_room.release()
            try:
                await events.off_the_request(jobs.stop_waiting, asgi)(waiting.video.pk)
            except Exception:  # it stops counting at its waiting_until anyway
                logger.exception("Could not mark job %s as no longer waited for", waiting.video.pk)
        if not done:
            raise jobs.timeout_error(video, waiting.timeout)
        if video.state == Video.State.COMPLETED:
            return JsonResponse(shapes.success_body(video))
        raise shapes.sync_error_for(video)


class TasksView(GatewayView):
    """retrieve and retrieve_batch (spec 4), over the caller's own jobs only.

    An id that is unknown, malformed or another user's is answered like AceDataCloud's
    simulator answers an unknown id: 200 with {} (retrieve), or left out of `items`
    (retrieve_batch). The answer is the same in all three cases, so nobody can probe
    which ids exist.
    """

    def answer(self, user, payload):
        action = payload.get("action", "retrieve")
        if action == "retrieve":
            task_id = payload.get("id")
            if not isinstance(task_id, str) or not task_id:
                raise bad_request("id is required: the task_id to retrieve.")
            videos = jobs.own_videos(user, [task_id])
            return JsonResponse(shapes.task_record(videos[0]) if videos else {})
        if action == "retrieve_batch":
            items = [shapes.task_record(v) for v in jobs.own_videos(user, jobs.task_ids(payload))]
            return JsonResponse({"items": items, "count": len(items)})
        raise bad_request("action must be one of: retrieve, retrieve_batch.")
