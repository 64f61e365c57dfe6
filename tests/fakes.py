"""A fake AceDataCloud for unit tests, installed at our client's public face.

The `fake_upstream` fixture (tests/conftest.py) patches AceDataClient.submit, retrieve and
retrieve_batch with autospec=True, so a test that calls them with the wrong arguments fails
as the real client would. What the client does on the wire is tested against the simulator
over real HTTP (tests/videos/test_acedata.py).
"""

import json
import uuid
from pathlib import Path

DATA = Path(__file__).with_name("data")


def recorded(name: str) -> dict:
    """A body recorded from AceDataCloud's documentation (tests/data/<name>.json)."""
    return json.loads((DATA / f"{name}.json").read_text())


def success_body(task_id, prompt="", **overrides):
    body = {
        "success": True,
        "task_id": task_id,
        "trace_id": str(uuid.uuid4()),
        "video_id": str(uuid.uuid4()),
        "prompt": prompt,
        "state": "completed",
        "video_url": f"https://platform.cdn.acedata.cloud/luma/{task_id}.mp4",
        "video_width": 1360,
        "video_height": 752,
        "thumbnail_url": f"https://platform.cdn.acedata.cloud/luma/{task_id}.jpg",
        "thumbnail_width": 1360,
        "thumbnail_height": 752,
    }
    body.update(overrides)
    return body


def failure_body(task_id, code="api_error", message="fetch failed"):
    return {
        "success": False,
        "task_id": task_id,
        "trace_id": str(uuid.uuid4()),
        "error": {"code": code, "message": message},
    }


class FakeUpstream:
    """What AceDataClient's public methods return, scripted by the test."""

    def __init__(self):
        self.calls: list[tuple[str, object]] = []  # (method name, its argument)
        self.submit_script: list = []  # results for the next submits: a task id or an exception
        self.tasks_error: Exception | None = None
        self.tasks: dict[str, dict] = {}

    def submit(self, payload: dict) -> str:
        self.calls.append(("submit", payload))
        if self.submit_script:
            result = self.submit_script.pop(0)
            if isinstance(result, Exception):
                raise result
            task_id = result
        else:
            task_id = str(uuid.uuid4())
        self.tasks[task_id] = {"id": task_id, "request": payload}
        return task_id

    def retrieve(self, task_id: str) -> dict | None:
        self.calls.append(("retrieve", task_id))
        if self.tasks_error:
            raise self.tasks_error
        return self.tasks.get(task_id)

    def retrieve_batch(self, task_ids: list[str]) -> dict[str, dict]:
        self.calls.append(("retrieve_batch", list(task_ids)))
        if self.tasks_error:
            raise self.tasks_error
        return {i: self.tasks[i] for i in task_ids if i in self.tasks}

    def calls_to(self, method: str) -> list:
        return [argument for called, argument in self.calls if called == method]

    def finish(self, task_id, **overrides):
        body = success_body(task_id, **overrides)
        self.tasks[task_id]["response"] = body
        return body

    def fail(self, task_id, code="api_error", message="fetch failed"):
        body = failure_body(task_id, code, message)
        self.tasks[task_id]["response"] = body
        return body
