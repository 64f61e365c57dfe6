"""Each worker process says it is alive: one row per worker, refreshed by a thread.

`run_worker` starts a Heartbeat for its worker id and the queues it serves. Every
WORKER_SWEEP_SECONDS the thread stamps the row with the database's clock (so workers on
several machines are compared fairly); a graceful stop deletes the row. A worker not heard
from for WORKER_STALE_SECONDS counts as gone: /readyz fails when a queue has no live
worker, /metrics counts the live ones, and the tasks a gone worker left running can be
cleaned up (`alive_worker_ids`).

The thread rides out a database outage: it logs the first failure and the recovery, and
keeps beating.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models.functions import Now

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _cutoff(now: datetime | None):
    stale = timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return (now - stale) if now is not None else Now() - stale


def alive(now: datetime | None = None):
    """Heartbeats fresher than WORKER_STALE_SECONDS (by the database's clock unless `now`)."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=_cutoff(now))


def alive_worker_ids(now: datetime | None = None) -> set[str]:
    """Ids of the workers heard from lately: a RUNNING task claimed by none of them is orphaned."""
    return set(alive(now).values_list("worker_id", flat=True))


def silent_worker_ids(now: datetime | None = None) -> set[str]:
    """Ids of workers that reported in once and have since gone quiet (killed, machine lost)."""
    return set(
        WorkerHeartbeat.objects.filter(seen_at__lt=_cutoff(now)).values_list("worker_id", flat=True)
    )


def forget_gone(now: datetime | None = None) -> int:
    """Delete heartbeats of workers that stopped beating long ago (ten stale periods)."""
    gone = 10 * timedelta(seconds=settings.WORKER_STALE_SECONDS)
    long_ago = (now - gone) if now is not None else Now() - gone
    return WorkerHeartbeat.objects.filter(seen_at__lt=long_ago).delete()[0]


def beat(worker_id: str, queues: list[str]) -> None:
    """Record that this worker is alive now (one UPDATE; an INSERT the first time)."""
    if WorkerHeartbeat.objects.filter(pk=worker_id).update(seen_at=Now(), queues=queues):
        return
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=socket.gethostname()[:255],
        pid=os.getpid(),
        queues=queues,
        started_at=Now(),
        seen_at=Now(),
    )


class Heartbeat(threading.Thread):
    """Beat every `interval` seconds until stopped; stopping removes the worker's row."""

    def __init__(self, worker_id: str, queues: list[str], interval: float | None = None):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = sorted(set(queues))
        self.interval = interval or settings.WORKER_SWEEP_SECONDS
        self.stopped = threading.Event()
        self.failing = False

    def run(self):
        try:
            while not self.stopped.is_set():
                self._beat_once()
                self.stopped.wait(self.interval)
            self._forget()
        finally:
            connection.close()

    def _beat_once(self):
        try:
            close_old_connections()
            beat(self.worker_id, self.queues)
            forget_gone()
        except Exception as exc:
            if not self.failing:
                logger.warning("Worker heartbeat failed (%s); retrying", type(exc).__name__)
            self.failing = True
        else:
            if self.failing:
                logger.info("Worker heartbeat recovered")
            self.failing = False

    def _forget(self):
        try:
            WorkerHeartbeat.objects.filter(pk=self.worker_id).delete()
        except Exception as exc:
            # It goes stale by itself; a clean stop just says so sooner.
            logger.warning("Could not remove the heartbeat on stop (%s)", type(exc).__name__)

    def stop(self, timeout: float = 10.0):
        self.stopped.set()
        if self.is_alive():
            self.join(timeout)


def start(worker_id: str, queues: list[str]) -> Heartbeat:
    thread = Heartbeat(worker_id, queues)
    thread.start()
    return thread
