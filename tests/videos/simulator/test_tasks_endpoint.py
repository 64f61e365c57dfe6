"""POST /luma/tasks: retrieve and retrieve_batch record shapes, unknown ids, bad requests."""

import re

import pytest

from tests.fakes import recorded

from .conftest import Upstream, assert_error, is_uuid4, wait_until

# The spec's finished record, less what a record gains only when its task is done.
FINISHED = recorded("spec_task_record")
RECORD_KEYS = set(FINISHED) - {"finished_at", "elapsed", "response"}


def test_a_fresh_task_record_has_no_response_finished_at_or_elapsed(make_sim):
    sim = make_sim(delay=5)
    upstream = Upstream(sim.base_url)
    body = {"action": "generate", "prompt": "A cat", "aspect_ratio": "16:9", "async": True}
    task_id = upstream.videos(body).json()["task_id"]

    record = upstream.retrieve(task_id)
    assert set(record) == RECORD_KEYS
    assert record["id"] == task_id
    assert re.fullmatch(r"[0-9a-f]{24}", record["_id"])
    for key in ("api_id", "application_id", "credential_id", "user_id", "trace_id"):
        assert is_uuid4(record[key])
    assert isinstance(record["created_at"], float)
    assert record["started_at"] >= record["created_at"]
    assert record["request"] == body


def test_a_processing_task_shows_its_state_but_no_finished_at(sim, upstream):
    task_id = upstream.videos({"prompt": "A cat [sim:stuck]", "async": True}).json()["task_id"]
    record = wait_until(lambda: (r := upstream.retrieve(task_id)).get("response") and r)
    assert record["response"] == {"task_id": task_id, "state": "processing"}
    assert record["data"] == record["response"]
    assert "finished_at" not in record
    assert "elapsed" not in record


def test_a_finished_task_record_carries_finished_at_elapsed_and_the_final_body(sim, upstream):
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    sim.wait_for_task(task_id)
    record = upstream.retrieve(task_id)
    # The documented fields, plus `data`: the response again, where the real `luma wait` looks.
    assert set(record) == set(FINISHED) | {"data"}
    assert record["data"] == record["response"]
    assert set(record["response"]) == set(FINISHED["response"])
    assert record["elapsed"] == pytest.approx(
        record["finished_at"] - record["started_at"], abs=2e-3
    )
    assert record["elapsed"] >= 0.25
    assert record["response"]["success"] is True
    assert record["response"]["state"] == "completed"
    assert record["response"]["task_id"] == task_id
    assert record["response"]["trace_id"] == record["trace_id"]


def test_retrieve_batch_lists_known_tasks_once_in_the_order_asked(sim, upstream):
    first = upstream.videos({"prompt": "one", "async": True}).json()["task_id"]
    second = upstream.videos({"prompt": "two", "async": True}).json()["task_id"]
    response = upstream.tasks(
        {"action": "retrieve_batch", "ids": [second, "no-such-task", first, second]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [second, first]
    assert body["items"][1] == upstream.retrieve(first)


def test_retrieve_batch_of_unknown_ids_is_an_empty_list(sim, upstream):
    body = upstream.tasks({"action": "retrieve_batch", "ids": ["x", "y"]}).json()
    assert body == {"items": [], "count": 0}


def test_an_unknown_task_id_answers_an_empty_object_by_default(sim, upstream):
    response = upstream.tasks({"action": "retrieve", "id": "no-such-task"})
    assert response.status_code == 200
    assert response.json() == {}


def test_an_unknown_task_id_can_be_configured_to_answer_400(make_sim):
    sim = make_sim(unknown_task="error")
    response = Upstream(sim.base_url).tasks({"action": "retrieve", "id": "no-such-task"})
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    "body, message",
    [
        ({"id": "x"}, "action must be one of: retrieve, retrieve_batch"),
        ({"action": "delete", "id": "x"}, "action must be one of: retrieve, retrieve_batch"),
        ({"action": "retrieve"}, "id is required"),
        ({"action": "retrieve_batch", "ids": "x"}, "ids is required"),
    ],
)
def test_it_rejects_a_bad_tasks_request_with_400_bad_request(sim, upstream, body, message):
    assert_error(upstream.tasks(body), 400, "bad_request", message)


def test_tasks_needs_the_token_too(sim, upstream):
    assert_error(
        upstream.tasks({"action": "retrieve", "id": "x"}, token="wrong"), 401, "invalid_token"
    )
    response = upstream.tasks(
        {"action": "retrieve", "id": "x"}, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "no_token")


def test_tasks_answers_bad_json_with_400_bad_request(sim, upstream):
    assert_error(upstream.tasks(b"{oops"), 400, "bad_request")
