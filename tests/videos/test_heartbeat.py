"""The worker's heartbeat: one row per worker, fresh while it runs, gone when it stops."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from tests.conftest import wait_for
from videos import heartbeat
from videos.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_beat_records_the_worker_its_queues_and_its_host():
    heartbeat.beat("w1", ["default", "media"])
    first = WorkerHeartbeat.objects.get()

    heartbeat.beat("w1", ["default", "media"])

    row = WorkerHeartbeat.objects.get()
    assert (row.worker_id, row.queues) == ("w1", ["default", "media"])
    assert row.hostname and row.pid
    assert row.seen_at >= first.seen_at and row.started_at == first.started_at


@pytest.mark.django_db
def test_alive_worker_ids_leaves_out_workers_that_went_quiet(settings):
    heartbeat.beat("fresh", ["default"])
    heartbeat.beat("quiet", ["default"])
    WorkerHeartbeat.objects.filter(pk="quiet").update(
        seen_at=timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    )

    assert heartbeat.alive_worker_ids() == {"fresh"}
    assert heartbeat.alive_worker_ids(timezone.now()) == {"fresh"}
    # As the task cleanup sees it later on: by then nobody is alive.
    later = timezone.now() + timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    assert heartbeat.alive_worker_ids(later) == set()


@pytest.mark.django_db
def test_long_gone_workers_are_forgotten(settings):
    heartbeat.beat("gone", ["default"])
    heartbeat.beat("quiet", ["default"])
    stale = timedelta(seconds=settings.WORKER_STALE_SECONDS)
    WorkerHeartbeat.objects.filter(pk="gone").update(seen_at=timezone.now() - 11 * stale)
    WorkerHeartbeat.objects.filter(pk="quiet").update(seen_at=timezone.now() - 2 * stale)

    assert heartbeat.forget_gone() == 1
    assert set(WorkerHeartbeat.objects.values_list("pk", flat=True)) == {"quiet"}


@pytest.mark.django_db(transaction=True)
def test_the_thread_beats_until_stopped_then_removes_its_row():
    thread = heartbeat.Heartbeat("w-thread", ["media"], interval=0.05)
    thread.start()
    try:
        first = wait_for(lambda: WorkerHeartbeat.objects.filter(pk="w-thread").first())
        wait_for(lambda: WorkerHeartbeat.objects.get(pk="w-thread").seen_at > first.seen_at)
    finally:
        thread.stop()

    assert not thread.is_alive()
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_thread_rides_out_a_database_outage_and_says_so_once(caplog):
    outage = OperationalError("the database system is shutting down")
    calls = []

    def flaky(worker_id, queues):
        calls.append(worker_id)
        if len(calls) <= 3:
            raise outage
        real_beat(worker_id, queues)

    real_beat = heartbeat.beat
    thread = heartbeat.Heartbeat("w-outage", ["default"], interval=0.02)
    with mock.patch.object(heartbeat, "beat", side_effect=flaky):
        thread.start()
        try:
            wait_for(lambda: WorkerHeartbeat.objects.filter(pk="w-outage").exists())
        finally:
            thread.stop()

    failures = [r for r in caplog.records if "heartbeat failed" in r.getMessage()]
    assert len(failures) == 1 and "OperationalError" in failures[0].getMessage()
    assert any("heartbeat recovered" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_run_worker_keeps_a_heartbeat_for_its_queues_and_removes_it_on_sigterm(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "WORKER_SWEEP_SECONDS": "0.2"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queue-name", "default,media"]
        + ["--worker-id", "w-real", "--no-sweep-timer", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def row():
        with sqlite3.connect(database) as conn:
            return conn.execute(
                "SELECT worker_id, queues, pid FROM videos_workerheartbeat"
            ).fetchall()

    try:
        [(worker_id, queues, pid)] = wait_for(row, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert (worker_id, json.loads(queues), pid) == ("w-real", ["default", "media"], worker.pid)
    assert worker.returncode == 0
    assert row() == []
