"""What went wrong with a job, or what is holding it up, in the reader's own language.

A job keeps three things about it: its error code (never translated: the API and the
gateway answer with it), an English message (the admin, the logs and the AceDataCloud-
compatible gateway read that), and `error_params`: what the message is made of (the kind
of failure, AceDataCloud's own words, attempts made, minutes waited). Pages and the REST
API show `describe(...)` in the language of the request; the lifecycle stores `english(...)`
of the same params, so the two can never say different things.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import wire

# error_params["kind"]
UPSTREAM = "upstream"  # failed: AceDataCloud (or our reading of its answer) said so
GAVE_UP = "gave_up"  # failed after SUBMIT_MAX_ATTEMPTS tries that met transient faults
TIMED_OUT = "timed_out"  # failed by the job timeout; "stage" says where it was stuck
CANCELLED = "cancelled"
FORGOTTEN = "forgotten"  # failed: AceDataCloud no longer knows the task
RETRYING = "retrying"  # in flight: a transient fault, to be tried again
WAITING = "waiting"  # in flight: sent, no clear answer; never sent again

# Codes whose upstream words are for the operator only (they talk of buying more credit).
STAFF_ONLY_DETAIL = frozenset({"used_up"})


def reason(code: str, detail: str = "", for_staff: bool = False) -> str:
    """The readable text for an error code, with AceDataCloud's own words when they help."""
    text = _(wire.FRIENDLY.get(code, wire.UNKNOWN_FAILURE))
    if detail and (for_staff or code not in STAFF_ONLY_DETAIL):
        # Our own details are in the catalogue; an upstream's words pass through as sent.
        text = _("%(reason)s: %(detail)s") % {"reason": text, "detail": _(detail)}
    return text


def _sentence(text: str) -> str:
    if text.endswith((".", "。", "!", "?", "！", "？")):
        return text
    return _("%(text)s.") % {"text": text}


def _timed_out(params: dict, for_staff: bool) -> str:
    minutes = int(params.get("minutes") or 0)
    stage = params.get("stage")
    if stage == "processing":
        text = ngettext(
            "AceDataCloud did not finish this video within %(minutes)d minute.",
            "AceDataCloud did not finish this video within %(minutes)d minutes.",
            minutes,
        )
    elif stage == "lost_contact":
        text = ngettext(
            "Luma Studio lost contact with AceDataCloud while starting this job. AceDataCloud "
            "may still have made the video, but no result arrived within %(minutes)d minute.",
            "Luma Studio lost contact with AceDataCloud while starting this job. AceDataCloud "
            "may still have made the video, but no result arrived within %(minutes)d minutes.",
            minutes,
        )
    else:
        code = params.get("last_code")
        why = (
            reason(code, params.get("detail", ""), for_staff)
            if code
            else _("it was never picked up")
        )
        text = ngettext(
            "Could not start this job within %(minutes)d minute: %(reason)s.",
            "Could not start this job within %(minutes)d minutes: %(reason)s.",
            minutes,
        ) % {"minutes": minutes, "reason": why.rstrip(".")}
        return _no_quota_used(text)
    return _no_quota_used(text % {"minutes": minutes})


def _no_quota_used(text: str) -> str:
    # Translators: a sentence about a failed job, then a second one saying it cost nothing.
    return _("%(text)s No quota was used.") % {"text": text}


def describe(code: str, params: dict | None, for_staff: bool = False) -> str | None:
    """The message for a job's error in the active language; None if params say nothing."""
    params = params or {}
    kind = params.get("kind")
    detail = params.get("detail", "")
    if kind == TIMED_OUT:
        return _timed_out(params, for_staff)
    if kind == CANCELLED:
        if params.get("by") == "owner":
            return _("You cancelled it before it was sent. No quota was used.")
        return _("Stopped by an administrator. No quota was used.")
    if kind == FORGOTTEN:
        polls = int(params.get("polls") or 0)
        return ngettext(
            "AceDataCloud no longer knows this job (asked %(polls)d time), so it will not "
            "finish. No quota was used.",
            "AceDataCloud no longer knows this job (asked %(polls)d times), so it will not "
            "finish. No quota was used.",
            polls,
        ) % {"polls": polls}
    if kind == GAVE_UP:
        attempts = int(params.get("attempts") or 0)
        gave_up = ngettext(
            "Gave up after %(attempts)d attempt.", "Gave up after %(attempts)d attempts.", attempts
        ) % {"attempts": attempts}
        return f"{_sentence(reason(code, detail, for_staff))} {gave_up}"
    if kind == RETRYING:
        # Upstream words may end a sentence of their own: "…error.; retrying." reads badly.
        why = reason(code, detail, for_staff).rstrip(".。")
        return _("%(reason)s; retrying.") % {"reason": why}
    if kind == WAITING:
        return "{} {}".format(
            _sentence(reason(code, detail, for_staff)),
            _("It may still be making this video, so it is not sent again: its result is awaited."),
        )
    if kind == UPSTREAM:
        text = reason(code, detail, for_staff)
        # AceDataCloud's own words are quoted as they came; our own text ends a sentence.
        return text if detail and text.endswith(detail) else _sentence(text)
    return None


def english(code: str, params: dict) -> str:
    """The message to store (admin, logs, the gateway's answers): the same words, in English."""
    with translation.override("en"):
        return describe(code, params, for_staff=True) or _(wire.UNKNOWN_FAILURE)


def for_video(video, for_staff: bool = False) -> str:
    """What a page or the API says about a video's error or hold-up; "" when there is none."""
    if not video.error_code:
        return ""
    text = describe(video.error_code, video.error_params, for_staff)
    if text is None and not for_staff and video.error_code in STAFF_ONLY_DETAIL:
        # An older job's stored English quotes AceDataCloud's advice to buy credit.
        return _sentence(reason(video.error_code))
    # A job that failed before error_params existed keeps the English it was given.
    return text if text is not None else video.error_message
