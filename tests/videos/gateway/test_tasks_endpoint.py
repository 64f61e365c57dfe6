"""POST /luma/tasks: AceDataCloud's task records, for the caller's own jobs only."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_video
from videos.gateway.shapes import task_record
from videos.models import Video

from .helpers import complete, fail, finished_video

pytestmark = pytest.mark.django_db


def submit(gateway, **body):
    response = gateway.videos({"prompt": "A cat", "async": True, **body})
    assert response.status_code == 200, response.content
    return response.json()["task_id"]


def retrieve(gateway, task_id):
    response = gateway.tasks({"action": "retrieve", "id": task_id})
    assert response.status_code == 200, response.content
    return response.json()


def test_an_in_flight_record_has_the_original_request_and_no_response_yet(gateway):
    task_id = submit(gateway, aspect_ratio="9:16", model="luma")

    record = retrieve(gateway, task_id)

    assert record["id"] == task_id
    assert record["request"] == {
        "prompt": "A cat",
        "async": True,
        "aspect_ratio": "9:16",
        "model": "luma",
    }
    assert "response" not in record and "data" not in record
    assert "finished_at" not in record and "elapsed" not in record
    assert isinstance(record["created_at"], float)
    assert abs(record["created_at"] - time.time()) < 60
    assert len(record["_id"]) == 24 and record["trace_id"] and record["api_id"]


def test_a_completed_record_carries_the_3a_body_with_the_video_url(gateway):
    task_id = submit(gateway)
    upstream = complete(task_id)

    record = retrieve(gateway, task_id)

    response = record["response"]
    assert response["success"] is True and response["state"] == "completed"
    assert response["task_id"] == task_id  # ours, not AceDataCloud's
    assert response["video_id"] == upstream["video_id"]
    assert response["video_url"] == upstream["video_url"]
    assert response["thumbnail_url"] == upstream["thumbnail_url"]
    assert response["trace_id"] == record["trace_id"]
    assert record["data"] == response  # where the real `luma wait` reads the state
    assert record["finished_at"] >= record["started_at"]
    assert record["elapsed"] == pytest.approx(
        record["finished_at"] - record["started_at"], abs=0.01
    )


def test_a_failed_record_carries_the_3c_failure_body(gateway):
    task_id = submit(gateway)
    fail(task_id, "api_error", "fetch failed")

    record = retrieve(gateway, task_id)
    response = record["response"]

    assert record["data"] == response
    assert response["success"] is False and response["state"] == "failed"
    assert response["task_id"] == task_id
    assert response["error"]["code"] == "api_error"
    assert "fetch failed" in response["error"]["message"]


def test_records_never_show_acedataclouds_own_task_or_trace_ids(gateway):
    task_id = submit(gateway)
    upstream = complete(task_id)
    upstream_task_id = Video.objects.get(pk=task_id).task_id

    record = gateway.tasks({"action": "retrieve", "id": task_id}).json()

    # AceDataCloud's media URLs embed its task id; that is the one place it may show.
    for key in ("video_url", "thumbnail_url"):
        assert record["response"].pop(key) == upstream[key]
        assert record["data"].pop(key) == upstream[key]
    text = str(record)
    assert upstream_task_id not in text
    assert upstream["trace_id"] not in text


def test_another_users_task_id_is_answered_like_an_unknown_one(gateway, other_gateway):
    theirs = submit(other_gateway)

    assert retrieve(gateway, theirs) == {}
    assert retrieve(gateway, str(uuid.uuid4())) == {}
    assert retrieve(gateway, "not-a-uuid") == {}
    assert retrieve(other_gateway, theirs)["id"] == theirs


def test_a_batch_returns_only_my_records_in_the_order_asked(gateway, other_gateway):
    first, second = submit(gateway, prompt="One"), submit(gateway, prompt="Two")
    theirs = submit(other_gateway)

    response = gateway.tasks(
        {"action": "retrieve_batch", "ids": [second, theirs, "junk", first, second]}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [second, first]
    assert body["items"][0]["request"]["prompt"] == "Two"


def test_a_video_made_on_the_website_is_retrievable_with_an_equivalent_request(gateway, owner):
    video = finished_video(owner, prompt="From the site", aspect_ratio="1:1")

    record = retrieve(gateway, str(video.pk))

    assert record["request"]["prompt"] == "From the site"
    assert record["request"]["aspect_ratio"] == "1:1"
    assert record["response"]["video_url"] == video.video_url
    assert retrieve(gateway, str(video.pk))["trace_id"] == record["trace_id"]  # stable


def test_the_action_defaults_to_retrieve(gateway):
    task_id = submit(gateway)

    assert gateway.tasks({"id": task_id}).json()["id"] == task_id


@pytest.mark.parametrize(
    "body, words",
    [
        ({"action": "delete", "id": "x"}, "retrieve, retrieve_batch"),
        ({"action": "retrieve"}, "id is required"),
        ({"action": "retrieve", "id": 5}, "id is required"),
        ({"action": "retrieve_batch"}, "ids is required"),
        ({"action": "retrieve_batch", "ids": "a,b"}, "ids is required"),
        ({"action": "retrieve_batch", "ids": [1, 2]}, "ids is required"),
        ({"action": "retrieve_batch", "ids": ["a"] * 101}, "at most 100"),
    ],
)
def test_bad_task_requests_are_bad_request(gateway, body, words):
    response = gateway.tasks(body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert words in response.json()["error"]["message"]


def test_tasks_need_a_valid_token(gateway):
    task_id = submit(gateway)

    response = gateway.tasks({"action": "retrieve", "id": task_id}, token="nope")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_a_video_i_deleted_is_no_longer_retrievable(gateway):
    task_id = submit(gateway)
    Video.objects.filter(pk=task_id).update(deleted_at=timezone.now())

    assert retrieve(gateway, task_id) == {}


def test_a_callback_that_beat_the_submit_record_never_ends_before_it_started(owner):
    done = timezone.now()
    video = make_video(owner, completed_at=done, submitted_at=done + timedelta(milliseconds=5))

    record = task_record(video)

    assert record["finished_at"] >= record["started_at"]
    assert record["elapsed"] == 0.0
