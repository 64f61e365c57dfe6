"""gunicorn's settings for Luma Studio: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Read from the environment (the systemd units' EnvironmentFile, or the platform's):
WEB_BIND (or PORT), WEB_PROCESSES (or WEB_CONCURRENCY), WEB_THREADS, LOG_FORMAT and
PROMETHEUS_MULTIPROC_DIR. Threads, not processes alone, because a synchronous gateway call
holds a thread while it waits (README: "How many synchronous calls can wait at once").
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from videos.log_filters import GunicornLogger  # noqa: E402

if os.environ.get("WEB_BIND"):
    bind = os.environ["WEB_BIND"]
elif os.environ.get("PORT"):  # platforms that read the Procfile say where to listen
    bind = f"0.0.0.0:{os.environ['PORT']}"
else:
    bind = "127.0.0.1:8000"  # behind a TLS proxy on the same machine
worker_class = "gthread"
workers = int(os.environ.get("WEB_PROCESSES") or os.environ.get("WEB_CONCURRENCY") or 3)
threads = int(os.environ.get("WEB_THREADS") or 8)
# On SIGTERM (systemd's stop) requests in progress get this long to finish; keep the
# unit's TimeoutStopSec above it.
graceful_timeout = 30
keepalive = 5


class Logger(GunicornLogger):
    """Access lines without callback secrets; one JSON object per line with LOG_FORMAT=json."""

    log_format = os.environ.get("LOG_FORMAT", "plain")


logger_class = Logger
accesslog = "-"
errorlog = "-"
# Default fields plus the time taken; the request line and path have secrets cut out.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    # A dead worker's live gauges must not be summed any more (its counters still count).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Imported here, not above: the master must not import prometheus_client before a
        # worker's settings have read PROMETHEUS_MULTIPROC_DIR (from .env, say).
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
