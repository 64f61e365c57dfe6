"""The pages' side of uploads, "use these settings", "try again", cancel, variations, the line."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_video
from tests.images import image_bytes, mp4, png, upload
from videos.models import Upload, Video

NEW = "/videos/new/"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


def _form(**overrides):
    data = {"prompt": "A red fox", "aspect_ratio": "16:9", "enhancement": "on", "count": "1"}
    data.update(overrides)
    return data


def test_the_new_video_form_takes_an_uploaded_first_frame(browser):
    response = browser.post(NEW, _form(start_image=png()))

    assert response.status_code == 302
    video = Video.objects.get()
    assert video.start_image_url.startswith("https://studio.example.com/uploads/")
    assert Upload.objects.get().used_at is not None


def test_the_form_offers_a_drop_zone_file_field_for_each_frame(browser):
    html = browser.get(NEW).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert html.count('data-drop-zone="image"') == 2
    assert 'accept="image/png,image/jpeg,image/webp,image/heic' in html
    assert "js/drop-zone.js" in html


def test_a_bad_upload_is_shown_beside_its_field_and_nothing_is_made(browser):
    response = browser.post(NEW, _form(end_image=upload(b"<html></html>", "x.png")))

    assert response.status_code == 200
    assert "not an image we can read" in response.context["form"].errors["end_image"][0]
    assert not Video.objects.exists() and not Upload.objects.exists()


def test_a_refused_form_keeps_the_stored_upload_so_it_need_not_be_sent_again(browser, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 0

    response = browser.post(NEW, _form(start_image=upload(image_bytes("JPEG"), "a.jpg")))

    assert response.status_code == 200
    kept = response.context["form"].data["start_image_url"]
    assert kept == f"https://studio.example.com{Upload.objects.get().path}"
    assert kept in response.content.decode()


def test_use_these_settings_fills_the_new_video_form(browser, owner):
    source = make_video(
        owner,
        state="failed",
        prompt="A heron at dusk",
        start_image_url="https://img.example/a.png",
        aspect_ratio="9:16",
        loop=True,
        enhancement=False,
    )

    form = browser.get(f"{NEW}?from={source.pk}").context["form"]

    assert form.initial == {
        "prompt": "A heron at dusk",
        "start_image_url": "https://img.example/a.png",
        "end_image_url": "",
        "aspect_ratio": "9:16",
        "loop": True,
        "enhancement": False,
    }


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_use_these_settings_of_nothing_opens_an_empty_form(browser, value):
    response = browser.get(f"{NEW}?from={value}")

    assert response.status_code == 200 and response.context["form"].initial == {}


def test_another_users_settings_cannot_be_reused(browser, other):
    theirs = make_video(other, prompt="Their secret idea")

    response = browser.get(f"{NEW}?from={theirs.pk}")

    assert "Their secret idea" not in response.content.decode()


def test_every_finished_or_failed_video_offers_use_these_settings(browser, owner):
    done, failed = make_video(owner), make_video(owner, state="failed")

    for video in (done, failed):
        html = browser.get(f"/videos/{video.pk}/").content.decode()
        assert f"{NEW}?from={video.pk}" in html
    assert html.count(f"{NEW}?from=") == 1
    listing = browser.get("/videos/").content.decode()
    assert f"{NEW}?from={done.pk}" in listing and f"{NEW}?from={failed.pk}" in listing


def test_try_again_on_a_failed_video_makes_a_new_one(browser, owner):
    failed = make_video(owner, state="failed", prompt="Once more")
    assert 'data-testid="retry"' in browser.get(f"/videos/{failed.pk}/").content.decode()

    response = browser.post(f"/videos/{failed.pk}/retry/")

    again = Video.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == f"/videos/{again.pk}/"
    assert again.prompt == "Once more" and again.state == "queued"


def test_a_waiting_video_shows_its_place_and_can_be_cancelled(browser, owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    make_video(owner, state="processing")
    first = browser.post(NEW, _form(prompt="one")) and Video.objects.get(prompt="one")
    browser.post(NEW, _form(prompt="two"))
    second = Video.objects.get(prompt="two")

    html = browser.get(f"/videos/{second.pk}/").content.decode()
    assert "waiting, 2nd in line" in html and 'data-testid="cancel"' in html
    listing = browser.get("/videos/").content.decode()
    assert "waiting, 1st in line" in listing and "waiting, 2nd in line" in listing

    browser.post(f"/videos/{first.pk}/cancel/")

    first.refresh_from_db()
    assert first.state == "failed" and first.error_code == "cancelled"
    assert "waiting, 1st in line" in browser.get(f"/videos/{second.pk}/").content.decode()


def test_a_sent_video_says_it_cannot_be_stopped_instead_of_a_button(browser, owner):
    sent = make_video(owner, state="processing")

    html = browser.get(f"/videos/{sent.pk}/").content.decode()

    assert 'data-testid="cannot-cancel"' in html and 'data-testid="cancel"' not in html
    response = browser.post(f"/videos/{sent.pk}/cancel/", follow=True)
    assert "no way to stop it" in response.content.decode()
    assert Video.objects.get(pk=sent.pk).state == "processing"


def test_variations_from_the_form_go_to_the_list(browser):
    response = browser.post(NEW, _form(count="3"))

    assert response["Location"] == "/videos/"
    assert Video.objects.filter(prompt="A red fox").count() == 3


def test_a_claimed_job_is_out_not_waiting(browser, owner):
    claimed = make_video(owner, state="queued", task_id=None, claimed_at=timezone.now())

    html = browser.get(f"/videos/{claimed.pk}/").content.decode()

    assert "in line" not in html and 'data-testid="cannot-cancel"' in html


def test_a_video_from_the_device_is_extended_from_the_extend_page(browser):
    html = browser.get("/videos/extend/").content.decode()
    assert 'data-drop-zone="video"' in html and 'accept="video/mp4,.mp4"' in html

    response = browser.post("/videos/extend/", {"video_file": mp4(), "prompt": "Then it rains"})

    assert response.status_code == 302
    video = Video.objects.get()
    assert video.action == "extend" and video.source_video_url.endswith(".mp4")
    assert Upload.objects.get(kind="video").used_at is not None


def test_a_file_that_is_not_an_mp4_is_refused_on_the_extend_page(browser):
    response = browser.post("/videos/extend/", {"video_file": upload(b"hello", "a.mp4")})

    assert "not an MP4 file" in response.context["form"].errors["video_file"][0]
    assert not Video.objects.exists()


def test_places_in_line_cost_one_query_however_many_wait(browser, owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 20
    make_video(owner, state="queued", task_id=None)
    with CaptureQueriesContext(connection) as few:
        browser.get("/videos/")
    for _ in range(11):
        make_video(owner, state="queued", task_id=None)

    with CaptureQueriesContext(connection) as many:
        html = browser.get("/videos/").content.decode()

    assert "waiting, 12th in line" in html
    assert len(many) == len(few) <= 5  # session, user, count, page, the line's places
