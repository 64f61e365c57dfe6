"""The faults the simulator can inject on demand."""

from __future__ import annotations

import re
import threading

FAIL = "fail"
MODERATION = "moderation"
NO_BALANCE = "no-balance"
RATE_LIMITED = "429"
SERVER_ERROR = "500"
TIMEOUT = "timeout"
MALFORMED = "malformed"
LOST_CALLBACK = "lost-callback"
STUCK = "stuck"
# Creates the task, then holds the accept answer for hang_seconds: the window in which a
# client that dies has had its job accepted but never learned the task id.
SLOW_ACCEPT = "slow-accept"

# Faults answered at once with an error body; no task is created.
ERROR_FAULTS = {
    MODERATION: "forbidden",
    NO_BALANCE: "used_up",
    RATE_LIMITED: "too_many_requests",
    SERVER_ERROR: "api_error",
}
# Faults that shape an accepted task's life; they mean nothing on /luma/tasks.
TASK_FAULTS = {FAIL, LOST_CALLBACK, STUCK}
FAULTS = frozenset({*ERROR_FAULTS, TIMEOUT, MALFORMED, *TASK_FAULTS, SLOW_ACCEPT})
ENDPOINT_FAULTS = {"videos": FAULTS, "tasks": FAULTS - TASK_FAULTS - {SLOW_ACCEPT}}

# What a gateway in trouble sends: 200 and HTML where JSON was promised.
MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
FAILURE_ERROR = {"code": "api_error", "message": "fetch failed"}

PROMPT_FAULT = re.compile(r"\[sim:([^\]]*)\]", re.IGNORECASE)


class UnknownFault(ValueError):
    """A fault name the simulator does not know."""


def fault_in_prompt(prompt: object) -> str | None:
    """Return the fault named by a `[sim:<name>]` keyword in the prompt, if any."""
    if not isinstance(prompt, str):
        return None
    match = PROMPT_FAULT.search(prompt)
    if not match:
        return None
    return check_fault("videos", match.group(1))


def check_fault(endpoint: str, name: str) -> str:
    """Return the normalised fault name, or raise UnknownFault if it cannot apply here."""
    if endpoint not in ENDPOINT_FAULTS:
        raise UnknownFault(f"unknown endpoint {endpoint!r}; use one of: videos, tasks")
    normalised = str(name).strip().lower()
    allowed = ENDPOINT_FAULTS[endpoint]
    if normalised not in allowed:
        raise UnknownFault(
            f"unknown simulator fault {name!r} for {endpoint}; use one of: "
            + ", ".join(sorted(allowed))
        )
    return normalised


class FaultBoard:
    """Faults set per endpoint by the control API; each applies until cleared or used up."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults: dict[str, list] = {}  # endpoint -> [name, remaining uses or None]

    @staticmethod
    def check(endpoint: str, fault: str | None, times: int | None = None) -> str | None:
        """Return the normalised fault name, or raise UnknownFault for bad arguments."""
        if endpoint not in ENDPOINT_FAULTS:
            raise UnknownFault(f"unknown endpoint {endpoint!r}; use one of: videos, tasks")
        if fault is None:
            return None
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise UnknownFault("times must be a positive integer or null")
        return check_fault(endpoint, fault)

    def set(self, endpoint: str, fault: str | None, times: int | None = None) -> None:
        name = self.check(endpoint, fault, times)
        with self._lock:
            if name is None:
                self._faults.pop(endpoint, None)
            else:
                self._faults[endpoint] = [name, times]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, endpoint: str) -> str | None:
        """Return the fault for one request on `endpoint`, using up one of its `times`."""
        with self._lock:
            entry = self._faults.get(endpoint)
            if entry is None:
                return None
            name, remaining = entry
            if remaining is not None:
                if remaining <= 1:
                    del self._faults[endpoint]
                else:
                    entry[1] = remaining - 1
            return name

    def snapshot(self) -> dict[str, dict | None]:
        with self._lock:
            return {
                endpoint: (
                    {"fault": self._faults[endpoint][0], "times": self._faults[endpoint][1]}
                    if endpoint in self._faults
                    else None
                )
                for endpoint in ENDPOINT_FAULTS
            }
