"""AceDataCloud's bodies, built from our own rows: results (3a/3c), task records (4), errors (5).

Only fields we own go out: task_id is our Video.id, trace_id our GatewayJob.trace_id, and
the record's _id/api_id/user_id are derived from our ids. The upstream task id, upstream
trace id, the site's token and the per-job webhook secret are never read here.
"""

import uuid

from videos import wire
from videos.models import Video

from .errors import GatewayError

# A failed job's code -> the status a synchronous call answers. Codes about the site's own
# AceDataCloud credential (invalid_token, disabled, ...) become 500: a 401 would tell the
# client that *their* token is wrong.
FAILURE_STATUSES = {
    "bad_request": 400,
    "forbidden": 403,
    "used_up": 403,
    "too_many_requests": 429,
    "timeout": 504,
}

# Fixed so that records look alike across calls; derived, not AceDataCloud's.
API_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "luma-studio:/luma/videos"))


def trace_id_for(video: Video) -> str:
    job = getattr(video, "gateway_job", None)
    if job is not None:
        return str(job.trace_id)
    # Jobs made on the website have no gateway row; a derived id keeps them stable.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"luma-studio:video:{video.pk}"))


def _seconds(moment) -> float | None:
    return round(moment.timestamp(), 3) if moment else None


def error_body(exc: GatewayError) -> dict:
    """The synchronous error body of spec section 5 (no `success` key)."""
    return wire.error_body(exc.code, exc.message, exc.trace_id)


def success_body(video: Video) -> dict:
    """The 3a body plus the 3c extras: what a sync call returns and a callback carries."""
    return {
        "success": True,
        "task_id": str(video.pk),
        "video_id": video.video_id,
        "prompt": video.prompt,
        "state": "completed",
        "video_url": video.video_url,
        "video_width": video.video_width,
        "video_height": video.video_height,
        "thumbnail_url": video.thumbnail_url,
        "thumbnail_width": video.thumbnail_width,
        "thumbnail_height": video.thumbnail_height,
        "trace_id": trace_id_for(video),
    }


def failure_error(video: Video) -> dict:
    return {
        "code": video.error_code or "api_error",
        "message": video.error_message or "The video could not be made.",
    }


def failure_body(video: Video) -> dict:
    """The 3c failure body."""
    return {
        "success": False,
        "task_id": str(video.pk),
        "trace_id": trace_id_for(video),
        "error": failure_error(video),
    }


def callback_body(video: Video) -> dict:
    return success_body(video) if video.state == Video.State.COMPLETED else failure_body(video)


def record_response(video: Video) -> dict | None:
    """A task record's `response`: absent while in flight, the final body once done."""
    if video.state == Video.State.COMPLETED:
        return success_body(video)
    if video.state == Video.State.FAILED:
        # `state` too, as the MCP server and Nexior read response.state (spec 3d).
        return {**failure_body(video), "state": "failed"}
    return None


def original_request(video: Video) -> dict:
    """The body the client sent; for a job made on the website, the equivalent body."""
    job = getattr(video, "gateway_job", None)
    if job is not None:
        return job.request_body
    body = {
        "action": video.action,
        "prompt": video.prompt or None,
        "aspect_ratio": video.aspect_ratio,
        "loop": video.loop,
        "enhancement": video.enhancement,
        "start_image_url": video.start_image_url or None,
        "end_image_url": video.end_image_url or None,
        "video_id": video.source_video_id or None,
        "video_url": video.source_video_url or None,
    }
    return {key: value for key, value in body.items() if value is not None}


def task_record(video: Video) -> dict:
    """The task record of spec section 4 for one of the caller's videos."""
    started = video.submitted_at or video.created_at
    record = {
        "_id": video.pk.hex[:24],
        "id": str(video.pk),
        "api_id": API_ID,
        "user_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"luma-studio:user:{video.owner_id}")),
        "trace_id": trace_id_for(video),
        "created_at": _seconds(video.created_at),
        "started_at": _seconds(started),
        "request": original_request(video),
    }
    if video.is_terminal and video.completed_at:
        # Rounded to the millisecond each, a job finishing within one could read as ending
        # before it started.
        record["finished_at"] = max(_seconds(video.completed_at), record["started_at"])
        record["elapsed"] = round(record["finished_at"] - record["started_at"], 3)
    response = record_response(video)
    if response is not None:
        record["response"] = response
        # The real `luma wait` reads data.state: a copy of the response under that name too.
        record["data"] = dict(response)
    return record


def sync_error_for(video: Video) -> GatewayError:
    """How a synchronous call answers a job that failed: its code, with the documented status."""
    error = failure_error(video)
    status = FAILURE_STATUSES.get(error["code"], 500)
    return GatewayError(error["code"], error["message"], status, trace_id=trace_id_for(video))
