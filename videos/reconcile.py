"""What the worker does on every sweep: submit due jobs, poll late ones, end stuck ones.

Safe with several workers on several machines: each job is claimed with a
compare-and-set (or a skip-locked row lock on PostgreSQL) before anyone
talks to AceDataCloud about it, and every transition is itself a compare-and-set.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import media, services
from .acedata import AceDataError, get_client
from .models import Video
from .signals import swept

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
    updated = 0
    for job in jobs:
        response = (records.get(job.task_id) or {}).get("response")
        if response:
            updated += services.apply_result(job, response, job.task_id)
    return len(jobs), updated


def time_out_stuck(now=None) -> int:
    now = now or timezone.now()
    limit = settings.JOB_TIMEOUT_SECONDS
    cutoff = now - timedelta(seconds=limit)
    minutes = max(round(limit / 60), 1)
    ended = 0
    for job in Video.objects.in_flight().filter(created_at__lte=cutoff):
        if job.state == Video.State.PROCESSING:
            message = f"AceDataCloud did not finish this video within {minutes} minutes."
        elif job.claimed_at is not None:
            message = (
                "Luma Studio lost contact with AceDataCloud while starting this job, and no "
                f"result arrived within {minutes} minutes."
            )
        else:
            reason = job.error_message.removesuffix("; retrying.") or "it was never picked up"
            message = f"Could not start this job within {minutes} minutes: {reason}."
        ended += services.fail(job, "timeout", message + " No quota was used.")
    return ended


def sweep() -> SweepReport:
    report = SweepReport()
    report.dispatched = dispatch_due()
    report.polled, report.updated = poll_late()
    report.timed_out = time_out_stuck()
    report.copies = media.enqueue_due()
    for receiver, outcome in swept.send_robust(sender=SweepReport, report=report):
        if isinstance(outcome, Exception):
            logger.error("Sweep extension %r failed: %r", receiver, outcome)
    return report
