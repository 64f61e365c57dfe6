"""Faults on demand: prompt keywords and the control API, on /luma/videos and /luma/tasks."""

import json
import threading
import time

import pytest
import requests

from .conftest import Upstream, assert_error, wait_until

MODERATION_MESSAGE = (
    "Sorry! Our Al moderators feel your prompt might be against our community standards."
)
BALANCE_MESSAGE = (
    "Your balance is not sufficient for current request, please buy more in "
    "Ace Data Cloud https://platform.acedata.cloud"
)
ERROR_FAULTS = [
    ("moderation", 403, "forbidden", MODERATION_MESSAGE),
    ("no-balance", 403, "used_up", BALANCE_MESSAGE),
    ("429", 429, "too_many_requests", "You have exceeded the rate limit."),
    ("500", 500, "api_error", "Internal server error."),
]


@pytest.mark.parametrize("fault, status, code, message", ERROR_FAULTS)
def test_a_prompt_keyword_answers_the_documented_error_without_a_task(
    sim, upstream, fault, status, code, message
):
    response = upstream.videos({"prompt": f"A cat [sim:{fault}]", "async": True})
    assert_error(response, status, code, message)
    assert sim.list_tasks() == []


def test_prompt_keywords_are_case_insensitive(sim, upstream):
    response = upstream.videos({"prompt": "A cat [SIM:Moderation]"})
    assert_error(response, 403, "forbidden")


def test_an_unknown_prompt_keyword_is_a_bad_request_naming_the_known_ones(sim, upstream):
    response = upstream.videos({"prompt": "A cat [sim:explode]"})
    assert_error(response, 400, "bad_request")
    assert "moderation" in response.json()["error"]["message"]


def test_fail_sends_the_failure_callback_and_records_the_failure(sim, upstream, receiver):
    body = {"prompt": "A cat [sim:fail]", "callback_url": receiver.url}
    task_id = upstream.videos(body).json()["task_id"]

    [delivery] = receiver.wait_for(1)
    record = sim.get_task(task_id)
    error = {"code": "api_error", "message": "fetch failed"}
    assert json.loads(delivery["body"]) == {
        "success": False,
        "task_id": task_id,
        "trace_id": record["trace_id"],
        "error": error,
    }
    assert record["response"] == {
        "success": False,
        "task_id": task_id,
        "trace_id": record["trace_id"],
        "error": error,
        "state": "failed",
    }
    assert "finished_at" in record


def test_fail_in_sync_mode_answers_500_fetch_failed_with_the_task_trace_id(sim, upstream):
    response = upstream.videos({"prompt": "A cat [sim:fail]"})
    assert_error(response, 500, "api_error", "fetch failed")
    [record] = sim.list_tasks()
    assert response.json()["trace_id"] == record["trace_id"]
    assert record["response"]["state"] == "failed"


def test_timeout_hangs_past_a_client_read_timeout_and_creates_no_task(sim, upstream):
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        upstream.videos({"prompt": "A cat [sim:timeout]", "async": True}, timeout=1)
    assert time.monotonic() - started >= 0.9
    assert sim.list_tasks() == []


def test_timeout_answers_504_once_the_hang_is_over(make_sim):
    sim = make_sim(hang_seconds=0.3)
    started = time.monotonic()
    response = Upstream(sim.base_url).videos({"prompt": "A cat [sim:timeout]"})
    assert time.monotonic() - started >= 0.3
    assert_error(response, 504, "timeout", "Timeout to generate the image.")


