"""The email a person asked for when their video ends: once, with its link, in their language."""

import re

import pytest
from django.core import mail

from accounts.models import Preferences
from tests.conftest import run_worker
from tests.factories import make_video
from tests.i18n.conftest import choose
from tests.videos.gateway.helpers import complete, fail
from videos import notifications
from videos.models import Video

# The worker runs its tasks in transactions of its own: committed rows, as in production.
pytestmark = pytest.mark.django_db(transaction=True)
CHECKED = re.compile(rb'<input[^>]*name="notify_by_email"[^>]*checked')


def _opt_in(user, **fields):
    Preferences.objects.update_or_create(user=user, defaults={"notify_by_email": True, **fields})


def _in_flight(owner, prompt="A heron lifts off the lake"):
    return make_video(owner, state=Video.State.PROCESSING, prompt=prompt, video_id="")


def test_a_person_who_opted_in_is_emailed_the_link_when_the_video_is_ready(owner, settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    _opt_in(owner)
    video = _in_flight(owner)
    complete(video.pk)
    assert mail.outbox == []  # sent by the worker, never inside the callback
    run_worker()

    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "Your video is ready" in message.subject
    assert f"https://studio.example.com/videos/{video.pk}/" in message.body
    assert "A heron lifts off the lake" in message.body


def test_a_failed_video_is_emailed_with_its_reason_and_the_quota_given_back(owner):
    _opt_in(owner)
    video = _in_flight(owner)
    fail(video.pk, "api_error", "fetch failed")
    run_worker()

    (message,) = mail.outbox
    assert "could not be made" in message.subject
    assert "fetch failed" in message.body
    assert "did not count against your allowance" in message.body


def test_nobody_is_emailed_who_did_not_opt_in(owner, other):
    _opt_in(other, notify_by_email=False)
    complete(_in_flight(owner).pk)
    complete(_in_flight(other).pk)
    run_worker()

    assert mail.outbox == []


def test_the_email_is_in_the_language_the_person_chose(owner):
    choose(owner, "zh-hans")
    _opt_in(owner)
    complete(_in_flight(owner).pk)
    run_worker()

    (message,) = mail.outbox
    assert "视频" in message.subject
    assert "Your video" not in message.subject + message.body


def test_a_video_deleted_before_the_email_is_sent_sends_nothing(owner):
    _opt_in(owner)
    video = make_video(owner)
    video.delete()

    assert notifications.send_job_end(video.pk) is False
    assert mail.outbox == []


def test_the_profile_turns_the_email_on_and_off(owner, browser):
    page = browser.get("/accounts/profile/")
    assert b'name="notify_by_email"' in page.content
    assert b"data-notify-permission" in page.content  # the browser's own notifications

    browser.post("/accounts/notifications/", {"notify_by_email": "on"})
    assert Preferences.objects.get(user=owner).notify_by_email is True
    assert CHECKED.search(browser.get("/accounts/profile/").content)

    choose(owner, "zh-hans")
    browser.post("/accounts/notifications/", {})
    prefs = Preferences.objects.get(user=owner)
    assert prefs.notify_by_email is False
    assert prefs.language == "zh-hans"  # the other choices stay as they were


def test_saving_notifications_needs_a_signed_in_person(client):
    response = client.post("/accounts/notifications/", {"notify_by_email": "on"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Preferences.objects.exists()
