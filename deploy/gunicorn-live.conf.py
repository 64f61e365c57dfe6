"""gunicorn for the live processes: `gunicorn -c deploy/gunicorn-live.conf.py config.asgi`.

The same as deploy/gunicorn.conf.py (logging, metrics, graceful stop) but with uvicorn's
worker, serving the long waits as coroutines: live updates (/events/) and synchronous
gateway calls (/luma/videos). The proxy sends those two paths here and everything else to
the threaded web processes (README, Production: bench/live.py measured pages slower
under ASGI). Read from the environment: LIVE_BIND (default 127.0.0.1:8001) and
LIVE_PROCESSES (default 2), plus what deploy/gunicorn.conf.py reads.
"""

import os
import runpy
from pathlib import Path

_shared = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
globals().update({k: v for k, v in _shared.items() if not k.startswith("__")})

bind = os.environ.get("LIVE_BIND") or "127.0.0.1:8001"
worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("LIVE_PROCESSES") or 2)
threads = 1  # unused by the uvicorn worker; each request is a coroutine
# A stream is closed by the server after LIVE_STREAM_SECONDS anyway; on a restart the
# browsers reconnect (Last-Event-ID) and waiting gateway calls are answered at once by
# another process only if they are retried: give them the graceful period.
graceful_timeout = 30
