"""The simulator's thread-safe task store and the one timer thread that moves tasks along."""

from __future__ import annotations

import copy
import heapq
import itertools
import logging
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("videos.simulator")

PENDING = "pending"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
TERMINAL = {COMPLETED, FAILED}


@dataclass
class Task:
    id: str
    trace_id: str
    request: dict
    aspect_ratio: str
    fault: str | None
    callback_url: str | None
    created_at: float
    started_at: float
    record_id: str = field(default_factory=lambda: secrets.token_hex(12))  # Mongo-style _id
    video_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = PENDING
    response: dict | None = None
    finished_at: float | None = None
    # Why its frames or video could not be used (fetched at accept, videos/simulator/inputs.py).
    input_error: dict | None = None
    done: threading.Event = field(default_factory=threading.Event)


class TaskStore:
    """Tasks by id. Every read returns copies, so callers never see a half-made change."""

    def __init__(self, identity: dict[str, str]):
        # api_id, application_id, credential_id, user_id: fixed per simulator, as for one token.
        self.identity = identity
        self._lock = threading.Lock()
        self._tasks: dict[str, Task] = {}

    def create(
        self, request: dict, aspect_ratio: str, fault: str | None, callback_url: str | None
    ) -> Task:
        now = time.time()
        task = Task(
            id=str(uuid.uuid4()),
            trace_id=str(uuid.uuid4()),
            request=copy.deepcopy(request),
            aspect_ratio=aspect_ratio,
            fault=fault,
            callback_url=callback_url,
            created_at=now,
            started_at=now,
        )
        with self._lock:
            self._tasks[task.id] = task
        return task

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def start_processing(self, task_id: str) -> bool:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or task.state != PENDING:
                return False
            task.state = PROCESSING
            task.response = {"task_id": task.id, "state": PROCESSING}
            return True

    def finish(self, task_id: str, state: str, response: dict) -> bool:
        """Move a task to a terminal state once; False if it was already there (or is gone)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or task.state in TERMINAL:
                return False
            task.state = state
            task.response = copy.deepcopy(response)
            task.finished_at = time.time()
        task.done.set()
        return True

    def record(self, task_id: str) -> dict | None:
        """Return the task record of spec section 4, or None for an unknown id."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return None
            record = {
                "_id": task.record_id,
                "id": task.id,
                **self.identity,
                "trace_id": task.trace_id,
                "created_at": round(task.created_at, 3),
                "started_at": round(task.started_at, 3),
                "request": copy.deepcopy(task.request),
            }
            if task.finished_at is not None:
                record["finished_at"] = round(task.finished_at, 3)
                record["elapsed"] = round(task.finished_at - task.started_at, 3)
            if task.response is not None:
                record["response"] = copy.deepcopy(task.response)
                # What the real `luma wait` reads (data.state); the documented fields stay.
                record["data"] = copy.deepcopy(task.response)
            return record

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._tasks)

    def state_counts(self) -> dict[str, int]:
        with self._lock:
            counts = Counter(task.state for task in self._tasks.values())
        return {state: counts.get(state, 0) for state in (PENDING, PROCESSING, COMPLETED, FAILED)}

    def clear(self) -> None:
        with self._lock:
            self._tasks.clear()


class Scheduler:
    """Run callables after a delay on one background thread (cheaper than a Timer per task)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="luma-simulator-timer", daemon=True)
        self._thread.start()

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._seq), fn))
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    if not self._heap:
                        self._cond.wait()
                        continue
                    wait = self._heap[0][0] - time.monotonic()
                    if wait <= 0:
                        break
                    self._cond.wait(timeout=wait)
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception:  # one broken step must not stop every other task
                logger.exception("simulator timer step failed")
