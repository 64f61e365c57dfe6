"""Again, differently, or not at all: retry, variations (count) and cancel through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_video
from videos import quota
from videos.models import QuotaEvent, Video


def _failed(owner, **fields):
    return make_video(
        owner,
        state=Video.State.FAILED,
        prompt="A fox at dawn",
        start_image_url="https://img.example/a.png",
        end_image_url="https://img.example/b.png",
        aspect_ratio="9:16",
        loop=True,
        enhancement=False,
        error_code="api_error",
        **fields,
    )


def test_retry_makes_a_new_job_with_the_same_settings_and_keeps_the_old(api, owner):
    old = _failed(owner)

    response = api.post(f"/api/v1/videos/{old.pk}/retry/")

    assert response.status_code == 202, response.content
    new = Video.objects.get(pk=response.json()["id"])
    assert new.pk != old.pk and new.state == "queued"
    for name in Video.SETTINGS:
        assert getattr(new, name) == getattr(old, name), name
    assert Video.objects.get(pk=old.pk).state == "failed"
    assert QuotaEvent.objects.filter(video=new, kind="charge").count() == 1


def test_retry_of_an_extension_extends_the_same_parent(api, owner):
    parent = make_video(owner)
    old = make_video(
        owner,
        state=Video.State.FAILED,
        action="extend",
        parent=parent,
        source_video_id=parent.video_id,
        prompt="Further",
    )

    body = api.post(f"/api/v1/videos/{old.pk}/retry/").json()

    assert body["parent"] == str(parent.pk) and body["source_video_id"] == parent.video_id
    assert body["action"] == "extend" and body["prompt"] == "Further"


def test_only_a_failed_video_can_be_retried(api, owner):
    done = make_video(owner)

    response = api.post(f"/api/v1/videos/{done.pk}/retry/")

    assert response.status_code == 409 and response.json()["code"] == "not_failed"
    assert Video.objects.count() == 1


def test_another_users_video_cannot_be_retried_or_cancelled(other_api, owner):
    failed, waiting = _failed(owner), make_video(owner, state="queued", task_id=None)

    assert other_api.post(f"/api/v1/videos/{failed.pk}/retry/").status_code == 404
    assert other_api.post(f"/api/v1/videos/{waiting.pk}/cancel/").status_code == 404
    assert Video.objects.get(pk=waiting.pk).state == "queued"


def test_count_makes_that_many_variations_at_once(api, owner):
    response = api.post("/api/v1/videos/", {"prompt": "A fox", "count": 3}, format="json")

    assert response.status_code == 202
    ids = response.json()["variations"]
    assert len(ids) == 3 and response.json()["id"] == ids[0]
    assert Video.objects.filter(pk__in=ids, prompt="A fox").count() == 3
    assert quota.quota_status(owner).used == 3


def test_variations_are_all_or_nothing_against_the_quota(api, owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 2

    response = api.post("/api/v1/videos/", {"prompt": "A fox", "count": 3}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "quota_exceeded"
    assert "asked for 3 videos but have 2 left" in response.json()["detail"]
    assert not Video.objects.exists() and not QuotaEvent.objects.exists()


def test_variations_are_all_or_nothing_against_the_line(api, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 2

    response = api.post("/api/v1/videos/", {"prompt": "A fox", "count": 4}, format="json")

    assert response.status_code == 429 and response.json()["code"] == "too_many_in_flight"
    assert not Video.objects.exists()


@pytest.mark.parametrize("count", [0, 5, "two", 1.5])
def test_a_count_outside_one_to_four_is_400(api, count):
    response = api.post("/api/v1/videos/", {"prompt": "A fox", "count": count}, format="json")

    assert response.status_code == 400 and "count" in response.json()["fields"]
    assert not Video.objects.exists()


def test_cancel_before_sending_stops_the_job_and_gives_the_quota_back(api, owner):
    body = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json").json()
    assert quota.quota_status(owner).used == 1

    response = api.post(f"/api/v1/videos/{body['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["state"] == "failed" and response.json()["position"] is None
    assert response.json()["error"]["code"] == "cancelled"
    assert "You cancelled it before it was sent" in response.json()["error"]["message"]
    assert quota.quota_status(owner).used == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "processing"},  # AceDataCloud has it
        {"state": "queued", "claimed_at": "now"},  # a worker is sending it right now
    ],
)
def test_cancel_after_sending_is_refused_saying_why(api, owner, fields):
    if fields.get("claimed_at"):
        fields = {**fields, "claimed_at": timezone.now(), "task_id": None}
    sent = make_video(owner, **fields)

    response = api.post(f"/api/v1/videos/{sent.pk}/cancel/")

    assert response.status_code == 409 and response.json()["code"] == "already_sent"
    assert "no way to stop it" in response.json()["detail"]
    assert Video.objects.get(pk=sent.pk).state == fields["state"]


def test_a_finished_video_cannot_be_cancelled(api, owner):
    done = make_video(owner)

    response = api.post(f"/api/v1/videos/{done.pk}/cancel/")

    assert response.status_code == 409 and response.json()["code"] == "not_in_flight"


def test_the_list_reads_every_place_in_line_in_one_query(api, owner):
    make_video(owner, state="queued", task_id=None)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/videos/")
    for _ in range(10):
        make_video(owner, state="queued", task_id=None)

    with CaptureQueriesContext(connection) as many:
        body = api.get("/api/v1/videos/").json()

    assert sorted(v["position"] for v in body["results"]) == list(range(1, 12))
    assert len(many) == len(few) <= 3
