"""Callback delivery: retries, unreachable targets, and never blocking the accept."""

import json
import socket
import time

from .conftest import Upstream, wait_until


def test_it_retries_a_callback_that_does_not_answer_2xx(sim, upstream, make_receiver):
    receiver = make_receiver(statuses=[500, 503])
    task_id = upstream.videos({"prompt": "A cat", "callback_url": receiver.url}).json()["task_id"]
    deliveries = receiver.wait_for(3)
    assert [json.loads(d["body"])["task_id"] for d in deliveries] == [task_id] * 3
    assert deliveries[0]["body"] == deliveries[2]["body"]
    wait_until(lambda: len(sim.callback_log(task_id)) == 3)  # logged after the answer is read
    assert [(a["attempt"], a["status"], a["ok"]) for a in sim.callback_log(task_id)] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]


def test_an_unreachable_callback_is_logged_and_the_task_still_completes(make_sim):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    sim = make_sim(delay=0, callback_attempts=2, callback_backoff=0.01)
    upstream = Upstream(sim.base_url)
    task_id = upstream.videos({"prompt": "A cat", "callback_url": dead_url}).json()["task_id"]
    assert sim.wait_for_task(task_id)["response"]["success"] is True

    log = wait_until(lambda: len(sim.callback_log(task_id)) == 2 and sim.callback_log(task_id))
    assert [a["ok"] for a in log] == [False, False]
    assert log[0]["status"] is None and log[0]["error"]
    # The simulator keeps serving after the failed delivery.
    assert upstream.get("/_simulator/health").status_code == 200


def test_the_callback_goes_out_only_after_the_delay(make_sim, receiver):
    sim = make_sim(delay=0.5)
    upstream = Upstream(sim.base_url)
    started = time.monotonic()
    upstream.videos({"prompt": "A cat", "callback_url": receiver.url})
    assert receiver.received == []
    receiver.wait_for(1)
    assert time.monotonic() - started >= 0.45


def test_the_logs_never_show_the_token_or_the_callback_secret(sim, upstream, receiver, caplog):
    caplog.set_level("DEBUG", logger="videos.simulator")
    upstream.videos({"prompt": "A cat", "callback_url": receiver.url})
    upstream.videos({"prompt": "A cat"}, token="wrong-token-value")
    receiver.wait_for(1)
    time.sleep(0.05)
    assert "POST /luma/videos -> 200" in caplog.text
    assert upstream.token not in caplog.text
    assert "wrong-token-value" not in caplog.text
    assert "job-secret" not in caplog.text
