"""Small builders for gateway tests."""

import uuid

from tests.factories import make_video
from tests.fakes import failure_body, success_body
from videos import services
from videos.models import Video


def finished_video(owner, video_id=None, **fields) -> Video:
    """A completed video of `owner`, as if made on the website (uncharged)."""
    if video_id:
        fields["video_id"] = video_id
    return make_video(owner, charge=False, **({"prompt": "A fox"} | fields))


def complete(video_pk, **overrides) -> dict:
    """Finish a job as AceDataCloud's callback would; return the upstream body."""
    video = Video.objects.get(pk=video_pk)
    upstream_task = video.task_id or str(uuid.uuid4())
    body = success_body(upstream_task, prompt=video.prompt, **overrides)
    services.apply_result(video, body, upstream_task)
    return body


def fail(video_pk, code="api_error", message="fetch failed") -> dict:
    video = Video.objects.get(pk=video_pk)
    upstream_task = video.task_id or str(uuid.uuid4())
    body = failure_body(upstream_task, code, message)
    services.apply_result(video, body, upstream_task)
    return body
