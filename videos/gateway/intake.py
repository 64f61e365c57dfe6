"""Read an AceDataCloud request body: size, JSON, types, and which of the three modes it asks for.

Everything wrong with a body becomes a GatewayError (400/413), never an exception that
would surface as a 500. The rules for the video fields themselves stay in videos.validation.
"""

import json
from dataclasses import dataclass

from django.conf import settings

from videos import wire
from videos.models import Video
from videos.netguard import CALLBACKS
from videos.netguard import AddressError as CallbackAddressError

from .errors import GatewayError, bad_request

# The /luma/videos fields that become a job; anything else (model, image_urls, ...) is
# kept in the task record's `request` but otherwise ignored, as AceDataCloud does.
JOB_FIELDS = ("action", *Video.SETTINGS, "video_id", "video_url")
SYNC, ASYNC, CALLBACK = "sync", "async", "callback"


@dataclass
class VideoCall:
    body: dict  # as the client sent it
    data: dict  # what videos.services.submit takes
    mode: str
    callback_url: str = ""
    timeout: float = 0.0  # how long a synchronous call may wait


def read_json(request) -> dict:
    """The request's JSON object, or AceDataCloud's bad_request (413 when too large)."""
    limit = settings.GATEWAY_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _too_large(limit)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        payload = wire.loads(raw)
    except (RecursionError, json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request()  # AceDataCloud's own answer to a body that is not JSON
    except ValueError as exc:  # JSON, but with a number nothing can store (wire.loads)
        raise bad_request(f"The json payload is not valid to request the API: {exc}.")
    if not isinstance(payload, dict):
        raise bad_request()
    _check_storable(payload)
    return payload


def _too_large(limit: int) -> GatewayError:
    return GatewayError(
        "bad_request",
        f"The request body is larger than {limit // 1024} KB; send only the documented fields.",
        status=413,
    )


def _check_storable(payload: dict) -> None:
    """Refuse strings a database cannot store (NUL, lone surrogates) anywhere in the body."""
    stack: list = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise bad_request("Remove the NUL (\\u0000) characters from the request.")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise bad_request("The request contains text that is not valid Unicode.")


def _optional_bool(payload: dict, name: str) -> bool | None:
    value = payload.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise bad_request(f"{name} must be true or false.")


def _sync_timeout(payload: dict) -> float:
    """The body's `timeout` may shorten the wait, never lengthen it past the site's limit."""
    limit = float(settings.GATEWAY_SYNC_TIMEOUT_SECONDS)
    value = payload.get("timeout")
    if value is None:
        return limit
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise bad_request("timeout must be a positive number of seconds.")
    return min(float(value), limit)


def _callback_url(payload: dict) -> str:
    value = payload.get("callback_url")
    if value is None or value == "":
        return ""
    try:
        return CALLBACKS.check_url(value)
    except CallbackAddressError as exc:
        raise bad_request(str(exc))
    except OSError:
        host = value.split("//", 1)[-1].split("/", 1)[0][:100]
        raise bad_request(
            f"callback_url's host {host} could not be found. "
            "Use an address reachable from the internet."
        )


def video_call(payload: dict) -> VideoCall:
    """Check a /luma/videos body and decide its mode (spec 3a, 3b)."""
    action = payload.get("action")
    if action is not None and action not in ("generate", "extend"):
        raise bad_request("action must be one of: generate, extend.")
    data = {name: payload[name] for name in JOB_FIELDS if payload.get(name) is not None}
    if action == "extend":
        if not (data.get("video_id") or data.get("video_url")):
            raise bad_request("video_id or video_url is required: say which video to extend.")
        if data.get("video_id"):
            data.pop("video_url", None)  # "If specified, will use video_id instead of video_url"
    is_async = _optional_bool(payload, "async")
    timeout = _sync_timeout(payload)
    callback_url = _callback_url(payload)
    if callback_url:
        mode = CALLBACK
    elif is_async:
        mode = ASYNC
    else:
        mode = SYNC
    return VideoCall(payload, data, mode, callback_url, timeout)
