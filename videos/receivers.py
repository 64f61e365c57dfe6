"""Work that follows a job's end, connected in VideosConfig.ready()."""

from django.dispatch import receiver

from . import media
from .models import Video
from .signals import video_finished


@receiver(video_finished, dispatch_uid="videos.copy_media_on_completion")
def copy_media_on_completion(sender, video_id, state, **kwargs):
    if state == Video.State.COMPLETED:
        media.enqueue_copy(video_id)