def test_malformed_answers_200_with_a_body_that_is_not_json(sim, upstream):
    response = upstream.videos({"prompt": "A cat [sim:malformed]", "async": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()


def test_lost_callback_completes_the_task_but_never_calls_back(sim, upstream, receiver):
    body = {"prompt": "A cat [sim:lost-callback]", "callback_url": receiver.url}
    task_id = upstream.videos(body).json()["task_id"]
    record = sim.wait_for_task(task_id)
    assert record["response"]["success"] is True
    time.sleep(0.2)
    assert receiver.received == []
    assert sim.callback_log() == []


def test_stuck_never_finishes_until_completed_by_hand(make_sim, receiver):
    sim = make_sim(delay=0.1)
    upstream = Upstream(sim.base_url)
    body = {"prompt": "A cat [sim:stuck]", "callback_url": receiver.url}
    task_id = upstream.videos(body).json()["task_id"]
    time.sleep(0.4)
    record = upstream.retrieve(task_id)
    assert record["response"]["state"] == "processing"
    assert "finished_at" not in record
    assert receiver.received == []

    assert sim.complete_now(task_id) is True
    assert sim.complete_now(task_id) is False  # terminal states never change again
    assert upstream.retrieve(task_id)["response"]["state"] == "completed"
    receiver.wait_for(1)


def test_a_control_fault_hits_every_videos_request_until_cleared(sim, upstream):
    sim.set_fault("videos", "500")
    for _ in range(3):
        assert_error(upstream.videos({"prompt": "A cat", "async": True}), 500, "api_error")
    sim.clear_faults()
    assert upstream.videos({"prompt": "A cat", "async": True}).status_code == 200


def test_a_control_fault_with_times_applies_only_that_often(sim, upstream):
    sim.set_fault("videos", "429", times=2)
    statuses = [upstream.videos({"prompt": "A cat", "async": True}).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]


def test_a_control_fault_wins_over_a_prompt_keyword(sim, upstream):
    sim.set_fault("videos", "no-balance")
    assert_error(upstream.videos({"prompt": "A cat [sim:moderation]"}), 403, "used_up")


@pytest.mark.parametrize("fault", ["fail", "lost-callback", "stuck"])
def test_task_shaping_faults_also_work_from_the_control_api(sim, upstream, fault):
    sim.set_fault("videos", fault)
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    time.sleep(0.4)
    state = sim.get_task(task_id)["response"]["state"]
    assert state == {"fail": "failed", "lost-callback": "completed", "stuck": "processing"}[fault]


@pytest.mark.parametrize("fault, status, code, message", ERROR_FAULTS)
def test_a_control_fault_on_tasks_answers_polls_with_the_error(
    sim, upstream, fault, status, code, message
):
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    sim.set_fault("tasks", fault)
    assert_error(upstream.tasks({"action": "retrieve", "id": task_id}), status, code, message)
    assert upstream.videos({"prompt": "A cat", "async": True}).status_code == 200


def test_a_timeout_fault_on_tasks_hangs_the_poll(sim, upstream):
    sim.set_fault("tasks", "timeout")
    with pytest.raises(requests.ReadTimeout):
        upstream.tasks({"action": "retrieve", "id": "x"}, timeout=1)


def test_a_malformed_fault_on_tasks_answers_html(sim, upstream):
    sim.set_fault("tasks", "malformed")
    response = upstream.tasks({"action": "retrieve_batch", "ids": []})
    assert response.status_code == 200
    assert response.text.startswith("<html>")


@pytest.mark.parametrize(
    "endpoint, fault",
    [("tasks", "stuck"), ("tasks", "fail"), ("videos", "boom"), ("images", "500")],
)
def test_set_fault_refuses_a_fault_that_cannot_apply(sim, endpoint, fault):
    with pytest.raises(ValueError):
        sim.set_fault(endpoint, fault)


def test_the_http_control_api_sets_and_clears_faults(sim, upstream):
    response = upstream.post("/_simulator/faults", {"videos": "moderation"}, headers={})
    assert response.status_code == 200
    assert response.json() == {"videos": {"fault": "moderation", "times": None}, "tasks": None}
    assert_error(upstream.videos({"prompt": "A cat"}), 403, "forbidden")

    upstream.post("/_simulator/faults", {"tasks": {"fault": "500", "times": 1}}, headers={})
    assert_error(upstream.tasks({"action": "retrieve", "id": "x"}), 500, "api_error")
    assert upstream.tasks({"action": "retrieve", "id": "x"}).status_code == 200

    upstream.post("/_simulator/faults", {"videos": None}, headers={})
    assert upstream.get("/_simulator/faults").json() == {"videos": None, "tasks": None}
    assert upstream.videos({"prompt": "A cat", "async": True}).status_code == 200


def test_the_http_control_api_rejects_an_unknown_fault_and_changes_nothing(sim, upstream):
    response = upstream.post("/_simulator/faults", {"videos": "500", "tasks": "stuck"}, headers={})
    assert_error(response, 400, "bad_request")
    assert sim.faults.snapshot() == {"videos": None, "tasks": None}


def test_slow_accept_creates_the_task_then_holds_the_answer(make_sim, receiver):
    sim = make_sim(delay=0, hang_seconds=1.0)
    sim.set_fault("videos", "slow-accept")
    upstream = Upstream(sim.base_url)
    body = {"prompt": "A cat [sim:lost-callback]", "callback_url": receiver.url}
    answered = {}
    thread = threading.Thread(target=lambda: answered.update(r=upstream.videos(body)))
    thread.start()

    [task] = wait_until(sim.list_tasks)  # accepted while the answer is still held
    assert "r" not in answered
    thread.join(timeout=5)
    assert answered["r"].json() == {"task_id": task["id"]}
    assert sim.wait_for_task(task["id"])["response"]["state"] == "completed"
    assert receiver.received == []  # the prompt's lost-callback still shaped the task


def test_slow_accept_means_nothing_on_tasks(sim, upstream):
    response = upstream.post("/_simulator/faults", {"tasks": "slow-accept"}, headers={})
    assert_error(response, 400, "bad_request")
