"""A local stand-in for AceDataCloud's Luma API, served over real HTTP from a background thread.

Pure standard library and no Django, so tests can start one in-process on port 0:

    sim = Simulator(token="t", delay=0.2)
    base_url = sim.start()      # "http://127.0.0.1:PORT"; point the client's base URL here
    ...
    sim.stop()

Routes: POST /luma/videos and /luma/tasks (bearer token), GET /luma/<task_id>.mp4|.jpg and
/luma/_sized/<bytes>.mp4 (Range-capable media), and the control API /_simulator/{health,stats,
faults,reset,complete}, which has no auth on purpose: it is a development tool, never deployed.
Faults (see faults.py) come from a `[sim:<name>]` keyword in the prompt or from set_fault().
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections import Counter
from functools import partial
from http.server import ThreadingHTTPServer

from . import callbacks
from .faults import FAIL, FAILURE_ERROR, LOST_CALLBACK, STUCK, FaultBoard
from .handler import Handler
from .media import ASPECT_SIZES, BytesSource, RepeatedSource, asset_bytes
from .store import COMPLETED, FAILED, TERMINAL, Scheduler, Task, TaskStore

logger = logging.getLogger("videos.simulator")

API_PATHS = {"videos": "/luma/videos", "tasks": "/luma/tasks"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, simulator: Simulator):
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Cut open keep-alive connections so stop() leaves no thread serving a stale socket."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address) -> None:
        logger.exception("simulator error while serving %s", client_address[0])


class Simulator:
    """AceDataCloud's /luma/videos and /luma/tasks, with media, callbacks and faults on demand.

    token: the bearer token to accept; None accepts any non-empty token.
    delay: seconds from accept to completion (sync requests are held that long); 0 completes
        at once in the background. Read per task, so it may be changed while running.
    hang_seconds: how long the `timeout` fault holds a request before its 504.
    unknown_task: "empty" answers a retrieve of an unknown id with 200 {}, "error" with 400.
    public_base_url: base of the media URLs handed out (default: the simulator's own address).
    video_bytes: if set, every task's .mp4 is this many bytes (the real clip, padded) for
        download benchmarks; the reported width/height stay true.
    callback_attempts/backoff/timeout: delivery policy for callbacks (back-off doubles).
    fetch_timeout: seconds to fetch each frame (or video_url) a request names.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = "test-token",  # noqa: S107 - a local stand-in, not a credential
        delay: float = 2.0,
        hang_seconds: float = 5.0,
        unknown_task: str = "empty",
        public_base_url: str | None = None,
        video_bytes: int | None = None,
        callback_attempts: int = 4,
        callback_backoff: float = 0.5,
        callback_timeout: float = 10.0,
        fetch_timeout: float = 10.0,
    ):
        if unknown_task not in ("empty", "error"):
            raise ValueError('unknown_task must be "empty" or "error"')
        self.host = host
        self.port = port
        self.token = token or None
        self.delay = float(delay)
        self.hang_seconds = float(hang_seconds)
        self.unknown_task = unknown_task
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.video_bytes = video_bytes
        self.callback_attempts = callback_attempts
        self.callback_backoff = callback_backoff
        self.callback_timeout = callback_timeout
        self.fetch_timeout = fetch_timeout

        self.faults = FaultBoard()
        self.store = TaskStore(
            {
                "api_id": str(uuid.uuid4()),
                "application_id": str(uuid.uuid4()),
                "credential_id": str(uuid.uuid4()),
                "user_id": str(uuid.uuid4()),
            }
        )
        self._counts: Counter[str] = Counter()
        self._callback_log: list[dict] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scheduler = Scheduler()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        """Bind, serve from a daemon thread, and return the base URL."""
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._scheduler.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # also bounds how long stop() waits
            name="luma-simulator",
            daemon=True,
        )
        self._thread.start()
        logger.info("Luma simulator listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving, wake held requests and drop pending timers and callback retries."""
        self._stopping.set()
        self._scheduler.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        # A wildcard bind is not an address a client can use; loopback is.
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def media_base_url(self) -> str:
        return self.public_base_url or self.base_url

    # --- control API (Python side; the HTTP side is /_simulator/*) ---------------------------
    def set_fault(self, endpoint: str, fault: str | None, times: int | None = None) -> None:
        """Make every request on "videos" or "tasks" hit `fault` (None clears), or only `times`."""
        self.faults.set(endpoint, fault, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def get_task(self, task_id: str) -> dict | None:
        """Return the task record exactly as /luma/tasks retrieve would, or None."""
        return self.store.record(task_id)

    def list_tasks(self) -> list[dict]:
        return [r for r in map(self.store.record, self.store.ids()) if r is not None]

    def wait_for_task(self, task_id: str, timeout: float = 5.0) -> dict:
        """Block until the task is completed or failed; return its record or raise TimeoutError."""
        task = self.wait_for_done(task_id, timeout)
        if task is None:
            raise TimeoutError(f"task {task_id} did not finish within {timeout}s")
        return self.store.record(task_id)

    def complete_now(self, task_id: str) -> bool:
        """Finish a task now (even a `stuck` one); False if unknown or already finished."""
        return self._finish(task_id, force=True)

    def requests_count(self, path: str) -> int:
        """Requests received on a path ("/luma/tasks"), or on "videos" / "tasks" for short."""
        with self._lock:
            return self._counts[API_PATHS.get(path, path)]

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def callback_log(self, task_id: str | None = None) -> list[dict]:
        """Every callback attempt: task_id, attempt, status, error, ok."""
        with self._lock:
            return [dict(a) for a in self._callback_log if task_id in (None, a["task_id"])]

    def stats(self) -> dict:
        log = self.callback_log()
        return {
            "requests": self.request_counts(),
            "tasks": self.store.state_counts(),
            "callbacks": {
                "attempts": len(log),
                "delivered": sum(1 for a in log if a["ok"]),
                "failed_attempts": sum(1 for a in log if not a["ok"]),
            },
            "faults": self.faults.snapshot(),
            "delay": self.delay,
        }

    def reset(self) -> None:
        """Forget tasks, faults, request counts and the callback log."""
        self.store.clear()
        self.faults.clear()
        with self._lock:
            self._counts.clear()
            self._callback_log.clear()

    # --- used by the request handler ---------------------------------------------------------
    def count_request(self, path: str) -> None:
        with self._lock:
            self._counts[path] += 1

    def hang(self) -> None:
        self._stopping.wait(self.hang_seconds)

    def create_task(
        self,
        request: dict,
        aspect_ratio: str,
        fault: str | None,
        callback_url: str | None,
        input_error: dict | None = None,
    ) -> Task:
        task = self.store.create(request, aspect_ratio, fault, callback_url)
        task.input_error = input_error
        delay = max(0.0, self.delay)
        if delay > 0 or fault == STUCK:
            self._scheduler.call_later(delay / 2, partial(self.store.start_processing, task.id))
        self._scheduler.call_later(delay, partial(self._finish, task.id))
        return task

    def wait_for_done(self, task_id: str, timeout: float) -> Task | None:
        """Wait until the task is terminal; None on timeout, shutdown or an unknown id."""
        task = self.store.get(task_id)
        deadline = time.monotonic() + timeout
        while task is not None and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            # Short slices so a stopping simulator releases held requests promptly.
            if task.done.wait(min(remaining, 0.25)):
                return task
        return None

    def media_source(self, task_id: str, ext: str) -> BytesSource | RepeatedSource | None:
        task = self.store.get(task_id)
        if task is None or task.state != COMPLETED:
            return None  # like the CDN: no file until the task has produced one
        data = asset_bytes(task.aspect_ratio, ext)
        if ext == "mp4" and self.video_bytes is not None:
            return RepeatedSource(data, self.video_bytes)
        return BytesSource(data)

    def sized_source(self, size: int) -> RepeatedSource:
        return RepeatedSource(asset_bytes("16:9", "mp4"), size)

    # --- task completion and callbacks -------------------------------------------------------
    def _finish(self, task_id: str, force: bool = False) -> bool:
        task = self.store.get(task_id)
        if task is None or task.state in TERMINAL or (task.fault == STUCK and not force):
            return False
        if task.fault == FAIL or task.input_error:
            callback_body = {
                "success": False,
                "task_id": task.id,
                "trace_id": task.trace_id,
                "error": dict(task.input_error or FAILURE_ERROR),
            }
            state, response = FAILED, {**callback_body, "state": FAILED}
        else:
            callback_body = response = self._success_body(task)
            state = COMPLETED
        if not self.store.finish(task_id, state, response):
            return False
        logger.info("task %s %s", task_id, state)
        if task.callback_url and task.fault != LOST_CALLBACK:
            threading.Thread(
                target=self._deliver,
                args=(task.callback_url, callback_body),
                name=f"luma-simulator-callback-{task_id[:8]}",
                daemon=True,
            ).start()
        return True

    def _success_body(self, task: Task) -> dict:
        """Build the 3a body plus the 3c extras (success, task_id, trace_id)."""
        width, height = ASPECT_SIZES[task.aspect_ratio]
        media = f"{self.media_base_url}/luma/{task.id}"
        return {
            "success": True,
            "task_id": task.id,
            "video_id": task.video_id,
            "prompt": task.request.get("prompt") or "",
            "state": COMPLETED,
            "video_url": f"{media}.mp4",
            "video_width": width,
            "video_height": height,
            "thumbnail_url": f"{media}.jpg",
            "thumbnail_width": width,
            "thumbnail_height": height,
            "trace_id": task.trace_id,
        }

    def _deliver(self, url: str, body: dict) -> None:
        callbacks.deliver(
            url,
            body,
            attempts=self.callback_attempts,
            backoff=self.callback_backoff,
            timeout=self.callback_timeout,
            stopping=self._stopping,
            record=self._record_callback,
        )

    def _record_callback(self, attempt: dict) -> None:
        with self._lock:
            self._callback_log.append(attempt)
