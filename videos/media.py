"""Keep every finished video: copy its files into our storage, and delete them with it.

AceDataCloud keeps result files for 30 days. When a job completes, the worker streams
the video and thumbnail from the URLs AceDataCloud reported (never an address a user
typed) into Django's storage, recording size and SHA-256. A failed copy leaves the
video playing from the upstream URL and is retried with back-off.
"""

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .acedata import AceDataError, download
from .models import MediaState, Video
from .retry import retry_delay

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
# How long a copy may run before another worker may presume it died and start again.
LEASE = timedelta(minutes=30)
# A copy due this long without having started is enqueued again by the sweep.
GRACE = timedelta(seconds=60)
DUE_BATCH = 50


def _fetch(url, name, types, max_bytes):
    """Download url into storage under name; return (stored name, size, sha256)."""
    with tempfile.TemporaryFile() as tmp:
        got = download(url, tmp, max_bytes=max_bytes, content_types=types)
        tmp.seek(0)
        stored = default_storage.save(f"{name}.{EXTENSIONS[got.content_type]}", File(tmp))
    return stored, got.size, got.sha256


def copy(video_id) -> bool:
    """Copy a completed video's files; False if it is not due or another worker has it."""
    now = timezone.now()
    claimed = Video.objects.filter(
        pk=video_id,
        state=Video.State.COMPLETED,
        deleted_at__isnull=True,
        media_state__in=[MediaState.PENDING, MediaState.FAILED],
        media_next_attempt_at__lte=now,
    ).update(media_next_attempt_at=now + LEASE, media_attempts=F("media_attempts") + 1)
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
    logger.info("Copied media of %s (%s bytes)", video.pk, video_size)
    return True


def _record_failure(video: Video, exc: AceDataError):
    attempts = video.media_attempts
    retry = attempts < settings.MEDIA_COPY_MAX_ATTEMPTS
    message = exc.message if retry else f"{exc.message}. Gave up after {attempts} attempts."
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


@task()
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
