"""The worker process: django-tasks-db's worker plus the sweep scheduler."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker
from videos import scheduler
from videos.models import Video

ROOT = Path(__file__).resolve().parents[2]


def test_a_submission_enqueues_its_dispatch_when_committed(
    owner, django_capture_on_commit_callbacks
):
    from videos import services

    with django_capture_on_commit_callbacks(execute=True):
        video = services.submit(owner, {"prompt": "A fox"})

    [task] = DBTaskResult.objects.all()
    assert task.task_path == "videos.tasks.dispatch_video"
    assert task.args_kwargs["args"] == [str(video.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_enqueued_dispatch(owner, fake_upstream):
    from videos import services

    video = services.submit(owner, {"prompt": "A fox"})

    run_worker()

    assert Video.objects.get(pk=video.pk).state == "processing"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_does_not_pile_up_sweeps():
    assert scheduler.enqueue_sweep() is True
    assert scheduler.enqueue_sweep() is False
    assert DBTaskResult.objects.filter(task_path="videos.tasks.sweep").count() == 1

    run_worker()

    assert scheduler.enqueue_sweep() is True


@pytest.mark.slow
def test_the_worker_command_starts_sweeps_and_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "WORKER_SWEEP_SECONDS": "0.2",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(3)
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=20)[0]

    assert worker.returncode == 0, output
    assert "videos.tasks.sweep" in output and "state=SUCCESSFUL" in output
