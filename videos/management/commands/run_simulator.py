"""Run the local AceDataCloud Luma simulator in the foreground (development only)."""

import logging
import signal
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from videos.simulator import Simulator


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for AceDataCloud's Luma API (/luma/videos, /luma/tasks, media, "
        "and an unauthenticated /_simulator/* control API). Development and tests only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", help="Bind address (SIMULATOR_HOST, else 127.0.0.1).")
        parser.add_argument("--port", type=int, help="Port (SIMULATOR_PORT, else 8765).")
        parser.add_argument(
            "--delay",
            type=float,
            help="Seconds to finish a task (SIMULATOR_DELAY_SECONDS, else 20).",
        )
        parser.add_argument(
            "--token", help="Bearer token to accept (ACEDATACLOUD_API_TOKEN; unset accepts any)."
        )
        parser.add_argument(
            "--public-base-url",
            help="Base of the media URLs handed out (SIMULATOR_PUBLIC_BASE_URL, else own address).",
        )
        parser.add_argument(
            "--hang-seconds", type=float, default=5.0, help="How long the timeout fault hangs."
        )
        parser.add_argument(
            "--unknown-task",
            choices=["empty", "error"],
            default="empty",
            help="Answer a retrieve of an unknown id with 200 {} (empty) or 400 (error).",
        )
        parser.add_argument(
            "--video-bytes", type=int, help="Pad every task's .mp4 to this size (benchmarks)."
        )

    def handle(self, *args, **options):
        self._configure_logging(options["verbosity"])
        token = options["token"] or settings.ACEDATACLOUD_API_TOKEN or None
        delay = options["delay"]
        if delay is None:
            delay = settings.SIMULATOR_DELAY_SECONDS
        port = options["port"]
        if port is None:
            port = settings.SIMULATOR_PORT
        simulator = Simulator(
            host=options["host"] or settings.SIMULATOR_HOST,
            port=int(port),
            token=token,
            delay=float(delay),
            hang_seconds=options["hang_seconds"],
            unknown_task=options["unknown_task"],
            public_base_url=(
                options["public_base_url"] or settings.SIMULATOR_PUBLIC_BASE_URL or None
            ),
            video_bytes=options["video_bytes"],
        )
        try:
            base_url = simulator.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {simulator.host}:{simulator.port}: {exc}")

        self.stdout.write(f"Luma simulator listening on {base_url} (tasks finish in {delay}s)")
        self.stdout.write(f"Point the client at it: ACEDATACLOUD_BASE_URL={base_url}")
        if token is None:
            self.stdout.write(
                self.style.WARNING("No token configured: any bearer token is accepted.")
            )
        self.stdout.write("Quit with CONTROL-C.")
        self.stdout.flush()

        stop = threading.Event()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        for sig in previous:
            signal.signal(sig, lambda *_: stop.set())
        try:
            # A timed wait keeps the main thread responsive to signals on every platform.
            while not stop.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            simulator.stop()
        self.stdout.write("Luma simulator stopped.")

    def _configure_logging(self, verbosity: int) -> None:
        """Show request logs on the console unless the project's LOGGING already routes them."""
        logger = logging.getLogger("videos.simulator")
        logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO)
        if not logger.hasHandlers():
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
