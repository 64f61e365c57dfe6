"""Crash recovery: real processes SIGKILLed at the worst moments, against the test database.

The worker is the real `manage.py run_worker`, killed while the simulator holds its accept
answer (the `slow-accept` fault): the upstream has the job, we never learned its task id.

The web process is killed inside the submission itself. Rather than race a kill against an
HTTP request (which would land at a random point), a real `manage.py shell` process runs the
same service the views call, pauses at a chosen point, and is SIGKILLed there: inside the
open transaction (after the row and the charge were written, before the commit), and after
the commit but before the dispatch was enqueued. Those are the two points where a dying web
process could lose a job or charge one that does not exist; every other point is before the
transaction (nothing written) or after the enqueue (the worker's ordinary path).

Every case asserts: no job lost (completed, or failed with a message and its quota back),
none submitted twice (the simulator's own count), none charged twice (the ledger).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SIM_TOKEN, wait_for
from tests.processes import current_database_url
from videos import services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status
from videos.sweep import sweep

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]


def _spawn(args, simulator, live, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "ACEDATACLOUD_BASE_URL": simulator.base_url,
        "ACEDATACLOUD_API_TOKEN": SIM_TOKEN,
        "ACEDATACLOUD_READ_TIMEOUT": "60",
        "PUBLIC_BASE_URL": live.url,
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def _ledger(video):
    return sorted(QuotaEvent.objects.filter(video=video).values_list("kind", flat=True))


@pytest.fixture
def crash_site(live, simulator, settings):
    settings.POLL_AFTER_SECONDS = 0
    settings.POLL_INTERVAL_SECONDS = 0
    simulator.hang_seconds = 60  # the accept answer is held until the worker is dead
    return live, simulator


@pytest.mark.parametrize("callback", ["arrives", "lost"])
def test_a_worker_killed_after_the_upstream_accepted_never_resubmits_the_job(
    crash_site, owner, settings, record, callback
):
    live, simulator = crash_site
    simulator.set_fault("videos", "slow-accept", times=1)
    prompt = "A fox" if callback == "arrives" else "A fox [sim:lost-callback]"
    job = services.submit(owner, {"prompt": prompt})  # commits: the dispatch task is queued
    worker = _spawn(["run_worker", "--interval", "0.1", "--no-sweep-timer"], simulator, live)
    try:
        wait_for(simulator.list_tasks, timeout=30)  # accepted upstream, answer still held
    finally:
        _kill(worker)

    if callback == "lost":
        assert Video.objects.get(pk=job.pk).claimed_at is not None  # claimed, never finished
        for _ in range(3):
            sweep()  # a restarted worker: must not submit the claimed job again
        assert Video.objects.get(pk=job.pk).state == "queued"
        settings.JOB_TIMEOUT_SECONDS = 0
    wait_for(lambda: sweep() and Video.objects.get(pk=job.pk).is_terminal, timeout=15)
    sweep()

    job.refresh_from_db()
    submitted_once = simulator.requests_count("/luma/videos") == 1
    record(1, int(submitted_once and job.is_terminal))
    assert submitted_once and len(simulator.list_tasks()) == 1
    if callback == "arrives":
        assert job.state == "completed" and job.task_id == simulator.list_tasks()[0]["id"]
        assert _ledger(job) == ["charge"] and quota_status(owner).used == 1
    else:
        assert job.state == "failed" and job.error_code == "timeout"
        assert "lost contact with AceDataCloud" in job.error_message
        assert _ledger(job) == ["charge", "release"] and quota_status(owner).used == 0


SUBMIT_AND_PAUSE = """
import os, time
from django.contrib.auth import get_user_model
from videos import quota
from videos import services

def pause(*args, **kwargs):
    open(os.environ["CRASH_MARKER"], "w").close()
    time.sleep(600)

if os.environ["CRASH_POINT"] == "inside-transaction":
    charge = quota.charge
    def charge_then_pause(*args, **kwargs):
        charge(*args, **kwargs)
        pause()
    quota.charge = charge_then_pause
else:
    services._enqueue_dispatch = pause
services.submit(get_user_model().objects.get(username="olivia"), {"prompt": "A fox"})
"""


@pytest.mark.parametrize("point", ["inside-transaction", "after-commit"])
def test_a_web_process_killed_mid_submit_loses_nothing_and_charges_once(
    crash_site, owner, tmp_path, record, point
):
    live, simulator = crash_site
    marker = tmp_path / "paused"
    web = _spawn(
        ["shell", "-c", SUBMIT_AND_PAUSE],
        simulator,
        live,
        CRASH_POINT=point,
        CRASH_MARKER=str(marker),
    )
    try:
        wait_for(marker.exists, timeout=30)
    finally:
        _kill(web)

    jobs = list(Video.objects.filter(owner=owner))
    if point == "inside-transaction":
        # Nothing committed: no row, no charge, and the quota lock died with the process.
        assert jobs == [] and QuotaEvent.objects.count() == 0
        job = services.submit(owner, {"prompt": "A fox, again"})
    else:
        # Committed but never enqueued: the sweep finds the due job and submits it.
        [job] = jobs
        assert job.state == "queued" and _ledger(job) == ["charge"]
    wait_for(lambda: sweep() and Video.objects.get(pk=job.pk).is_terminal, timeout=15)
    sweep()

    job.refresh_from_db()
    record(1, int(job.state == "completed"))
    assert job.state == "completed"
    assert simulator.requests_count("/luma/videos") == 1
    assert _ledger(job) == ["charge"] and quota_status(owner).used == 1
