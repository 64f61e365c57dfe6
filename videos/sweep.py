"""The worker's sweep: its one periodic duty, and the timer that enqueues it.

Every WORKER_SWEEP_SECONDS the sweep submits due jobs, polls jobs whose callback is late,
ends jobs that hang, enqueues media copies that are due and requeues stalled callback
deliveries. Safe with several workers on several machines: each job is claimed with a
compare-and-set (or a skip-locked row lock on PostgreSQL) before anyone talks to
AceDataCloud about it, and every transition is itself a compare-and-set.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import failures, heartbeat, line, media, services, uploads
from .acedata import AceDataError, get_client
from .gateway import delivery
from .models import Video

logger = logging.getLogger(__name__)
DISPATCH_BATCH = 100
POLL_BATCH = 5000


@dataclass
class SweepReport:
    dispatched: int = 0
    polled: int = 0
    updated: int = 0
    timed_out: int = 0
    copies: int = 0
    deliveries: int = 0
    abandoned: int = 0
    uploads_removed: int = 0

    def as_dict(self):
        return self.__dict__.copy()


def dispatch_due(now=None) -> int:
    now = now or timezone.now()
    due = Video.objects.filter(
        state=Video.State.QUEUED,
        task_id__isnull=True,
        claimed_at__isnull=True,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at")
    return sum(services.dispatch(pk) for pk in due.values_list("pk", flat=True)[:DISPATCH_BATCH])


def _claim_late_jobs(now) -> list[Video]:
    """Pick in-flight jobs whose callback is late and stamp them so no other worker polls them."""
    late = Video.objects.filter(
        state=Video.State.PROCESSING,
        task_id__isnull=False,
        submitted_at__lte=now - timedelta(seconds=settings.POLL_AFTER_SECONDS),
    ).filter(
        Q(last_polled_at__isnull=True)
        | Q(last_polled_at__lte=now - timedelta(seconds=settings.POLL_INTERVAL_SECONDS))
    )
    with transaction.atomic():
        jobs = list(late.select_for_update(skip_locked=True).order_by("submitted_at")[:POLL_BATCH])
        Video.objects.filter(pk__in=[job.pk for job in jobs]).update(last_polled_at=now)
    return jobs


def poll_late(now=None) -> tuple[int, int]:
    """Return (jobs polled, jobs that reached a final state)."""
    now = now or timezone.now()
    jobs = _claim_late_jobs(now)
    if not jobs:
        return 0, 0
    try:
        records = get_client().retrieve_batch([job.task_id for job in jobs])
    except AceDataError as exc:
        # The job timeout is the backstop; a poll that failed is simply tried again later.
        logger.warning("Polling %d late jobs failed: %s", len(jobs), exc.code)
        return len(jobs), 0
    updated, known, unknown = 0, [], []
    for job in jobs:
        record = records.get(job.task_id)
        if record is None:
            unknown.append(job.pk)
            continue
        known.append(job.pk)
        if record.get("response"):
            updated += services.apply_result(job, record["response"], job.task_id)
    Video.objects.filter(pk__in=known, unknown_polls__gt=0).update(unknown_polls=0)
    return len(jobs), updated + _forget(unknown)


def _forget(ids) -> int:
    """Count an "unknown task" answer; fail jobs AceDataCloud has forgotten. Return how many."""
    if not ids:
        return 0
    Video.objects.filter(pk__in=ids).update(unknown_polls=F("unknown_polls") + 1)
    limit = settings.UPSTREAM_FORGOTTEN_POLLS
    params = {"kind": failures.FORGOTTEN, "polls": limit}
    forgotten = Video.objects.filter(pk__in=ids, unknown_polls__gte=limit)
    return sum(services.fail(job, "upstream_forgot", params) for job in forgotten)


def time_out_stuck(now=None) -> int:
    now = now or timezone.now()
    limit = settings.JOB_TIMEOUT_SECONDS
    cutoff = now - timedelta(seconds=limit)
    minutes = max(round(limit / 60), 1)
    ended = 0
    # A job's time runs from when it left its owner's line (sent, or claimed to be sent), not
    # from when it joined: a long wait in line is no sign of a stuck job.
    since = Coalesce("submitted_at", "claimed_at", "created_at")
    stuck = Video.objects.in_flight().alias(since=since).filter(since__lte=cutoff)
    # One waiting its turn, never yet tried, is not stuck at all: it goes when an earlier
    # one ends (videos/line.py), however long that takes.
    stuck = stuck.exclude(pk__in=line.waiting().filter(submit_attempts=0, error_code=""))
    for job in stuck:
        params = {"kind": failures.TIMED_OUT, "minutes": minutes}
        if job.state == Video.State.PROCESSING:
            params["stage"] = "processing"
        elif job.claimed_at is not None:
            # A crash or a read timeout mid-submit: AceDataCloud may have the job.
            params["stage"] = "lost_contact"
        else:
            params["stage"] = "not_started"
            if job.error_code:  # the last transient fault is why it never started
                params["last_code"] = job.error_code
                if job.error_params.get("detail"):
                    params["detail"] = job.error_params["detail"]
        ended += services.fail(job, "timeout", params)
    return ended


def sweep() -> SweepReport:
    report = SweepReport()
    report.dispatched = dispatch_due()
    report.polled, report.updated = poll_late()
    report.timed_out = time_out_stuck()
    report.copies = media.enqueue_due()
    report.deliveries = delivery.recover_stalled()
    report.abandoned = end_abandoned_tasks()
    report.uploads_removed = uploads.remove_unused()
    return report


def end_abandoned_tasks(now=None) -> int:
    """Mark failed the tasks whose worker died while running them (left RUNNING forever).

    A task is abandoned when the worker that claimed it stopped reporting in (its heartbeat
    went stale), or, for a worker with no heartbeat, when it started longer ago than
    TASK_ABANDONED_SECONDS. Whatever such a task was doing is found again by the sweep
    itself: a claimed job waits for its callback or its timeout, a copy or a delivery is
    retried.
    """
    if not isinstance(sweep_task.get_backend(), DatabaseBackend):
        return 0  # other backends (RQ) keep and expire their own records
    now = now or timezone.now()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    silent = heartbeat.silent_worker_ids(now)
    orphans = [
        pk
        for pk, workers in running.values_list("pk", "worker_ids")
        if workers and workers[-1] in silent
    ]
    cutoff = now - timedelta(seconds=settings.TASK_ABANDONED_SECONDS)
    ended = running.filter(Q(pk__in=orphans) | Q(started_at__lt=cutoff)).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="videos.sweep.WorkerLost",
        traceback="The worker running this task stopped before it finished.",
    )
    if ended:
        logger.warning("Marked %d abandoned task(s) failed: their worker died", ended)
    return ended


class WorkerLost(Exception):
    """What an abandoned task failed of: its worker was killed or its machine lost."""


@task()
def sweep_task() -> dict:
    """The sweep, as a background task (SweepTimer enqueues it)."""
    return sweep().as_dict()


def _sweep_already_waiting() -> bool:
    """Whether a sweep is queued and not yet picked up (the database backend can tell)."""
    if not isinstance(sweep_task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=sweep_task.module_path).exists()


def enqueue_sweep() -> bool:
    if _sweep_already_waiting():
        return False
    sweep_task.enqueue()
    return True


class SweepTimer(threading.Thread):
    """Enqueue a sweep every `interval` seconds until stopped.

    Several timers (one per worker machine) are fine: a sweep already waiting is not
    enqueued again, and sweeps themselves are safe to overlap.
    """

    def __init__(self, interval: float):
        super().__init__(name="sweep-timer", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                close_old_connections()
                enqueue_sweep()
            except DatabaseError as exc:  # an outage: one line each time, not a traceback
                first_line = (str(exc).strip() or type(exc).__name__).splitlines()[0]
                logger.warning("Could not enqueue the sweep (%s); trying again", first_line)
            except Exception:
                logger.exception("Could not enqueue the sweep; trying again next interval")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
