"""Never billed twice: when AceDataCloud may have a job but never said so, it is not resent.

A read timeout after the request went out is an unknown outcome, like a crash mid-call:
the job waits for its callback (which completes it by its secret, task id unknown) and the
job timeout is the backstop. Two ways to get there, both over real HTTP:

- the simulator's `slow-accept` fault holds every accept answer past our read timeout;
- the simulator's process is frozen (SIGSTOP) while jobs are submitted: the kernel still
  accepts the connections and takes the requests, nobody answers; on SIGCONT it reads them.

Either way, exactly one upstream task exists per job, and every job completes.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SIM_TOKEN, run_worker, wait_for
from videos import services
from videos.models import Video
from videos.quota import quota_status
from videos.sweep import sweep

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
JOBS = 3


def _submit_jobs(owner):
    return [services.submit(owner, {"prompt": f"A fox, take {n}"}).pk for n in range(JOBS)]


def _assert_one_upstream_task_per_job(ids, upstream_tasks, record):
    jobs = list(Video.objects.filter(pk__in=ids))
    task_ids = {job.task_id for job in jobs}
    held = sum(job.state == "completed" and job.submit_attempts == 1 for job in jobs)
    record(len(jobs), held)
    assert held == JOBS, [(j.state, j.error_code, j.submit_attempts) for j in jobs]
    assert len(upstream_tasks) == JOBS and task_ids == set(upstream_tasks)


def test_an_accept_slower_than_the_read_timeout_is_never_sent_twice(
    live, owner, simulator, settings, record
):
    settings.SUBMIT_RETRY_BASE_SECONDS = 0
    simulator.set_fault("videos", "slow-accept")  # every accept held 2.5 s; we wait 1 s
    simulator.delay = 3.0  # the result comes after our read timeout gave up
    ids = _submit_jobs(owner)

    run_worker()
    for job in Video.objects.filter(pk__in=ids):  # each waits (or has its result): none resent
        assert job.submit_attempts == 1
        assert job.state == "completed" or (job.state, job.error_code) == (
            "queued",
            "upstream_timeout",
        )
    for _ in range(3):
        sweep()
        run_worker()

    wait_for(lambda: Video.objects.filter(pk__in=ids, state="completed").count() == JOBS)
    sweep()
    assert simulator.requests_count("/luma/videos") == JOBS
    tasks = [task["id"] for task in simulator.list_tasks()]
    _assert_one_upstream_task_per_job(ids, tasks, record)
    assert quota_status(owner).used == JOBS


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def simulator_process(settings):
    """The simulator in a process of its own, so that it can be frozen."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_simulator", "--port", str(port), "--delay", "0.5"],
        cwd=ROOT,
        env={**os.environ, "ACEDATACLOUD_API_TOKEN": SIM_TOKEN, "DEBUG": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert "listening" in process.stdout.readline()
    base = f"http://127.0.0.1:{port}"
    settings.ACEDATACLOUD_BASE_URL = base
    yield process, base
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(timeout=10)


def _stats(base):
    with urllib.request.urlopen(f"{base}/_simulator/stats", timeout=5) as answer:
        return json.load(answer)


def _task_ids(base, ids):
    body = json.dumps({"action": "retrieve_batch", "ids": ids}).encode()
    request = urllib.request.Request(
        f"{base}/luma/tasks",
        data=body,
        headers={"authorization": f"Bearer {SIM_TOKEN}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return [item["id"] for item in json.load(answer)["items"]]


def test_a_frozen_upstream_never_gets_a_job_twice(
    live_server, owner, settings, simulator_process, record
):
    process, base = simulator_process
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SUBMIT_RETRY_BASE_SECONDS = 0
    ids = _submit_jobs(owner)

    process.send_signal(signal.SIGSTOP)
    try:
        run_worker()  # each submit is sent, then the read times out: unknown outcomes
        sweep()
        run_worker()
    finally:
        process.send_signal(signal.SIGCONT)
    waiting = Video.objects.filter(pk__in=ids, state="queued", claimed_at__isnull=False)
    assert waiting.count() == JOBS  # frozen: no result can have come yet

    wait_for(lambda: Video.objects.filter(pk__in=ids, state="completed").count() == JOBS)
    sweep()
    run_worker()
    assert _stats(base)["requests"]["/luma/videos"] == JOBS
    known = _task_ids(base, [job.task_id for job in Video.objects.filter(pk__in=ids)])
    tasks = _stats(base)["tasks"]
    assert tasks["completed"] == JOBS and sum(tasks.values()) == JOBS
    _assert_one_upstream_task_per_job(ids, known, record)
