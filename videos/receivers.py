"""What follows a job's end, in one place: keep its files, and tell a gateway client.

Connected in VideosConfig.ready(). The lifecycle (services.py) only announces the end, so it
needs to know nothing of the features that follow it.
"""

from django.dispatch import receiver

from . import media, services
from .gateway import delivery
from .models import Video
from .signals import job_ended


@receiver(job_ended, dispatch_uid="videos.follow_a_job_that_ended")
def follow_a_job_that_ended(sender, video_id, state, **kwargs):
    if state == Video.State.COMPLETED:
        media.enqueue_copy(video_id)  # AceDataCloud keeps result files for 30 days only
    delivery.start(video_id)  # a gateway client that gave a callback_url gets the result
    services.send_next_in_line(video_id)  # a place is free: the owner's next job may go
