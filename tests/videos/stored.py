"""A finished video with our stored copy in place: real bytes in the test's media storage."""

import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import make_video
from videos.models import MediaState

ASSETS = Path(__file__).resolve().parents[2] / "videos" / "simulator" / "media"
MP4 = (ASSETS / "16x9.mp4").read_bytes()
JPG = (ASSETS / "16x9.jpg").read_bytes()


def make_stored_video(owner, **fields):
    video = make_video(
        owner, media_state=MediaState.DONE, thumbnail_width=640, thumbnail_height=360, **fields
    )
    video_name = default_storage.save(f"videos/{owner.pk}/{video.pk}.mp4", ContentFile(MP4))
    thumb_name = default_storage.save(f"videos/{owner.pk}/{video.pk}.jpg", ContentFile(JPG))
    video.video_file.name = video_name
    video.thumbnail_file.name = thumb_name
    video.video_file_size = len(MP4)
    video.video_sha256 = hashlib.sha256(MP4).hexdigest()
    video.thumbnail_file_size = len(JPG)
    video.save()
    return video
