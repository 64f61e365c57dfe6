"""AceDataCloud's Luma wire format, in plain Python: no Django, no requests.

The client (acedata.py), the gateway (which answers as AceDataCloud does) and the simulator
(which stands in for it) all read this one module, so the documented error codes, their
statuses, the error body, which answers are worth retrying and how a result body reads can
never drift apart. Also here: the two HTTP details both sides of that wire share, the bearer
token and a single byte range.
"""

import json
import math
import uuid
from dataclasses import dataclass, field

# code -> (HTTP status, message), as documented by AceDataCloud (spec section 5).
DOCUMENTED_ERRORS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "The json payload is not valid to request the API"),
    "no_token": (400, "No token specified in url query."),
    "invalid_token": (401, "The specified token is invalid or wrong."),
    "used_up": (
        403,
        "Your balance is not sufficient for current request, please buy more in "
        "Ace Data Cloud https://platform.acedata.cloud",
    ),
    "forbidden": (
        403,
        "Sorry! Our Al moderators feel your prompt might be against our community standards.",
    ),
    "no_api": (404, "API does not exist, please make sure url is correct."),
    "too_many_requests": (429, "You have exceeded the rate limit."),
    "api_error": (500, "Internal server error."),
    "timeout": (504, "Timeout to generate the image."),
}


def gettext_noop(text: str) -> str:
    """Mark a message for translation without Django (makemessages finds this name)."""
    return text


# Readable messages for the documented error codes (and a few of AceDataCloud's own);
# the upstream's message is appended when it says more. Stored and logged in English;
# videos/failures.py shows them translated.
FRIENDLY = {
    "bad_request": gettext_noop("AceDataCloud rejected the request"),
    "forbidden": gettext_noop("AceDataCloud's moderation refused this prompt; try rewording it"),
    "used_up": gettext_noop(
        "The site's AceDataCloud balance is used up; ask the operator to top it up"
    ),
    "disabled": gettext_noop("The site's AceDataCloud credential is disabled; ask the operator"),
    "invalid_token": gettext_noop(
        "The site's AceDataCloud token was refused; ask the operator to check it"
    ),
    "token_expired": gettext_noop(
        "The site's AceDataCloud token has expired; ask the operator to renew it"
    ),
    "token_mismatched": gettext_noop(
        "The site's AceDataCloud token does not fit this API; ask the operator"
    ),
    "no_token": gettext_noop("The site has no AceDataCloud token configured; ask the operator"),
    "too_many_requests": gettext_noop("AceDataCloud is rate limiting us"),
    "api_error": gettext_noop("AceDataCloud had an internal error"),
    "timeout": gettext_noop("AceDataCloud timed out generating the video"),
    # Our client's own, for answers that never came or could not be read.
    "upstream_unreachable": gettext_noop("Could not connect to AceDataCloud"),
    "upstream_timeout": gettext_noop("AceDataCloud did not answer in time"),
    "upstream_disconnected": gettext_noop("The connection to AceDataCloud broke off"),
    "malformed_response": gettext_noop("AceDataCloud sent a response Luma Studio could not read"),
}
UNKNOWN_FAILURE = gettext_noop("AceDataCloud could not make this video")
# Codes whose upstream message would only repeat something about the site's credential.
QUIET_CODES = frozenset({"invalid_token", "no_token", "token_mismatched"})
# Answers that say "not now" rather than "never": worth trying again later.
TRANSIENT_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

DONE_STATES = frozenset({"completed", "complete", "succeeded", "success", "finished"})
FAILED_STATES = frozenset({"failed", "error", "cancelled", "canceled", "timeout"})
MAX_URL = 2000


def error_body(code: str, message: str | None = None, trace_id: str | None = None) -> dict:
    """The synchronous error body of spec section 5 (no `success` key)."""
    return {
        "error": {"code": code, "message": message or DOCUMENTED_ERRORS[code][1]},
        "trace_id": trace_id or str(uuid.uuid4()),
    }


@dataclass(frozen=True)
class UpstreamError:
    """What an error answer means for us: a code, a readable message, and whether to retry.

    `detail` is AceDataCloud's own message, if it said one worth repeating.
    """

    code: str
    message: str
    permanent: bool
    detail: str = ""


