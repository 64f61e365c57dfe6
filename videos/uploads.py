"""Frames and videos from a person's own device: checked, cleaned, stored, served, swept away.

An image is opened with Pillow (PNG, JPEG, WebP, and phones' HEIC through pillow-heif), its
pixel count checked before it is decoded (a decompression bomb is refused unread), decoded in
full (a truncated file is refused), turned the right way up, and re-encoded: the stored file
carries no EXIF, GPS or other metadata. HEIC becomes JPEG, which every service reads. A video
must be an MP4 with H.264 video (videos/mp4.py reads its boxes).

Each upload is served to anyone with its address (videos/upload_views.py), an unguessable
token under PUBLIC_BASE_URL, because AceDataCloud must fetch it. One that no job named within
UPLOAD_UNUSED_HOURS is deleted by the worker's sweep.
"""

import io
import logging
import struct
import warnings
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pillow_heif
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import mp4
from .errors import InvalidRequest
from .models import Upload, Video

logger = logging.getLogger(__name__)
pillow_heif.register_heif_opener()

# Pillow's format name -> what we store it as: (format to write, extension, content type).
# HEIC is written as JPEG: AceDataCloud, browsers and Luma all read JPEG.
IMAGE_FORMATS = {
    "PNG": ("PNG", "png", "image/png"),
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "WEBP": ("WEBP", "webp", "image/webp"),
    "HEIF": ("JPEG", "jpg", "image/jpeg"),
}
ACCEPT_IMAGES = "image/png,image/jpeg,image/webp,image/heic,image/heif,.heic,.heif"
ACCEPT_VIDEOS = "video/mp4,.mp4"


@dataclass(frozen=True)
class Cleaned:
    content: bytes | File
    extension: str
    content_type: str
    width: int | None = None
    height: int | None = None


class RequestTooBig(RequestDataTooBig):
    """A multipart body larger than any upload may be; `limit` is that size in bytes."""

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than {limit} bytes.")
        self.limit = limit


def body_limit() -> int:
    """The largest multipart body worth reading: the largest file, a little form around it."""
    return max(settings.UPLOAD_MAX_IMAGE_BYTES * 2, settings.UPLOAD_MAX_VIDEO_BYTES) + 1024 * 1024


class BodyLimitHandler(FileUploadHandler):
    """Refuse an upload too large to be accepted before a byte of it is written to disk
    (Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out). First in FILE_UPLOAD_HANDLERS."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > body_limit():
            raise RequestTooBig(body_limit())

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def _refuse(field: str, message: str):
    raise InvalidRequest({field: [message]})


def _too_big(field: str, size: int, most: int):
    _refuse(
        field,
        _("This file is %(size)s; the most is %(most)s.")
        % {"size": filesizeformat(size), "most": filesizeformat(most)},
    )


def clean_image(upload, field: str = "file") -> Cleaned:
    """Check an uploaded image and re-encode it without metadata; InvalidRequest if unfit."""
    if not upload or not upload.size:
        _refuse(field, _("The file is empty."))
    if upload.size > settings.UPLOAD_MAX_IMAGE_BYTES:
        _too_big(field, upload.size, settings.UPLOAD_MAX_IMAGE_BYTES)
    upload.seek(0)
    damaged = _("This image is damaged or incomplete. Save it again and upload it anew.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(IMAGE_FORMATS))
            source_format = image.format
            _check_pixels(field, image.width, image.height)
            image.load()
            image = ImageOps.exif_transpose(image)
    except InvalidRequest:
        raise
    except UnidentifiedImageError:
        _refuse(
            field, _("This is not an image we can read. Upload a PNG, JPEG, WebP or HEIC picture.")
        )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(field, _too_many_pixels_message())
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError):
        _refuse(field, damaged)
    write_as, extension, content_type = IMAGE_FORMATS[source_format]
    return Cleaned(
        content=_reencode(image, write_as),
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
    )


def _too_many_pixels_message() -> str:
    most = settings.UPLOAD_MAX_IMAGE_PIXELS / 1_000_000
    return _("This image has too many pixels; the most is %(most)s million.") % {
        "most": f"{most:g}"
    }


def _check_pixels(field: str, width: int, height: int):
    if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
        _refuse(field, _too_many_pixels_message())


def _reencode(image: Image.Image, write_as: str) -> bytes:
    """The pixels alone, in a fresh file: no EXIF, GPS, XMP, comments or text chunks."""
    image.info = {}
    if write_as == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": 92}
    elif write_as == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        options = {"quality": 92}
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        options = {}
    out = io.BytesIO()
    image.save(out, write_as, **options)
    return out.getvalue()


def clean_video(upload, field: str = "file") -> Cleaned:
    """Check an uploaded video is an MP4 with H.264 video; InvalidRequest if not."""
    if not upload or not upload.size:
        _refuse(field, _("The file is empty."))
    if upload.size > settings.UPLOAD_MAX_VIDEO_BYTES:
        _too_big(field, upload.size, settings.UPLOAD_MAX_VIDEO_BYTES)
    try:
        mp4.check(upload)
    except mp4.NotMP4 as exc:
        logger.info("Refused a video upload: %s", exc)
        _refuse(field, _("This is not an MP4 file with H.264 video, the kind Luma can extend."))
    return Cleaned(content=upload, extension="mp4", content_type="video/mp4")


def looks_like_mp4(upload) -> bool:
    """Whether a file starts like an MP4 (an ftyp box), to tell a video from an image."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    return mp4.is_movie(head)


