"""Callbacks under load: duplicates at once, and a callback racing the worker's poll.

Real HTTP to a live server (each callback its own connection and database connection) and,
for the race, the worker's real poll against the simulator. A transition is counted by the
job_ended signal, which is sent once per change of state.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from tests.conftest import wait_for
from tests.fakes import failure_body, success_body
from videos import services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status
from videos.signals import job_ended
from videos.sweep import poll_late

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
DUPLICATES = 20


@pytest.fixture
def transitions():
    seen = []

    def count(sender, video_id, state, **kwargs):
        seen.append((video_id, state))

    job_ended.connect(count, dispatch_uid="reliability-transitions")
    yield seen
    job_ended.disconnect(dispatch_uid="reliability-transitions")


def _post(base, job, body):
    def call(_=None):
        response = requests.post(
            f"{base}/webhooks/acedata/{job.pk}/{job.callback_secret}/",
            data=json.dumps(body),
            headers={"content-type": "application/json"},
            timeout=30,
        )
        return response.status_code, response.json().get("status")

    return call


def _processing_job(owner, fake_upstream):
    job = services.submit(owner, {"prompt": "A fox"})
    services.dispatch(job.pk)
    return Video.objects.get(pk=job.pk)


@pytest.mark.parametrize("outcome", ["completed", "failed"])
def test_twenty_duplicate_callbacks_make_one_transition_and_one_charge(
    live_server, owner, fake_upstream, transitions, record, outcome
):
    job = _processing_job(owner, fake_upstream)
    body = (success_body if outcome == "completed" else failure_body)(job.task_id)

    with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
        results = list(pool.map(_post(live_server.url, job, body), range(DUPLICATES)))

    applied = results.count((200, "applied"))
    record(DUPLICATES, DUPLICATES if applied == 1 else 0)
    assert applied == 1 and results.count((200, "ignored")) == DUPLICATES - 1, results
    assert Video.objects.get(pk=job.pk).state == outcome
    assert transitions == [(job.pk, outcome)]
    kinds = sorted(QuotaEvent.objects.filter(video=job).values_list("kind", flat=True))
    assert kinds == (["charge"] if outcome == "completed" else ["charge", "release"])
    assert quota_status(owner).used == (1 if outcome == "completed" else 0)


def test_a_callback_racing_the_workers_poll_applies_once(
    live, owner, simulator, settings, transitions, record
):
    settings.POLL_AFTER_SECONDS = 0
    settings.POLL_INTERVAL_SECONDS = 0
    rounds = 5
    for n in range(rounds):
        # lost-callback: the simulator finishes the task but leaves the callback to us.
        job = services.submit(owner, {"prompt": f"A fox {n} [sim:lost-callback]"})
        services.dispatch(job.pk)
        job = Video.objects.get(pk=job.pk)
        response = simulator.wait_for_task(job.task_id)["response"]
        callback = _post(live.url, job, response)

        def poll():
            try:
                return poll_late()[1]
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=6) as pool:
            posted = [pool.submit(callback) for _ in range(3)]
            polled = [pool.submit(poll) for _ in range(3)]
            wins = [f.result() == (200, "applied") for f in posted] + [f.result() for f in polled]

        record(1, int(sum(wins) == 1))
        assert sum(wins) == 1, wins
        assert Video.objects.get(pk=job.pk).state == "completed"
    assert [state for _, state in transitions] == ["completed"] * rounds
    assert QuotaEvent.objects.filter(user=owner, kind="charge").count() == rounds
    assert quota_status(owner).used == rounds


def test_a_callback_for_a_job_whose_task_id_was_never_saved_completes_it_once(
    live, owner, simulator, transitions
):
    """The worker died after the upstream accepted: only the callback knows the task id."""
    job = services.submit(owner, {"prompt": "A fox"})
    Video.objects.filter(pk=job.pk).update(claimed_at=job.created_at)  # claimed, never saved
    body = success_body("3f1c1f6e-0000-4000-8000-000000000001")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(_post(live.url, job, body), range(10)))

    assert results.count((200, "applied")) == 1, results
    wait_for(lambda: len(transitions) == 1)
    job.refresh_from_db()
    assert job.state == "completed" and job.task_id == body["task_id"]
    assert QuotaEvent.objects.filter(video=job).count() == 1
