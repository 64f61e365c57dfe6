"""The background worker: django-tasks-db's db_worker, riding out database outages, plus the
sweep timer.

django-tasks-db's worker exits on any database error but a locked SQLite file, so a short
PostgreSQL outage would stop the worker for good and leave every job queued afterwards
until someone restarted it. This worker logs the outage, backs off, reconnects and carries
on; a task interrupted by the outage is left to the sweep (it finds the job again).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from videos import heartbeat
from videos.sweep import SweepTimer

logger = logging.getLogger("videos.worker")
MAX_BACKOFF = 15.0
# A run that lasted this long was a recovery: the next outage backs off from the start.
HEALTHY_SECONDS = 60.0


class Worker(db_worker.Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resting = threading.Event()  # set on shutdown, to cut a back-off short

    def shutdown(self, signum, frame):
        self.resting.set()
        super().shutdown(signum, frame)

    def run(self):
        backoff = 1.0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return
            except DatabaseError as exc:
                if time.monotonic() - started > HEALTHY_SECONDS:
                    backoff = 1.0
                logger.warning(
                    "The database is unreachable (%s); trying again in %.0f s",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    backoff,
                )
                connections.close_all()
                self.running_task = False
                if self.resting.wait(backoff):
                    return
                backoff = min(backoff * 2, MAX_BACKOFF)


class Command(db_worker.Command):
    help = "Run the Luma Studio worker: submit jobs, poll late callbacks, time out stuck jobs."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=settings.WORKER_SWEEP_SECONDS,
            help="Seconds between sweeps (default: WORKER_SWEEP_SECONDS)",
        )
        parser.add_argument(
            "--no-sweep-timer",
            action="store_false",
            dest="sweep_timer",
            help="Only run tasks; another process enqueues the sweeps.",
        )

    def handle(self, *args, verbosity, sweep_interval, sweep_timer, **options):
        self.configure_logging(verbosity)
        if options["reload"]:
            raise CommandError("run_worker does not reload code; restart it instead.")
        queues = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        timer = SweepTimer(sweep_interval) if sweep_timer else None
        if timer:
            timer.start()
        beat = heartbeat.start(options["worker_id"], queues)
        try:
            worker.configure_signals()
            worker.run()
        finally:
            beat.stop()
            if timer:
                timer.stop()
