"""The /_simulator/* control API: health, stats, reset, complete (no auth, a dev tool)."""

import time

from .conftest import Upstream, assert_error


def test_health_answers_without_a_token(sim, upstream):
    response = upstream.get("/_simulator/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_stats_count_upstream_requests_tasks_and_callbacks_but_not_control_calls(
    sim, upstream, receiver
):
    upstream.videos({"prompt": "A cat"})
    upstream.videos({"prompt": "A cat", "callback_url": receiver.url})
    upstream.tasks({"action": "retrieve", "id": "x"})
    receiver.wait_for(1)
    upstream.get("/_simulator/health")

    # The receiver has the body before the simulator has logged the delivery's answer.
    deadline = time.monotonic() + 10
    stats = upstream.get("/_simulator/stats").json()
    while stats["callbacks"]["delivered"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
        stats = upstream.get("/_simulator/stats").json()
    assert stats["requests"] == {"/luma/videos": 2, "/luma/tasks": 1}
    assert stats["tasks"]["completed"] == 2
    assert stats["callbacks"]["delivered"] == 1
    assert stats["faults"] == {"videos": None, "tasks": None}


def test_reset_forgets_tasks_faults_and_counts(sim, upstream):
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    sim.set_fault("tasks", "500")
    assert upstream.post("/_simulator/reset", {}, headers={}).status_code == 200
    assert sim.request_counts() == {}
    assert upstream.retrieve(task_id) == {}
    assert sim.list_tasks() == []


def test_complete_finishes_a_pending_task_at_once(make_sim):
    sim = make_sim(delay=60)
    upstream = Upstream(sim.base_url)
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    response = upstream.post("/_simulator/complete", {"task_id": task_id}, headers={})
    assert response.json() == {"completed": True}
    assert upstream.retrieve(task_id)["response"]["state"] == "completed"
    assert_error(
        upstream.post("/_simulator/complete", {"task_id": "nope"}, headers={}), 400, "bad_request"
    )


def test_an_unknown_control_path_is_404(sim, upstream):
    assert_error(upstream.get("/_simulator/nothing"), 404, "no_api")


def test_the_simulator_works_as_a_context_manager():
    from videos.simulator import Simulator

    with Simulator(token="t", delay=0) as sim:
        assert Upstream(sim.base_url, "t").get("/_simulator/health").status_code == 200
