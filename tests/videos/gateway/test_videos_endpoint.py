"""POST /luma/videos: the three modes, every error in AceDataCloud's shape, and extensions."""

import json
import socket

import pytest
from asgiref.sync import sync_to_async

from videos.models import GatewayJob, QuotaEvent, Video
from videos.quota import quota_status

from .helpers import complete, fail, finished_video

pytestmark = pytest.mark.django_db

INVALID_TOKEN = {"code": "invalid_token", "message": "The specified token is invalid or wrong."}


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "trace_id"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]["message"]


def finish_while_waiting(monkeypatch, finisher):
    """Stand in for the worker: the first time a sync call pauses, finish its job."""
    calls = []

    def finish():
        finisher(Video.objects.get().pk)

    async def pause(seconds):
        calls.append(seconds)
        if len(calls) == 1:
            await sync_to_async(finish)()

    monkeypatch.setattr("videos.gateway.jobs._pause", pause)
    return calls


# --- modes ------------------------------------------------------------------------------------
def test_async_answers_only_the_task_id_which_is_our_video_id(gateway, owner):
    response = gateway.videos({"prompt": "A cat", "async": True})

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["task_id"]
    video = Video.objects.get(pk=body["task_id"])
    assert video.owner == owner and video.prompt == "A cat" and video.state == "queued"
    job = GatewayJob.objects.get(pk=video.pk)
    assert job.mode == "async" and job.request_body == {"prompt": "A cat", "async": True}
    assert job.delivery_state == ""


def test_async_charges_the_callers_quota(gateway, owner):
    gateway.videos({"prompt": "A cat", "async": True})

    status = quota_status(owner)
    assert status.used == 1 and status.in_flight == 1


