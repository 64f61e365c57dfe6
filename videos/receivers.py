"""What follows a job's change or end, in one place: keep its files, tell a gateway client,
push the change to the pages showing it, email its owner if they asked.

Connected in VideosConfig.ready(). The lifecycle (services.py) only announces the end, so it
needs to know nothing of the features that follow it.
"""

from django.dispatch import receiver

from . import events, media, notifications, services
from .gateway import delivery
from .models import Video
from .signals import job_changed, job_ended


@receiver(job_ended, dispatch_uid="videos.follow_a_job_that_ended")
def follow_a_job_that_ended(sender, video_id, state, owner_id=None, **kwargs):
    if owner_id is not None:
        events.publish(owner_id, video_id, "ended")  # open pages first: it never raises
    if state == Video.State.COMPLETED:
        media.enqueue_copy(video_id)  # AceDataCloud keeps result files for 30 days only
    delivery.start(video_id)  # a gateway client that gave a callback_url gets the result
    services.send_next_in_line(video_id)  # a place is free: the owner's next job may go
    if owner_id is not None:
        notifications.start(video_id, owner_id)  # an email, for those who asked


@receiver(job_changed, dispatch_uid="videos.push_a_change")
def push_a_change(sender, video_id, owner_id, **kwargs):
    events.publish(owner_id, video_id)
