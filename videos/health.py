"""/healthz and /readyz: is the process alive, and can the site do its work.

`/healthz` answers 200 while the process serves requests; it touches nothing else (a
database outage must not get web processes restarted). `/readyz` runs django-health-check's
database, cache and storage checks plus two of ours, written as its plugins: a live worker
serves every queue (videos/heartbeat.py), and no queue is backed up (videos/queues.py).
`/readyz/web` runs only what a web process itself needs (database, cache, storage): point a
load balancer's readiness probe there, since a stopped worker is not fixed by sending
traffic elsewhere, and point monitoring at `/readyz`.

Both answer a small JSON body, 200 or 503, without authentication. They name each check and
say "ok" or a short reason written here; an exception's own text (which could name a host,
a path or a user) never reaches the body, only the log.
"""

import asyncio
import dataclasses

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView

from . import queues


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} seconds"


@dataclasses.dataclass
class WorkersAlive(HealthCheck):
    """Every task queue has a worker that reported in within WORKER_STALE_SECONDS."""

    async def run(self):
        # In the request's own thread (and database connection), like any view's queries.
        states = await sync_to_async(queues.states, thread_sensitive=True)()
        idle = [name for name, state in states.items() if state.workers == 0]
        if idle:
            queues_named = (
                f"the {idle[0]} queue"
                if len(idle) == 1
                else (f"the {', '.join(idle[:-1])} and {idle[-1]} queues")
            )
            raise ServiceUnavailable(
                f"no worker serving {queues_named} has reported in within "
                f"{_minutes(settings.WORKER_STALE_SECONDS)}"
            )


@dataclasses.dataclass
class QueuesFlowing(HealthCheck):
    """No queue holds more than QUEUE_MAX_DEPTH due tasks or one due for QUEUE_MAX_WAIT_SECONDS."""

    async def run(self):
        states = await sync_to_async(queues.states, thread_sensitive=True)()
        for name, state in states.items():
            if state.waiting > settings.QUEUE_MAX_DEPTH:
                raise ServiceUnavailable(
                    f"more than {settings.QUEUE_MAX_DEPTH} tasks are waiting in the {name} queue"
                )
            if state.oldest_wait_seconds > settings.QUEUE_MAX_WAIT_SECONDS:
                raise ServiceUnavailable(
                    f"a task in the {name} queue has waited over "
                    f"{_minutes(settings.QUEUE_MAX_WAIT_SECONDS)}"
                )


WEB_CHECKS = {"database": Database, "cache": Cache, "storage": Storage}
ALL_CHECKS = {**WEB_CHECKS, "workers": WorkersAlive, "queues": QueuesFlowing}
# Our own checks' messages are written above and safe to show; a library check's may quote
# its exception (a database host, a file path), so only its kind is shown.
OWN_CHECKS = (WorkersAlive, QueuesFlowing)


def _verdict(check: HealthCheck, error: HealthCheckException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(check, OWN_CHECKS) and isinstance(error, ServiceUnavailable):
        return error.message
    return error.message_type.lower()


class ReadinessView(HealthCheckView):
    """Run the checks at once; 200 when all pass, else 503. Never cached."""

    named_checks = ALL_CHECKS

    async def get(self, request, *args, **kwargs):
        checks = {name: check() for name, check in self.named_checks.items()}
        with self.get_executor() as executor:
            results = await asyncio.gather(*(c.get_result(executor) for c in checks.values()))
        verdicts = {
            name: _verdict(result.check, result.error)
            for name, result in zip(checks, results, strict=True)
        }
        healthy = all(verdict == "ok" for verdict in verdicts.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": verdicts},
            status=200 if healthy else 503,
        )


@require_GET
def healthz(request):
    """The process is up and serving requests; nothing else is looked at."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response
