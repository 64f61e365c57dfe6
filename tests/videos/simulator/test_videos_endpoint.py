"""POST /luma/videos: the three modes, auth, JSON parsing and validation."""

import json
import time

import pytest

from tests.fakes import recorded

from .conftest import TOKEN, Upstream, assert_error, is_uuid4

# The article's callback body, plus the trace_id the spec's 3c adds.
SUCCESS_KEYS = set(recorded("seed_callback")) | {"trace_id"}


def test_sync_mode_holds_the_request_for_the_delay_then_answers_the_3a_body(sim, upstream):
    started = time.monotonic()
    response = upstream.videos({"action": "generate", "prompt": "A cat", "async": False})
    assert time.monotonic() - started >= 0.25
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SUCCESS_KEYS
    assert body["success"] is True
    assert body["state"] == "completed"
    assert body["prompt"] == "A cat"
    assert body["video_url"] == f"{sim.base_url}/luma/{body['task_id']}.mp4"
    assert body["thumbnail_url"] == f"{sim.base_url}/luma/{body['task_id']}.jpg"
    assert (body["video_width"], body["video_height"]) == (320, 180)
    assert sim.get_task(body["task_id"])["response"] == body


def test_async_flag_answers_only_a_task_id_at_once_and_sends_no_callback(sim, upstream):
    started = time.monotonic()
    response = upstream.videos({"prompt": "A cat", "async": True})
    assert time.monotonic() - started < 0.2
    assert response.status_code == 200
    assert set(response.json()) == {"task_id"}
    record = sim.wait_for_task(response.json()["task_id"])
    assert record["response"]["state"] == "completed"
    assert sim.callback_log() == []


def test_callback_mode_posts_the_3c_success_body_to_the_callback_url(sim, upstream, receiver):
    response = upstream.videos({"prompt": "A cat", "callback_url": receiver.url})
    assert response.status_code == 200
    task_id = response.json()["task_id"]
    assert set(response.json()) == {"task_id"}

    [delivery] = receiver.wait_for(1)
    assert delivery["path"] == "/hooks/luma/job-secret"
    assert delivery["headers"]["Content-Type"] == "application/json"
    body = json.loads(delivery["body"])
    assert set(body) == SUCCESS_KEYS
    assert body["success"] is True
    assert body["task_id"] == task_id
    record = sim.get_task(task_id)
    assert body["trace_id"] == record["trace_id"]
    assert body == record["response"]


def test_callback_url_wins_over_async_false(sim, upstream, receiver):
    response = upstream.videos({"prompt": "A cat", "async": False, "callback_url": receiver.url})
    assert set(response.json()) == {"task_id"}
    receiver.wait_for(1)


def test_every_id_it_hands_out_is_a_uuid4_string(sim, upstream):
    body = upstream.videos({"prompt": "A cat"}).json()
    assert is_uuid4(body["task_id"])
    assert is_uuid4(body["video_id"])
    assert is_uuid4(body["trace_id"])


def test_delay_zero_completes_in_the_background_without_holding_the_accept(make_sim):
    sim = make_sim(delay=0)
    response = Upstream(sim.base_url).videos({"prompt": "A cat", "async": True})
    record = sim.wait_for_task(response.json()["task_id"], timeout=1)
    assert record["response"]["success"] is True


def test_extend_with_a_video_id_completes_like_a_generate(sim, upstream):
    first = upstream.videos({"prompt": "A cat"}).json()
    body = {"action": "extend", "video_id": first["video_id"], "prompt": "more", "loop": False}
    response = upstream.videos(body)
    assert response.status_code == 200
    extended = response.json()
    assert extended["state"] == "completed"
    assert extended["task_id"] != first["task_id"]
    assert extended["prompt"] == "more"
    assert sim.get_task(extended["task_id"])["request"] == body


def test_extend_with_a_video_url_and_no_prompt_is_accepted(sim, upstream):
    response = upstream.videos({"action": "extend", "video_url": "https://x/v.mp4", "async": True})
    assert response.status_code == 200


def test_it_ignores_unknown_keys_that_old_clients_send(sim, upstream):
    body = {"prompt": "A cat", "model": "luma", "image_urls": ["https://x/a.png"], "async": True}
    response = upstream.videos(body)
    assert response.status_code == 200
    assert sim.get_task(response.json()["task_id"])["request"] == body


def test_it_answers_a_missing_authorization_header_with_400_no_token(sim, upstream):
    response = upstream.videos({"prompt": "A cat"}, headers={"content-type": "application/json"})
    assert_error(response, 400, "no_token", "No token specified in url query.")


def test_it_answers_invalid_token_with_401_body(sim, upstream):
    response = upstream.videos({"prompt": "A cat"}, token="wrong")
    assert_error(response, 401, "invalid_token", "The specified token is invalid or wrong.")
    assert sim.list_tasks() == []


def test_it_rejects_a_token_without_the_bearer_scheme(sim, upstream):
    response = upstream.videos({"prompt": "A cat"}, headers={"authorization": TOKEN})
    assert_error(response, 401, "invalid_token")


def test_a_simulator_without_a_token_accepts_any_bearer_token(make_sim):
    sim = make_sim(token=None)
    response = Upstream(sim.base_url, token="anything").videos({"prompt": "A cat", "async": True})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b'"A cat"'])
def test_it_answers_a_body_that_is_not_a_json_object_with_400_bad_request(sim, upstream, raw):
    assert_error(
        upstream.videos(raw), 400, "bad_request", "The json payload is not valid to request the API"
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ({"action": "generate"}, "prompt is required"),
        ({"prompt": "   "}, "prompt is required"),
        ({"prompt": 42}, "prompt must be a string"),
        ({"action": "extend", "prompt": "more"}, "video_id or video_url is required"),
        ({"action": "upscale", "prompt": "A cat"}, "action must be one of: generate, extend"),
        ({"prompt": "A cat", "aspect_ratio": "2:1"}, None),
        ({"prompt": "A cat", "callback_url": "ftp://x/cb"}, "callback_url must be an http(s) URL"),
    ],
)
def test_it_rejects_an_invalid_request_with_400_bad_request(sim, upstream, body, message):
    assert_error(upstream.videos(body), 400, "bad_request", message)
    assert sim.list_tasks() == []


def test_a_sync_request_past_its_own_timeout_answers_504(make_sim):
    sim = make_sim(delay=2)
    response = Upstream(sim.base_url).videos({"prompt": "A cat", "timeout": 0.2})
    assert_error(response, 504, "timeout", "Timeout to generate the image.")


def test_it_counts_requests_per_endpoint_including_rejected_ones(sim, upstream):
    upstream.videos({"prompt": "A cat", "async": True})
    upstream.videos({"prompt": "A cat"}, token="wrong")
    upstream.tasks({"action": "retrieve", "id": "x"})
    assert sim.requests_count("/luma/videos") == 2
    assert sim.requests_count("videos") == 2
    assert sim.requests_count("/luma/tasks") == 1


def test_an_unknown_path_answers_404_no_api(sim, upstream):
    assert_error(upstream.post("/luma/images", {"prompt": "x"}), 404, "no_api")
    assert_error(upstream.get("/luma/videos"), 404, "no_api")
