"""Enqueue the worker's sweep on a timer: the Tasks framework has no periodic tasks of its own."""

import logging
import threading

from django.db import close_old_connections

from .tasks import sweep

logger = logging.getLogger(__name__)


def _sweep_already_waiting() -> bool:
    """Whether a sweep is queued and not yet picked up (database backend only)."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another backend installed instead
        return False
    if not isinstance(sweep.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=sweep.module_path).exists()


def enqueue_sweep() -> bool:
    if _sweep_already_waiting():
        return False
    sweep.enqueue()
    return True


class Scheduler(threading.Thread):
    """Enqueue a sweep every `interval` seconds until stopped.

    Several schedulers (one per worker machine) are fine: a sweep already
    waiting is not enqueued again, and sweeps themselves are safe to overlap.
    """

    def __init__(self, interval: float):
        super().__init__(name="sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                close_old_connections()
                enqueue_sweep()
            except Exception:
                logger.exception("Could not enqueue the sweep; trying again next interval")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