def read_error(status: int, body) -> UpstreamError:
    """Read an error answer (any status >= 400) whose body may or may not be AceDataCloud's."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or ("api_error" if status >= 500 else "upstream_error"))
    upstream = str(error.get("message") or "").strip()[:1000]
    message = FRIENDLY.get(code, f"AceDataCloud answered HTTP {status}")
    detail = upstream if upstream and code not in QUIET_CODES else ""
    if detail:
        message = f"{message}: {detail}"
    return UpstreamError(code, message, status not in TRANSIENT_STATUSES, detail)


def read_refusal(body: dict) -> UpstreamError | None:
    """A 200 answer that still says no (`success: false` with an error), or None."""
    error = body.get("error")
    if body.get("success") is not False or not error:
        return None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "upstream_error")
    message = FRIENDLY.get(code, "AceDataCloud refused the job")
    detail = str(error.get("message") or "").strip()[:1000]
    if detail:
        message = f"{message}: {detail}"
    return UpstreamError(code, message, permanent=True, detail=detail)


def accepted_task_id(body: dict) -> str | None:
    """The task id in an accept answer (`task_id`, or inside `data` as some versions send it)."""
    data = body.get("data")
    task_id = body.get("task_id") or (data.get("task_id") if isinstance(data, dict) else None)
    return task_id if isinstance(task_id, str) and task_id else None


# --- result bodies (callbacks, and a task record's `response`) --------------------------------
@dataclass
class Outcome:
    in_flight: bool = False
    failed: bool = False
    code: str = ""
    message: str = ""
    detail: str = ""  # what the body itself said went wrong, if anything
    fields: dict = field(default_factory=dict)


def _url(value) -> str:
    if not isinstance(value, str) or len(value) > MAX_URL:
        return ""
    return value if value.startswith(("http://", "https://")) else ""


def _size(value):
    try:
        size = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return size if 0 < size < 100_000 else None


def _failure(code, detail) -> Outcome:
    code = str(code or "failed")[:50]
    detail = str(detail or "").strip()[:1000]
    friendly = FRIENDLY.get(code, UNKNOWN_FAILURE)
    text = f"{friendly}: {detail}" if detail else f"{friendly}."
    return Outcome(failed=True, code=code, message=text, detail=detail)


def parse_result(payload) -> Outcome:
    """Read a result body defensively: anything odd becomes a readable failure, never a raise."""
    if not isinstance(payload, dict):
        return _failure("malformed_response", gettext_noop("its result was not a JSON object"))
    error = payload.get("error")
    state = str(payload.get("state") or "").lower()
    if payload.get("success") is False or state in FAILED_STATES or error:
        error = error if isinstance(error, dict) else {}
        return _failure(error.get("code"), error.get("message") or state)
    if payload.get("success") is not True and state not in DONE_STATES:
        return Outcome(in_flight=True)
    video_url = _url(payload.get("video_url"))
    if not video_url:
        return _failure(
            "malformed_response", gettext_noop("it reported success but sent no video address")
        )
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


# --- HTTP details both sides share ------------------------------------------------------------
def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def loads(raw):
    """Parse a JSON body as the wire allows: finite numbers only.

    Python's json accepts NaN, Infinity and 1e309 (read as infinity); PostgreSQL refuses to
    store them, so they are refused here, as the ValueError every bad body raises.
    """
    return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)


def bearer_token(header: str | None, max_length: int = 200) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None if there is none."""
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > max_length:
        return None
    return token


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the resource does not have (answer 416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The half-open byte span a single `bytes=` Range asks for, or None to send it all.

    Multi-range and malformed headers are ignored (a full 200 is a valid answer to them, RFC
    9110 14.2), which saves us multipart/byteranges that no video player needs.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                raise RangeNotSatisfiable
            return max(0, size - suffix), size
        start = int(first)
        end = int(last) if last else None  # inclusive, as HTTP counts
    except ValueError:
        return None
    if start < 0 or (end is not None and end < start):
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, size if end is None else min(end + 1, size)
