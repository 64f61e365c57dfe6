"""A fake AceDataCloud for unit tests, installed at our client's one HTTP method."""

import uuid


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
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.submit_script: list = []  # results for the next submits: a dict body or an exception
        self.tasks_error: Exception | None = None
        self.tasks: dict[str, dict] = {}

    def post(self, path, payload):
        self.calls.append((path, payload))
        if path == "/luma/videos":
            if self.submit_script:
                result = self.submit_script.pop(0)
                if isinstance(result, Exception):
                    raise result
                return result
            task_id = str(uuid.uuid4())
            self.tasks[task_id] = {"id": task_id, "request": payload}
            return {"task_id": task_id}
        if self.tasks_error:
            raise self.tasks_error
        if payload["action"] == "retrieve":
            return self.tasks.get(payload["id"], {})
        items = [self.tasks[i] for i in payload["ids"] if i in self.tasks]
        return {"items": items, "count": len(items)}

    def calls_to(self, path):
        return [payload for called, payload in self.calls if called == path]

    def finish(self, task_id, **overrides):
        body = success_body(task_id, **overrides)
        self.tasks[task_id]["response"] = body
        return body

    def fail(self, task_id, code="api_error", message="fetch failed"):
        body = failure_body(task_id, code, message)
        self.tasks[task_id]["response"] = body
        return body
