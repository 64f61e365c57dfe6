"""Small builders for rows the tests need."""

import uuid
from datetime import timedelta

from django.utils import timezone

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
