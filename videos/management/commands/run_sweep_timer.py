"""Enqueue the sweep on a timer, for task backends whose workers are not run_worker (RQ)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from videos.sweep import SweepTimer


class Command(BaseCommand):
    help = "Enqueue the worker's sweep every WORKER_SWEEP_SECONDS (for non-database task backends)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=settings.WORKER_SWEEP_SECONDS)

    def handle(self, *args, interval, **options):
        self.stdout.write(f"Enqueuing a sweep every {interval:g} s. Ctrl-C to stop.")
        timer = SweepTimer(interval)
        try:
            timer.run()
        except KeyboardInterrupt:
            timer.stop()
