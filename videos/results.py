"""Read AceDataCloud's result bodies (callbacks and task responses) defensively.

The same body shape arrives by callback and inside a task record's
`response`; anything odd in it becomes a readable failure, never an exception.
"""

from dataclasses import dataclass, field

from .acedata import FRIENDLY

DONE_STATES = {"completed", "complete", "succeeded", "success", "finished"}
FAILED_STATES = {"failed", "error", "cancelled", "canceled", "timeout"}
MAX_URL = 2000


@dataclass
class Outcome:
    in_flight: bool = False
    failed: bool = False
    code: str = ""
    message: str = ""
    fields: dict = field(default_factory=dict)


def _url(value) -> str:
    if (
        isinstance(value, str)
        and value.startswith(("http://", "https://"))
        and len(value) <= MAX_URL
    ):
        return value
    return ""


def _size(value):
    try:
        size = int(value)
    except (TypeError, ValueError):
        return None
    return size if 0 < size < 100_000 else None


def _failure(code, message) -> Outcome:
    code = str(code or "failed")[:50]
    message = str(message or "").strip()[:1000]
    friendly = FRIENDLY.get(code, "AceDataCloud could not make this video")
    text = f"{friendly}: {message}" if message else f"{friendly}."
    return Outcome(failed=True, code=code, message=text)


def parse_result(payload) -> Outcome:
    if not isinstance(payload, dict):
        return _failure("malformed_response", "its result was not a JSON object")
    error = payload.get("error")
    state = str(payload.get("state") or "").lower()
    if payload.get("success") is False or state in FAILED_STATES or error:
        error = error if isinstance(error, dict) else {}
        return _failure(error.get("code"), error.get("message") or state)
    if payload.get("success") is not True and state not in DONE_STATES:
        return Outcome(in_flight=True)
    video_url = _url(payload.get("video_url"))
    if not video_url:
        return _failure("malformed_response", "it reported success but sent no video address")
    return Outcome(
        fields={
            "video_id": str(payload.get("video_id") or "")[:100],
            "video_url": video_url,
            "thumbnail_url": _url(payload.get("thumbnail_url")),
            "video_width": _size(payload.get("video_width")),
            "video_height": _size(payload.get("video_height")),
            "thumbnail_width": _size(payload.get("thumbnail_width")),
            "thumbnail_height": _size(payload.get("thumbnail_height")),
        }
    )
