"""The JSON endpoints: /luma/videos, /luma/tasks and the /_simulator control API.

Each function takes the simulator, the request headers and the raw body, may block (sync mode,
the timeout fault) and returns a Reply; the HTTP plumbing lives in handler.py.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from ..wire import DOCUMENTED_ERRORS, bearer_token, error_body
from . import inputs
from .faults import (
    ERROR_FAULTS,
    MALFORMED,
    MALFORMED_BODY,
    SLOW_ACCEPT,
    TASK_FAULTS,
    TIMEOUT,
    UnknownFault,
    fault_in_prompt,
)
from .media import ASPECT_SIZES, DEFAULT_ASPECT_RATIO

DEFAULT_REQUEST_TIMEOUT = 300.0  # seconds; AceDataCloud's documented default for `timeout`


@dataclass
class Reply:
    status: int
    body: dict | bytes
    content_type: str = "application/json"


def error(code: str, message: str | None = None, trace_id: str | None = None) -> Reply:
    return Reply(DOCUMENTED_ERRORS[code][0], error_body(code, message, trace_id))


def check_token(sim, headers) -> Reply | None:
    """Return the error reply for a missing or wrong bearer token, or None to go on."""
    value = headers.get("authorization")
    if not (value or "").strip():
        return error("no_token")
    token = bearer_token(value)
    if token is None:
        return error("invalid_token")
    if sim.token is not None and not hmac.compare_digest(token.encode(), sim.token.encode()):
        return error("invalid_token")
    return None


def parse_object(raw: bytes) -> dict | Reply:
    try:
        payload = json.loads(raw)
    except ValueError:
        return error("bad_request")
    if not isinstance(payload, dict):
        return error("bad_request")
    return payload


def fault_reply(sim, fault: str | None) -> Reply | None:
    """Answer a fault that never reaches a task (errors, hangs, garbage), else None."""
    if fault in ERROR_FAULTS:
        return error(ERROR_FAULTS[fault])
    if fault == TIMEOUT:
        sim.hang()
        return error("timeout")
    if fault == MALFORMED:
        return Reply(200, MALFORMED_BODY, "text/html; charset=utf-8")
    return None


def validate_video_request(payload: dict) -> str | None:
    """Return why a /luma/videos body is unacceptable, or None.

    The OpenAPI schema marks nothing required; these rules follow the docs' prose (spec section
    2). Unknown keys are ignored, as old clients send `model` and `image_urls`.
    """
    action = payload.get("action", "generate")
    if action not in ("generate", "extend"):
        return "action must be one of: generate, extend"
    prompt = payload.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        return "prompt must be a string"
    if action == "generate" and not (prompt or "").strip():
        return "prompt is required"
    if action == "extend" and not (payload.get("video_id") or payload.get("video_url")):
        return "video_id or video_url is required"
    aspect_ratio = payload.get("aspect_ratio")
    if aspect_ratio is not None and aspect_ratio not in ASPECT_SIZES:
        return "aspect_ratio must be one of: " + ", ".join(ASPECT_SIZES)
    callback_url = payload.get("callback_url")
    if callback_url is not None and not (
        isinstance(callback_url, str) and callback_url.startswith(("http://", "https://"))
    ):
        return "callback_url must be an http(s) URL"
    return None


def request_timeout(payload: dict) -> float:
    value = payload.get("timeout")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return DEFAULT_REQUEST_TIMEOUT


def videos(sim, headers, raw: bytes) -> Reply:
    denied = check_token(sim, headers)
    if denied:
        return denied
    payload = parse_object(raw)
    if isinstance(payload, Reply):
        return payload
    # A fault set through the control API wins over a keyword in the prompt.
    fault = sim.faults.take("videos")
    if fault is None:
        try:
            fault = fault_in_prompt(payload.get("prompt"))
        except UnknownFault as exc:
            return error("bad_request", str(exc))
    early = fault_reply(sim, fault)
    if early:
        return early
    problem = validate_video_request(payload)
    if problem:
        return error("bad_request", problem)

    callback_url = payload.get("callback_url")
    task_fault = fault
    if fault == SLOW_ACCEPT:
        # Set through the control API, it still lets a prompt keyword shape the task's life
        # (`[sim:lost-callback]` + slow-accept: accepted, never called back, answer held).
        task_fault = fault_in_prompt(payload.get("prompt"))
        task_fault = task_fault if task_fault in TASK_FAULTS else None
    # Like AceDataCloud, fetch the frames (and a video_url) first; a job whose inputs cannot
    # be read is accepted, then fails with the reason.
    unusable = inputs.problem(payload, sim.fetch_timeout)
    task = sim.create_task(
        payload,
        payload.get("aspect_ratio") or DEFAULT_ASPECT_RATIO,
        task_fault,
        callback_url,
        input_error={"code": "bad_request", "message": unusable} if unusable else None,
    )
    if fault == SLOW_ACCEPT:
        sim.hang()
    if callback_url or payload.get("async") is True:
        return Reply(200, {"task_id": task.id})
    return sync_result(sim, task.id, request_timeout(payload))


def sync_result(sim, task_id: str, timeout: float) -> Reply:
    """Hold a sync request until its task ends, as AceDataCloud does (spec 3a)."""
    task = sim.wait_for_done(task_id, timeout)
    if task is None:
        return error("timeout")
    if task.response.get("success"):
        return Reply(200, task.response)
    return Reply(500, {"error": task.response["error"], "trace_id": task.trace_id})


def tasks(sim, headers, raw: bytes) -> Reply:
    denied = check_token(sim, headers)
    if denied:
        return denied
    payload = parse_object(raw)
    if isinstance(payload, Reply):
        return payload
    early = fault_reply(sim, sim.faults.take("tasks"))
    if early:
        return early

    action = payload.get("action")
    if action == "retrieve":
        task_id = payload.get("id")
        if not isinstance(task_id, str) or not task_id:
            return error("bad_request", "id is required")
        record = sim.store.record(task_id)
        if record is not None:
            return Reply(200, record)
        # Undocumented upstream (spec section 4), so both plausible answers are on offer.
        if sim.unknown_task == "error":
            return error("bad_request", f"task {task_id} does not exist")
        return Reply(200, {})
    if action == "retrieve_batch":
        ids = payload.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return error("bad_request", "ids is required")
        records = (sim.store.record(task_id) for task_id in dict.fromkeys(ids))
        items = [record for record in records if record is not None]
        return Reply(200, {"items": items, "count": len(items)})
    return error("bad_request", "action must be one of: retrieve, retrieve_batch")


def control(sim, method: str, path: str, raw: bytes) -> Reply:
    """Serve /_simulator/*: a development tool, deliberately without auth."""
    if method == "GET" and path == "/_simulator/health":
        return Reply(200, {"status": "ok", "delay": sim.delay})
    if method == "GET" and path == "/_simulator/stats":
        return Reply(200, sim.stats())
    if method == "GET" and path == "/_simulator/faults":
        return Reply(200, sim.faults.snapshot())
    if method == "POST" and path == "/_simulator/reset":
        sim.reset()
        return Reply(200, {"status": "ok"})
    if method != "POST" or path not in ("/_simulator/faults", "/_simulator/complete"):
        return error("no_api")

    payload = parse_object(raw or b"{}")
    if isinstance(payload, Reply):
        return payload
    if path == "/_simulator/complete":
        task_id = payload.get("task_id")
        if not isinstance(task_id, str) or sim.store.get(task_id) is None:
            return error("bad_request", "task_id of a known task is required")
        return Reply(200, {"completed": sim.complete_now(task_id)})

    # {"videos": "500" | {"fault": "500", "times": 2} | null, "tasks": ...}; absent keys stay.
    changes = {}
    for endpoint in ("videos", "tasks"):
        if endpoint not in payload:
            continue
        value = payload[endpoint]
        if isinstance(value, dict):
            changes[endpoint] = (value.get("fault"), value.get("times"))
        elif value is None or isinstance(value, str):
            changes[endpoint] = (value, None)
        else:
            return error("bad_request", f"{endpoint} must be a fault name, an object or null")
    try:
        for endpoint, (fault, times) in changes.items():
            sim.faults.check(endpoint, fault, times)
    except (UnknownFault, TypeError, ValueError) as exc:
        return error("bad_request", str(exc))
    for endpoint, (fault, times) in changes.items():
        sim.set_fault(endpoint, fault, times)
    return Reply(200, sim.faults.snapshot())
