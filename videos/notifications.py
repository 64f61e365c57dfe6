"""Email a person when their video ends, if they asked to on their profile.

The lifecycle announces a job's end (videos/receivers.py); this checks the person's choice
(accounts' Preferences.notify_by_email) and leaves the sending to a background task, so a
slow mail server never holds up AceDataCloud's callback. The email is written in the
person's language, like every other email the site sends.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts import mail, preferences
from accounts.models import Preferences

from . import failures
from .models import Video

logger = logging.getLogger(__name__)


def wanted(owner_id) -> bool:
    """Whether this person asked to be emailed when a video ends (one query)."""
    return Preferences.objects.filter(user_id=owner_id, notify_by_email=True).exists()


def start(video_id, owner_id) -> None:
    """Send the job-end email in the background, if its owner wants it."""
    if not wanted(owner_id):
        return
    try:
        email_job_end.enqueue(str(video_id))
    except Exception:  # an email is a courtesy: never fail the callback over it
        logger.exception("Could not enqueue the email for job %s", video_id)


def send_job_end(video_id) -> bool:
    """Email the owner that the job completed or failed; False if there is nothing to send."""
    video = Video.objects.filter(pk=video_id, deleted_at__isnull=True).first()
    if video is None or not video.is_terminal:
        return False
    owner = get_user_model().objects.select_related("preferences").get(pk=video.owner_id)
    if not (owner.email and preferences.of(owner).notify_by_email):
        return False
    language = preferences.language_for(owner)
    with translation.override(language):
        reason = failures.for_video(video) if video.state == Video.State.FAILED else ""
    context = {
        "user": owner,
        "video": video,
        "completed": video.state == Video.State.COMPLETED,
        "reason": reason,
        "url": settings.PUBLIC_BASE_URL + reverse("videos:detail", kwargs={"pk": video.pk}),
    }
    mail.send("videos/email/job_ended", owner.email, context, language)
    return True


@task()
def email_job_end(video_id: str) -> bool:
    """Email a person that their video is ready (or could not be made)."""
    return send_job_end(video_id)
