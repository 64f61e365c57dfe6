"""What the pages say when no new video may start: a paused account, too many in flight."""

from accounts.models import Allowance
from tests.factories import make_video
from videos.models import Video


def test_an_allowance_of_none_at_once_says_paused_not_wait(browser, owner):
    Allowance.objects.update_or_create(user=owner, defaults={"max_in_flight": 0})

    page = browser.get("/videos/new/").content.decode()
    response = browser.post("/videos/new/", {"prompt": "A fox", "aspect_ratio": "16:9"})

    assert "paused for your account by an administrator" in page
    assert "0 videos in progress" not in page and "0 videos are in progress" not in page
    assert "paused for your account by an administrator" in response.content.decode()
    assert not Video.objects.exists()


def test_the_api_says_paused_too(api, owner):
    Allowance.objects.update_or_create(user=owner, defaults={"max_in_flight": 0})

    response = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_in_flight"
    assert "paused" in response.json()["detail"]


def test_see_them_shows_queued_and_processing_jobs_alike(browser, owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 2
    settings.QUOTA_MAX_WAITING = 0  # the line is full, so the form points at them
    queued = make_video(owner, state=Video.State.QUEUED)
    processing = make_video(owner, state=Video.State.PROCESSING)
    make_video(owner)

    page = browser.get("/videos/new/").content.decode()
    assert "?state=in_flight" in page
    listed = browser.get("/videos/", {"state": "in_flight"})

    assert {v.pk for v in listed.context["page"].object_list} == {queued.pk, processing.pk}
