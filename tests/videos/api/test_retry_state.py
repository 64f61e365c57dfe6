"""A job waiting to be sent again after an upstream fault says so: the last error, the next try."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_video
from videos import failures
from videos.models import Video


def test_a_job_waiting_for_a_retry_exposes_its_last_error_and_next_try(api, owner):
    when = timezone.now() + timedelta(seconds=90)
    video = make_video(
        owner,
        state=Video.State.QUEUED,
        task_id=None,
        error_code="api_error",
        error_params={"kind": failures.RETRYING, "detail": "internal error."},
        next_attempt_at=when,
    )

    body = api.get(f"/api/v1/videos/{video.pk}/").json()

    assert body["error"]["code"] == "api_error"
    assert body["error"]["message"].endswith("internal error; retrying.")
    assert body["next_attempt_at"] == when.isoformat().replace("+00:00", "Z")


def test_a_job_without_trouble_has_no_error_and_no_next_try(api, owner):
    queued = make_video(
        owner, state=Video.State.QUEUED, task_id=None, next_attempt_at=timezone.now()
    )
    done = make_video(owner)

    for video in (queued, done):
        body = api.get(f"/api/v1/videos/{video.pk}/").json()
        assert body["error"] is None and body["next_attempt_at"] is None


def test_the_retry_note_ends_one_sentence_only(db):
    text = failures.describe("api_error", {"kind": failures.RETRYING, "detail": "internal error."})

    assert ".;" not in text and text.endswith("internal error; retrying.")


def test_an_old_no_balance_failure_shows_users_our_words_and_staff_the_upstreams(api, owner, staff):
    upstream = (
        "Your balance is not sufficient for current request, please buy more in Ace Data Cloud."
    )
    video = make_video(
        owner,
        state=Video.State.FAILED,
        error_code="used_up",
        error_message=f"The site's AceDataCloud balance is used up: {upstream}",
        error_params={},
    )

    mine = api.get(f"/api/v1/videos/{video.pk}/").json()["error"]["message"]
    assert "buy more" not in mine and "ask the operator" in mine
    assert "buy more" not in failures.for_video(video)
    assert "buy more" in failures.for_video(video, for_staff=True)


def test_a_new_no_balance_failure_shows_users_our_words_only(browser, owner):
    upstream = (
        "Your balance is not sufficient for current request, please buy more in Ace Data Cloud."
    )
    video = make_video(
        owner,
        state=Video.State.FAILED,
        error_code="used_up",
        error_params={"kind": failures.UPSTREAM, "detail": upstream},
    )

    html = browser.get(f"/videos/{video.pk}/").content.decode()
    listing = browser.get("/videos/").content.decode()

    assert "ask the operator" in html and "buy more" not in html and "buy more" not in listing