def test_callback_url_answers_at_once_and_records_a_pending_delivery(gateway, settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["hooks.internal"]
    response = gateway.videos({"prompt": "A cat", "callback_url": "https://hooks.internal/cb"})

    assert response.status_code == 200 and list(response.json()) == ["task_id"]
    job = GatewayJob.objects.get(pk=response.json()["task_id"])
    assert job.mode == "callback"
    assert job.callback_url == "https://hooks.internal/cb"
    assert job.delivery_state == "pending"


def test_sync_holds_the_call_until_the_job_completes_then_answers_the_3a_body(gateway, monkeypatch):
    finish_while_waiting(monkeypatch, complete)

    response = gateway.videos({"prompt": "A cat", "aspect_ratio": "1:1"})

    assert response.status_code == 200, response.content
    body = response.json()
    video = Video.objects.get()
    assert body["success"] is True and body["state"] == "completed"
    assert body["task_id"] == str(video.pk)
    assert body["video_id"] == video.video_id and body["video_url"] == video.video_url
    assert body["thumbnail_url"] == video.thumbnail_url
    assert (body["video_width"], body["video_height"]) == (1360, 752)
    assert body["prompt"] == "A cat"
    assert body["trace_id"] == str(video.gateway_job.trace_id)
    assert GatewayJob.objects.get().mode == "sync"


def test_sync_answers_a_failed_job_with_its_error_and_a_500(gateway, monkeypatch):
    finish_while_waiting(monkeypatch, fail)

    response = gateway.videos({"prompt": "A cat"})

    message = assert_error(response, 500, "api_error")
    assert "fetch failed" in message


def test_sync_answers_a_moderated_prompt_with_forbidden_403(gateway, monkeypatch):
    finish_while_waiting(monkeypatch, lambda pk: fail(pk, "forbidden", "not allowed"))

    assert_error(gateway.videos({"prompt": "A cat"}), 403, "forbidden")


def test_sync_answers_timeout_504_after_the_bodys_shorter_timeout_and_keeps_the_job(gateway, owner):
    response = gateway.videos({"prompt": "A cat", "timeout": 0.3})

    message = assert_error(response, 504, "timeout")
    video = Video.objects.get()
    assert str(video.pk) in message and "/luma/tasks" in message
    assert video.state == "queued"  # still being made, and still in the history
    assert quota_status(owner).used == 1


def test_sync_never_waits_longer_than_the_site_limit(gateway, settings):
    settings.GATEWAY_SYNC_TIMEOUT_SECONDS = 0

    response = gateway.videos({"prompt": "A cat", "timeout": 600})

    assert_error(response, 504, "timeout")


def test_sync_is_refused_with_429_and_no_charge_when_the_waiting_room_is_full(
    gateway, owner, settings
):
    settings.GATEWAY_SYNC_MAX_WAITING = 0

    message = assert_error(gateway.videos({"prompt": "A cat"}), 429, "too_many_requests")

    assert '"async": true' in message
    assert not Video.objects.exists()
    assert quota_status(owner).used == 0


def test_a_trailing_slash_reaches_the_same_endpoint(gateway):
    response = gateway.post("/luma/videos/", {"prompt": "A cat", "async": True})

    assert response.status_code == 200 and "task_id" in response.json()


# --- extensions -------------------------------------------------------------------------------
def test_extending_by_my_video_id_records_the_parent(gateway, owner):
    parent = finished_video(owner, video_id="up-video-1")

    response = gateway.videos({"action": "extend", "video_id": "up-video-1", "async": True})

    child = Video.objects.get(pk=response.json()["task_id"])
    assert child.action == "extend" and child.parent == parent and child.depth == 1
    assert child.source_video_id == "up-video-1"


def test_extending_by_my_video_url_records_the_parent(gateway, owner):
    parent = finished_video(owner)

    response = gateway.videos(
        {"action": "extend", "video_url": parent.video_url, "prompt": "on", "async": True}
    )

    child = Video.objects.get(pk=response.json()["task_id"])
    assert child.parent == parent and child.source_video_id == parent.video_id


def test_video_id_wins_over_video_url_as_acedatacloud_documents(gateway, owner):
    parent = finished_video(owner)

    response = gateway.videos(
        {
            "action": "extend",
            "video_id": parent.video_id,
            "video_url": "https://elsewhere.example.com/v.mp4",
            "async": True,
        }
    )

    assert Video.objects.get(pk=response.json()["task_id"]).parent == parent


def test_another_users_video_id_is_extended_like_one_made_elsewhere(gateway, owner, other):
    theirs = finished_video(other, video_id="theirs")

    their_id = gateway.videos({"action": "extend", "video_id": "theirs", "async": True})
    unknown = gateway.videos({"action": "extend", "video_id": "nobodys", "async": True})

    # The same answer as for an id nobody here has: nothing says that the other video exists.
    assert (their_id.status_code, set(their_id.json())) == (unknown.status_code, {"task_id"})
    mine = Video.objects.get(pk=their_id.json()["task_id"])
    assert mine.owner == owner and mine.parent is None and mine.root_id == mine.pk
    assert mine.source_video_id == "theirs"
    assert not theirs.children.exists()  # their family tree is untouched


def test_extend_without_a_source_says_which_fields_to_send(gateway):
    message = assert_error(gateway.videos({"action": "extend"}), 400, "bad_request")

    assert "video_id or video_url" in message


# --- authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_a_missing_or_wrong_token_gets_acedataclouds_401(gateway, token):
    response = gateway.videos({"prompt": "A cat"}, token=token)

    assert response.status_code == 401
    assert response.json()["error"] == INVALID_TOKEN
    assert not Video.objects.exists()


def test_a_token_sent_with_another_scheme_is_refused(gateway, owner_token):
    response = gateway.client.post(
        "/luma/videos",
        json.dumps({"prompt": "A cat"}),
        content_type="application/json",
        headers={"authorization": f"Token {owner_token}"},
    )

    assert response.status_code == 401


def test_an_inactive_users_token_is_refused(gateway, owner):
    owner.is_active = False
    owner.save()

    assert gateway.videos({"prompt": "A cat"}).status_code == 401


# --- quota ------------------------------------------------------------------------------------
def test_an_exhausted_quota_is_used_up_403_saying_when_it_resets(gateway, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 0

    message = assert_error(gateway.videos({"prompt": "A cat", "async": True}), 403, "used_up")

    assert "resets" in message
    assert not Video.objects.exists()


def test_beyond_the_in_flight_cap_a_job_waits_in_line(gateway, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    first = gateway.videos({"prompt": "One", "async": True})
    second = gateway.videos({"prompt": "Two", "async": True})

    assert first.status_code == 200 and second.status_code == 200
    assert Video.objects.filter(state="queued").count() == 2


def test_a_full_line_is_too_many_requests_429(gateway, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 0
    assert gateway.videos({"prompt": "One", "async": True}).status_code == 200

    message = assert_error(
        gateway.videos({"prompt": "Two", "async": True}), 429, "too_many_requests"
    )

    assert "line is full" in message
    assert Video.objects.count() == 1


# --- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    ["not json", "[1, 2]", '"text"', "null", "42", "", "[" * 100_00, b"\xff\xfe{}"],
    ids=["text", "list", "string", "null", "number", "empty", "deep", "not-utf8"],
)
def test_a_body_that_is_not_a_json_object_is_acedataclouds_bad_request(gateway, raw):
    message = assert_error(gateway.videos(raw=raw), 400, "bad_request")

    assert message == "The json payload is not valid to request the API"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"prompt": 5}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({"prompt": "A cat", "aspect_ratio": "2:1"}, "aspect_ratio"),
        ({"prompt": "A cat", "aspect_ratio": ["16:9"]}, "aspect_ratio"),
        ({"prompt": "A cat", "loop": "maybe"}, "loop"),
        ({"prompt": "A cat", "enhancement": 3}, "enhancement"),
        ({"prompt": "A cat", "async": "yes"}, "async"),
        ({"prompt": "A cat", "timeout": "soon"}, "timeout"),
        ({"prompt": "A cat", "timeout": -1}, "timeout"),
        ({"prompt": "A cat", "start_image_url": "not-a-url"}, "start_image_url"),
        ({"action": "dance", "prompt": "A cat"}, "action"),
        ({"action": ["generate"], "prompt": "A cat"}, "action"),
        ({"prompt": "A cat\x00"}, "NUL"),
        ({"prompt": "A cat", "model": {"deep": ["\x00"]}}, "NUL"),
        ({"prompt": "A cat", "callback_url": 5}, "callback_url"),
        ({"prompt": "A cat", "callback_url": "ftp://example.com/x"}, "callback_url"),
    ],
)
def test_bad_fields_are_bad_request_naming_the_field_and_charge_nothing(
    gateway, owner, body, field
):
    message = assert_error(
        gateway.videos({**body, "async": body.get("async", True)}), 400, "bad_request"
    )

    assert field in message
    assert not Video.objects.exists()
    assert not QuotaEvent.objects.exists()


