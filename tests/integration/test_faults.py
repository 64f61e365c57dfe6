"""Every fault the simulator can inject, over real HTTP, ends in the documented state."""

import pytest
import requests
from rest_framework.authtoken.models import Token

from accounts.services import quota_status
from tests.conftest import run_worker, wait_for
from videos.models import Video
from videos.reconcile import sweep

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def http(live, owner, settings):
    settings.SUBMIT_MAX_ATTEMPTS = 2
    settings.SUBMIT_RETRY_BASE_SECONDS = 0
    settings.POLL_AFTER_SECONDS = 0
    settings.POLL_INTERVAL_SECONDS = 0
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=owner).key}"
    return session


def submit(live, http, prompt):
    response = http.post(f"{live.url}/api/v1/videos/", json={"prompt": prompt})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def settle(video_id, rounds=4):
    """Let the worker run until the job stops moving."""
    for _ in range(rounds):
        run_worker()
        sweep()
        if Video.objects.get(pk=video_id).is_terminal:
            break
    return Video.objects.get(pk=video_id)


def shown(live, http, video_id):
    response = http.get(f"{live.url}/api/v1/videos/{video_id}/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "fault, code, words",
    [
        ("moderation", "forbidden", "moderation refused this prompt"),
        ("no-balance", "used_up", "balance is used up"),
        ("429", "too_many_requests", "rate limiting us: You have exceeded the rate limit. Gave up"),
        ("500", "api_error", "internal error: Internal server error. Gave up after 2 attempts."),
        ("timeout", "upstream_timeout", "did not answer in time. Gave up after 2 attempts"),
        ("malformed", "malformed_response", "could not read. Gave up after 2 attempts"),
    ],
)
def test_a_fault_at_submit_fails_the_job_readably_and_gives_the_quota_back(
    live, http, owner, simulator, fault, code, words
):
    video_id = submit(live, http, f"A fox [sim:{fault}]")

    video = settle(video_id)

    assert video.state == "failed"
    body = shown(live, http, video_id)
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]
    assert quota_status(owner).used == 0 and quota_status(owner).in_flight == 0


def test_a_failure_callback_fails_the_job_and_gives_the_quota_back(live, http, owner, simulator):
    video_id = submit(live, http, "A fox [sim:fail]")
    run_worker()

    wait_for(lambda: Video.objects.get(pk=video_id).is_terminal)

    assert shown(live, http, video_id)["error"] == {
        "code": "api_error",
        "message": "AceDataCloud had an internal error: fetch failed",
    }
    assert quota_status(owner).used == 0


def test_a_transient_fault_that_clears_lets_the_retry_succeed(live, http, owner, simulator):
    simulator.set_fault("videos", "500", times=1)
    video_id = submit(live, http, "A fox")

    run_worker()
    assert Video.objects.get(pk=video_id).state == "queued"
    sweep()

    wait_for(lambda: Video.objects.get(pk=video_id).state == "completed")
    assert Video.objects.get(pk=video_id).submit_attempts == 2
    assert quota_status(owner).used == 1


def test_an_unreachable_upstream_is_retried_then_fails_readably(live, http, owner, settings):
    settings.ACEDATACLOUD_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    video_id = submit(live, http, "A fox")

    video = settle(video_id)

    assert video.state == "failed" and video.error_code == "upstream_unreachable"
    assert video.error_message == "Could not connect to AceDataCloud. Gave up after 2 attempts."
    assert quota_status(owner).used == 0


@pytest.mark.parametrize("poll_fault", ["500", "429", "timeout", "malformed"])
def test_a_fault_while_polling_leaves_the_job_in_flight_until_a_later_poll(
    live, http, owner, simulator, poll_fault
):
    video_id = submit(live, http, "A fox [sim:lost-callback]")
    run_worker()
    simulator.wait_for_task(wait_for(lambda: Video.objects.get(pk=video_id).task_id))
    simulator.set_fault("tasks", poll_fault)

    sweep()
    assert shown(live, http, video_id)["state"] == "processing"

    simulator.clear_faults()
    sweep()
    assert shown(live, http, video_id)["state"] == "completed"
    assert quota_status(owner).used == 1


def test_a_job_stuck_upstream_times_out_and_gives_the_quota_back(
    live, http, owner, simulator, settings
):
    video_id = submit(live, http, "A fox [sim:stuck]")
    run_worker()
    wait_for(lambda: Video.objects.get(pk=video_id).state == "processing")
    sweep()
    assert Video.objects.get(pk=video_id).state == "processing"

    settings.JOB_TIMEOUT_SECONDS = 0
    sweep()

    body = shown(live, http, video_id)
    assert body["state"] == "failed" and body["error"]["code"] == "timeout"
    assert "did not finish this video" in body["error"]["message"]
    assert quota_status(owner).used == 0
