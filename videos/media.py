"""Keep every finished video: copy its files into our storage, and delete them with it.

AceDataCloud keeps result files for 30 days. When a job completes, the worker streams
the video and thumbnail from the URLs AceDataCloud reported (never an address a user
typed) into Django's storage, recording size and SHA-256. A failed copy leaves the
video playing from the upstream URL and is retried with back-off.
"""

import contextlib
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from .acedata import AceDataError, download
from .models import MediaState, Video
from .retry import retry_delay
from .signals import job_changed

logger = logging.getLogger(__name__)

VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
EXTENSIONS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}


def download_name(video: Video, extension: str) -> str:
    """A file name a person recognises: the prompt's first words and the day it was made."""
    words = slugify(video.prompt)[:60].strip("-") or f"luma-{video.action}"
    return f"{words}-{video.created_at:%Y-%m-%d}.{extension}"


# A copy due this long without having started is enqueued again by the sweep.
GRACE = timedelta(seconds=60)
DUE_BATCH = 50


def lease() -> timedelta:
    """How long a copy may run before another worker may presume it died and start again."""
    return timedelta(seconds=2 * settings.MEDIA_FETCH_TOTAL_TIMEOUT + 60)  # two files, a margin


def _fetch(url, name, types, max_bytes):
    """Download url into storage under name; return (stored name, size, sha256)."""
    try:
        with tempfile.TemporaryFile() as tmp:
            got = download(url, tmp, max_bytes=max_bytes, content_types=types)
            tmp.seek(0)
            return _store(f"{name}.{EXTENSIONS[got.content_type]}", tmp), got.size, got.sha256
    except OSError as exc:  # no room even for the temporary copy
        raise AceDataError(f"Could not write the file: {exc.strerror or exc}", "media_storage")


def _store(name: str, content) -> str:
    """Save to our storage; on failure leave no partial file behind and say why."""
    name = default_storage.get_available_name(name)
    try:
        return default_storage.save(name, File(content))
    except Exception as exc:  # OSError (full, read-only, permissions) or a remote store's own
        logger.exception("Could not store %s", name)
        with contextlib.suppress(Exception):
            default_storage.delete(name)
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise AceDataError(f"Could not store the file: {reason}", code="media_storage")


def copy(video_id) -> bool:
    """Copy a completed video's files; False if it is not due or another worker has it."""
    now = timezone.now()
    claimed = Video.objects.filter(
        pk=video_id,
        state=Video.State.COMPLETED,
        deleted_at__isnull=True,
        media_state__in=[MediaState.PENDING, MediaState.FAILED],
        media_next_attempt_at__lte=now,
    ).update(media_next_attempt_at=now + lease(), media_attempts=F("media_attempts") + 1)
    if not claimed:
        return False
    video = Video.objects.get(pk=video_id)
    base = f"videos/{video.owner_id}/{video.pk}"
    saved = []
    try:
        video_name, video_size, video_hash = _fetch(
            video.video_url, base, VIDEO_TYPES, settings.MEDIA_MAX_VIDEO_BYTES
        )
        saved.append(video_name)
        thumb_name, thumb_size, thumb_hash = "", None, ""
        if video.thumbnail_url:
            thumb_name, thumb_size, thumb_hash = _fetch(
                video.thumbnail_url, f"{base}-thumb", IMAGE_TYPES, settings.MEDIA_MAX_IMAGE_BYTES
            )
            saved.append(thumb_name)
    except AceDataError as exc:
        remove_files(saved)
        _record_failure(video, exc)
        return True
    stored = Video.objects.filter(pk=video.pk, deleted_at__isnull=True).update(
        media_state=MediaState.DONE,
        media_error="",
        media_next_attempt_at=None,
        video_file=video_name,
        video_file_size=video_size,
        video_sha256=video_hash,
        thumbnail_file=thumb_name,
        thumbnail_file_size=thumb_size,
        thumbnail_sha256=thumb_hash,
        media_copied_at=timezone.now(),
    )
    if not stored:  # deleted while we copied
        remove_files(saved)
    else:  # pages showing it switch to our copy
        job_changed.send(sender=Video, video_id=video.pk, owner_id=video.owner_id)
    logger.info("Copied media of %s (%s bytes)", video.pk, video_size)
    return True


def _record_failure(video: Video, exc: AceDataError):
    attempts = video.media_attempts
    retry = not exc.permanent and attempts < settings.MEDIA_COPY_MAX_ATTEMPTS
    if exc.permanent:
        message = f"{exc.message.rstrip('.')}. Not retried: trying again would not help."
    elif retry:
        message = exc.message
    else:
        message = f"{exc.message}. Gave up after {attempts} attempts."
    logger.warning("Copying media of %s failed: %s", video.pk, exc.code)
    Video.objects.filter(pk=video.pk).update(
        media_state=MediaState.FAILED,
        media_error=message,
        media_next_attempt_at=timezone.now() + _retry_delay(attempts) if retry else None,
    )


def _retry_delay(attempts: int) -> timedelta:
    return retry_delay(attempts, settings.MEDIA_COPY_RETRY_BASE_SECONDS, 6 * 3600)


def remove_files(names):
    for name in names:
        if name:
            default_storage.delete(name)


# A queue of its own, with its own worker: a slow download can never hold up submissions,
# polls, time-outs or callback deliveries (the `default` queue).
@task(queue_name="media")
def copy_media(video_id: str) -> bool:
    """Copy a finished video's files from AceDataCloud into our storage."""
    return copy(video_id)


def enqueue_copy(video_id):
    try:
        copy_media.enqueue(str(video_id))
    except Exception:
        logger.exception("Could not enqueue the media copy of %s; the sweep will", video_id)


def enqueue_due(now=None) -> int:
    """Enqueue copies that are due and not already waiting; return how many."""
    now = now or timezone.now()
    due = Video.objects.filter(
        state=Video.State.COMPLETED,
        deleted_at__isnull=True,
        media_state__in=[MediaState.PENDING, MediaState.FAILED],
        media_next_attempt_at__lte=now - GRACE,
    )
    ids = list(due.values_list("pk", flat=True)[:DUE_BATCH])
    # Restamp so the next sweeps leave them alone while their task waits in the queue.
    Video.objects.filter(pk__in=ids).update(media_next_attempt_at=now)
    for pk in ids:
        enqueue_copy(pk)
    return len(ids)


def retry(queryset) -> int:
    """Make the copies of these completed videos due now (admin action, command)."""
    return (
        queryset.filter(state=Video.State.COMPLETED, deleted_at__isnull=True)
        .exclude(media_state=MediaState.DONE)
        .update(
            media_state=MediaState.PENDING, media_next_attempt_at=timezone.now(), media_attempts=0
        )
    )


def missing_copies():
    return Video.objects.filter(state=Video.State.COMPLETED, deleted_at__isnull=True).filter(
        ~Q(media_state=MediaState.DONE)
    )
