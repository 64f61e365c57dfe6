"""The worker process: django-tasks-db's worker plus the sweep timer; queued tasks' paths."""

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker
from tests.factories import make_video
from videos import services, sweep
from videos.models import Video

ROOT = Path(__file__).resolve().parents[2]


def test_a_submission_enqueues_its_dispatch_when_committed(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        video = services.submit(owner, {"prompt": "A fox"})

    [task] = DBTaskResult.objects.all()
    assert task.task_path == "videos.services.dispatch_video"
    assert task.args_kwargs["args"] == [str(video.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_enqueued_dispatch(owner, fake_upstream):
    video = services.submit(owner, {"prompt": "A fox"})

    run_worker()

    assert Video.objects.get(pk=video.pk).state == "processing"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_sweep_timer_does_not_pile_up_sweeps():
    assert sweep.enqueue_sweep() is True
    assert sweep.enqueue_sweep() is False
    assert DBTaskResult.objects.filter(task_path="videos.sweep.sweep_task").count() == 1

    run_worker()

    assert sweep.enqueue_sweep() is True


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
    assert "videos.sweep.sweep_task" in output and "state=SUCCESSFUL" in output


MIGRATION = importlib.import_module("videos.migrations.0005_move_queued_task_paths")


@pytest.mark.django_db(transaction=True)
def test_tasks_queued_under_the_old_paths_still_run_after_the_upgrade(owner, fake_upstream):
    """Tasks lived in videos/tasks.py and videos/gateway/tasks.py before the layout moved."""
    job = services.submit(owner, {"prompt": "A fox"})
    DBTaskResult.objects.all().delete()  # as if queued by the old code
    done = make_video(owner, media_state="pending")
    for path, args in [
        ("videos.tasks.dispatch_video", [str(job.pk)]),
        ("videos.tasks.copy_media", [str(done.pk)]),
        ("videos.tasks.sweep", []),
        ("videos.gateway.tasks.deliver_callback", [str(done.pk), 1]),
    ]:
        DBTaskResult.objects.create(
            task_path=path,
            args_kwargs={"args": args, "kwargs": {}},
            queue_name="default",
            backend_name="default",
            priority=0,
        )

    MIGRATION.forwards(django_apps, None)
    run_worker()

    statuses = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert statuses == {
        "videos.services.dispatch_video": "SUCCESSFUL",
        "videos.media.copy_media": "SUCCESSFUL",
        "videos.sweep.sweep_task": "SUCCESSFUL",
        "videos.gateway.delivery.deliver_callback": "SUCCESSFUL",
    }
    assert Video.objects.get(pk=job.pk).state == "processing"
