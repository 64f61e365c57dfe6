"""The background worker: django-tasks-db's db_worker plus the sweep timer."""

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from videos import heartbeat
from videos.sweep import SweepTimer


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

    def handle(self, *args, sweep_interval, sweep_timer, **options):
        thread = SweepTimer(sweep_interval) if sweep_timer else None
        if thread:
            thread.start()
        beat = heartbeat.start(options["worker_id"], options["queue_name"].split(","))
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
            if thread:
                thread.stop()
