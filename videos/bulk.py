"""Keeping one's videos organised: the favourite star, and acting on several at once (which
ones were chosen, and one zip of them).

The zip is written as it is sent: Python's zipfile writes to a sink that the response
drains after every chunk, so memory holds one chunk, never the archive (the stored MP4s
are already compressed, so entries are stored as they are). bench/bulk_zip.py measures it.
"""

import uuid
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import InvalidRequest
from .media import download_name
from .models import Video

MAX_SELECTED = 100
CHUNK = 64 * 1024
ZIP64_FROM = 2**31  # bytes: a larger entry needs ZIP64 fields written up front


def set_favourite(video: Video, starred: bool) -> Video:
    """Star a video or take the star off (the page's star and the API's favourite verb)."""
    Video.objects.filter(pk=video.pk).update(favourite=starred)
    video.favourite = starred
    return video


def selected_ids(values: Iterable[str]) -> list[uuid.UUID]:
    """The ids a person ticked, checked: at least one, at most MAX_SELECTED, all well-formed."""
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            raise InvalidRequest({"ids": [_("Choose videos from your list.")]})
    if not ids:
        raise InvalidRequest({"ids": [_("Choose at least one video first.")]})
    if len(set(ids)) > MAX_SELECTED:
        message = ngettext(
            "Choose at most %(most)d video at a time.",
            "Choose at most %(most)d videos at a time.",
            MAX_SELECTED,
        ) % {"most": MAX_SELECTED}
        raise InvalidRequest({"ids": [message]})
    return list(dict.fromkeys(ids))


def chosen(user, ids) -> list[Video]:
    """The user's own videos among the ids, newest first (anyone else's are not there)."""
    return list(Video.objects.for_user(user).filter(pk__in=ids).order_by("-created_at"))


class _Sink:
    """A write-only file for zipfile whose bytes are taken away after each write."""

    def __init__(self):
        self._parts = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _entry_names(videos: list[Video]) -> list[str]:
    names, seen = [], {}
    for video in videos:
        name = download_name(video, video.video_file.name.rsplit(".", 1)[-1].lower())
        stem, dot, ext = name.rpartition(".")
        count = seen.get(name, 0) + 1
        seen[name] = count
        names.append(name if count == 1 else f"{stem}-{count}{dot}{ext}")
    return names


def zip_chunks(videos: list[Video]) -> Iterator[bytes]:
    """The zip of these videos' stored copies, piece by piece (any without a copy left out)."""
    stored = [video for video in videos if video.has_copy]
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for video, name in zip(stored, _entry_names(stored), strict=True):
            info = zipfile.ZipInfo(name, date_time=video.created_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            big = (video.video_file_size or 0) >= ZIP64_FROM
            try:
                source = default_storage.open(video.video_file.name, "rb")
            except FileNotFoundError:
                continue  # a copy lost from the store: the rest still goes out
            with source, archive.open(info, mode="w", force_zip64=big) as entry:
                while data := source.read(CHUNK):
                    entry.write(data)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