def test_a_lone_surrogate_is_bad_request_not_a_crash(gateway):
    assert_error(gateway.videos(raw='{"prompt": "\\ud800", "async": true}'), 400, "bad_request")


def test_unknown_fields_are_ignored_but_kept_in_the_request(gateway):
    body = {"prompt": "A cat", "model": "luma", "image_urls": ["https://x/a.png"], "async": True}

    response = gateway.videos(body)

    assert GatewayJob.objects.get(pk=response.json()["task_id"]).request_body == body


def test_a_body_over_the_size_limit_is_413_in_acedataclouds_shape(gateway, settings):
    settings.GATEWAY_MAX_BODY_BYTES = 1024

    response = gateway.videos({"prompt": "x" * 2000, "async": True})

    message = assert_error(response, 413, "bad_request")
    assert "1 KB" in message
    assert not Video.objects.exists()


def test_a_callback_url_on_a_name_that_resolves_to_loopback_is_refused(gateway, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "innocent.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    message = assert_error(
        gateway.videos({"prompt": "A cat", "callback_url": "http://innocent.example.com/cb"}),
        400,
        "bad_request",
    )

    assert "127.0.0.1" in message and "not a public internet address" in message
    assert not Video.objects.exists()


def test_a_callback_url_whose_host_does_not_resolve_is_refused(gateway, monkeypatch):
    def fake(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    message = assert_error(
        gateway.videos({"prompt": "A cat", "callback_url": "https://nowhere.invalid/cb"}),
        400,
        "bad_request",
    )
    assert "could not be found" in message


def test_get_is_acedataclouds_no_api(gateway):
    response = gateway.client.get("/luma/videos")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_api"


def test_an_unexpected_failure_is_still_answered_in_acedataclouds_shape(gateway, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("videos.gateway.jobs.services.submit", boom)

    message = assert_error(gateway.videos({"prompt": "A cat", "async": True}), 500, "api_error")

    assert "fire" not in message
