"""The background task queues as an operator sees them: what waits, for how long, who serves.

The queues are settings.TASKS["default"]["QUEUES"] (`default`: dispatch, sweep, callback
deliveries; `media`: copies). With the database backend (django-tasks-db) a queue's depth
is its READY tasks that are due, read in one statement for every queue, and its workers are
the heartbeats of videos/heartbeat.py. With the RQ backend both come from RQ itself: the
queue lengths and RQ's own worker registry in Redis.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from . import heartbeat


@dataclass(frozen=True)
class QueueState:
    name: str
    waiting: int  # tasks ready to run now
    oldest_wait_seconds: float  # how long the longest-waiting of them has been due
    workers: int  # live workers serving the queue


def names() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def _database_waiting(now: datetime) -> dict[str, tuple[int, float]]:
    # A task is due from when it was enqueued, or from its run_after when it was delayed.
    due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    rows = (
        DBTaskResult.objects.ready()
        .filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        .order_by()
        .values("queue_name")
        .annotate(waiting=Count("id"), since=Min(due_since))
    )
    return {
        row["queue_name"]: (row["waiting"], max((now - row["since"]).total_seconds(), 0.0))
        for row in rows
    }


def _database_workers(queues: list[str]) -> dict[str, int]:
    served = dict.fromkeys(queues, 0)
    for worker_queues in heartbeat.alive().values_list("queues", flat=True):
        for name in queues:
            if name in worker_queues or "*" in worker_queues:
                served[name] += 1
    return served


def _rq_states(queues: list[str], now: datetime) -> dict[str, QueueState]:
    # Imported here because django-rq is installed only by sites that use the RQ backend.
    import django_rq
    from rq import Worker

    states = {}
    for name in queues:
        queue = django_rq.get_queue(name)
        waiting = queue.count
        oldest = 0.0
        first = queue.get_jobs(0, 1)
        if first and first[0].enqueued_at:
            enqueued = first[0].enqueued_at
            if timezone.is_naive(enqueued):
                enqueued = enqueued.replace(tzinfo=UTC)
            oldest = max((now - enqueued).total_seconds(), 0.0)
        workers = len(Worker.all(queue=queue))
        states[name] = QueueState(name, waiting, oldest, workers)
    return states


def states(now: datetime | None = None) -> dict[str, QueueState]:
    """Every configured queue's state: two statements with the database backend."""
    now = now or timezone.now()
    queues = names()
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return _rq_states(queues, now)
    waiting = _database_waiting(now)
    workers = _database_workers(queues)
    return {
        name: QueueState(name, *waiting.get(name, (0, 0.0)), workers=workers[name])
        for name in queues
    }
