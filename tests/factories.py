"""Small builders for rows the tests need."""

import uuid
from datetime import timedelta

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.utils import timezone

from accounts import api_tokens
from videos import quota
from videos.models import Video


def make_video(owner, *, charge=True, age_seconds=0, **fields):
    """A video row as the services would leave it (completed unless told otherwise)."""
    done = fields.get("state", Video.State.COMPLETED) == Video.State.COMPLETED
    values = {
        "prompt": "A fox in the snow",
        "state": Video.State.COMPLETED,
        "task_id": str(uuid.uuid4()),
        "created_at": timezone.now() - timedelta(seconds=age_seconds),
    }
    if done:
        video_id = str(uuid.uuid4())
        values.update(
            submitted_at=timezone.now(),
            video_id=video_id,
            video_url=f"https://platform.cdn.acedata.cloud/luma/{video_id}.mp4",
            thumbnail_url=f"https://platform.cdn.acedata.cloud/luma/{video_id}.jpg",
            video_width=1360,
            video_height=752,
            completed_at=timezone.now(),
        )
    values.update(fields)
    parent = values.get("parent")
    if parent is not None:
        values.setdefault("action", Video.Action.EXTEND)
        values.setdefault("root_id", parent.root_id or parent.pk)
        values.setdefault("depth", parent.depth + 1)
        values.setdefault("source_video_id", parent.video_id)
    video = Video.objects.create(owner=owner, **values)
    if charge:
        quota.charge(video, quota.period_bounds(video.created_at)[0])
    return video


def use_up_quota(user, count=None):
    """Spend the user's allowance the way submissions do: one charged video each."""
    status = quota.quota_status(user)
    for _ in range(status.remaining if count is None else count):
        make_video(user)


def make_token(user, name="tests", **fields) -> str:
    """A new API token for `user`, issued as the profile page and the API do; its key."""
    token, key = api_tokens.issue(user, name, **fields)
    return key


def turn_on_totp(user) -> tuple[str, list[str]]:
    """Give `user` an authenticator app and recovery codes, as allauth's setup page does.

    Returns the app's secret and the recovery codes.
    """
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return secret, codes


def totp_code(secret) -> str:
    """The code the authenticator app shows now."""
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