def save(user, upload, field: str = "file", kind: str | None = None) -> Upload:
    """Check, clean and store an uploaded file for user; InvalidRequest if it is unfit.

    kind: Upload.Kind.IMAGE or VIDEO, or None to tell from the file itself.
    """
    if kind is None:
        kind = Upload.Kind.VIDEO if looks_like_mp4(upload) else Upload.Kind.IMAGE
    if kind == Upload.Kind.VIDEO:
        cleaned = clean_video(upload, field)
    else:
        cleaned = clean_image(upload, field)
    row = Upload(
        owner=user,
        kind=kind,
        content_type=cleaned.content_type,
        width=cleaned.width,
        height=cleaned.height,
        original_name=_printable(getattr(upload, "name", "") or "")[:255],
    )
    content = cleaned.content
    if isinstance(content, bytes):
        content = ContentFile(content)
    content.seek(0)
    row.file.save(f"{row.token}.{cleaned.extension}", content, save=False)
    row.size = row.file.size
    row.save()
    return row


def _printable(name: str) -> str:
    """A file name as shown in the admin: no control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in name if ch.isprintable())


# A request's file fields: (field, the address field it fills, the kind of file).
FIELDS = (
    ("start_image", "start_image_url", Upload.Kind.IMAGE),
    ("end_image", "end_image_url", Upload.Kind.IMAGE),
    ("video_file", "video_url", Upload.Kind.VIDEO),
)


def take(user, data: dict) -> dict:
    """The request with each file it carries stored and replaced by the file's address."""
    data = dict(data)
    for field, url_field, kind in FIELDS:
        upload = data.pop(field, None)
        if not upload:
            continue
        if data.get(url_field):
            _refuse(field, _("Give a file or an address for this, not both."))
        data[url_field] = public_url(save(user, upload, field, kind))
    return data


def public_url(upload: Upload) -> str:
    """The address AceDataCloud (and anyone holding it) fetches the upload from."""
    return f"{settings.PUBLIC_BASE_URL}{upload.path}"


def token_of(url: str) -> str | None:
    """The upload token if url is the address of one of our uploads (on any host)."""
    if not url:
        return None
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, ValueError):
        return None
    return match.kwargs.get("token") if match.view_name == "videos:upload" else None


def mark_used(urls) -> int:
    """Keep the uploads these addresses name: a job uses them. Return how many were new."""
    tokens = {token for token in map(token_of, urls) if token}
    if not tokens:
        return 0
    return Upload.objects.filter(token__in=tokens, used_at__isnull=True).update(
        used_at=timezone.now()
    )


def release(urls) -> list[str]:
    """Delete the uploads these addresses name that no remaining video uses (a video was
    deleted); return their file names, for the caller to remove once that is committed."""
    tokens = {token for token in map(token_of, urls) if token}
    names = []
    for row in Upload.objects.filter(token__in=tokens):
        path = row.path  # matched at the end: PUBLIC_BASE_URL may have changed since
        users = Video.objects.filter(deleted_at__isnull=True).filter(
            Q(start_image_url__endswith=path)
            | Q(end_image_url__endswith=path)
            | Q(source_video_url__endswith=path)
        )
        if not users.exists():
            names.append(row.file.name)
            row.delete()
    return names


def remove_unused(now=None) -> int:
    """Delete uploads no job named within UPLOAD_UNUSED_HOURS, file and row. Return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.UPLOAD_UNUSED_HOURS)
    removed = 0
    for pk, name in Upload.objects.unused_since(cutoff).values_list("pk", "file")[:500]:
        # Only if still unused: a job may have named it since the query.
        if not Upload.objects.filter(pk=pk, used_at__isnull=True).delete()[0]:
            continue
        removed += 1
        try:
            default_storage.delete(name)
        except OSError as exc:
            logger.warning("Could not delete the file of upload %s: %s", pk, exc)
    if removed:
        logger.info("Deleted %d upload(s) no job used", removed)
    return removed
