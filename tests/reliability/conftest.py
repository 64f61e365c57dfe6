"""The reliability suite's figures: cases tried, held and failed per concern, from the run itself.

Every test is one case of its file's concern unless it reports more with the `record`
fixture (e.g. 50 concurrent submissions, or each route of the isolation matrix). With
RELIABILITY_REPORT=<path> set, a run that passes writes the Markdown table there:

    RELIABILITY_REPORT=docs/reliability.md \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luma_studio .venv/bin/pytest -m reliability
"""

import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.settings import api_settings

CONCERNS = {
    "test_quota_load": ("Quota under load", "50 concurrent API and gateway submissions"),
    "test_callback_load": ("Callbacks under load", "duplicate callbacks, callback vs poll"),
    "test_budget_races": (
        "Team and site budgets under load",
        "8 members vs a team budget, two teams vs the site cap, a failure raced",
    ),
    "test_upstream_faults": ("Upstream faults", "every simulator fault, submit and poll"),
    "test_crash_recovery": ("Crash recovery", "worker and web process SIGKILLed mid-job"),
    "test_unknown_outcome": ("Never billed twice", "an accept past the timeout, a frozen upstream"),
    "test_database_outage": ("Database outage", "PostgreSQL stopped 30 s under light load"),
    "test_media_faults": ("Media copy faults", "full disk, read-only folder, trickling server"),
    "test_gateway_capacity": ("Gateway capacity", "12 synchronous calls against 4 threads"),
    "test_isolation_matrix": ("Isolation matrix", "another user, every id-taking route"),
    "test_hostile_input": ("Hostile input", "schemathesis, bodies, types, characters"),
    "test_secrets": ("Secrets", "DEBUG logs, pages and answers of a full flow"),
    "test_deployment": ("Deployment", "check --deploy, login guard, throttles"),
    "test_operations": ("Operations", "health with the database down, metrics access, log secrets"),
    "test_login_guard_processes": (
        "Login guard across processes",
        "two gunicorn processes sharing the database cache",
    ),
}
COMMAND = (
    "RELIABILITY_REPORT=docs/reliability.md "
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/luma_studio .venv/bin/pytest -m reliability"
)


@dataclass
class Tally:
    tests: int = 0
    tests_failed: int = 0
    tried: int = 0
    held: int = 0


_recorded: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # nodeid -> [tried, held]
_tallies: dict[str, Tally] = defaultdict(Tally)
_started = time.monotonic()


@pytest.fixture
def record(request):
    """Report `tried` cases of this test, of which `held` behaved as documented."""

    def add(tried: int, held: int):
        counts = _recorded[request.node.nodeid]
        counts[0] += tried
        counts[1] += held

    return add


@pytest.fixture
def high_submit_rates(settings):
    """Lift the abuse throttles for tests about something else (quota, load, faults)."""
    rates = {"submit": "10000/min", "token": "10000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert rates == api_settings.DEFAULT_THROTTLE_RATES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    stem = Path(str(item.fspath)).stem
    if stem not in CONCERNS:
        return
    failed = report.failed
    if report.when == "call" or (failed and report.when == "setup"):
        tally = _tallies[stem]
        tried, held = _recorded.pop(item.nodeid, (0, 0))
        tried = max(tried, 1)
        if failed:
            held = min(held, tried - 1)
        elif held == 0 and tried == 1:
            held = 1
        tally.tests += 1
        tally.tests_failed += int(failed)
        tally.tried += tried
        tally.held += held


def _database() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "PostgreSQL" if "postgresql" in engine else "SQLite"


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("RELIABILITY_REPORT")
    if not target or exitstatus != 0 or not _tallies:
        return
    rows = [
        "| concern | what is tried | tests | cases tried | held | failed |",
        "|---|---|---:|---:|---:|---:|",
    ]
    total = Tally()
    for stem, (name, what) in CONCERNS.items():
        tally = _tallies.get(stem, Tally())
        rows.append(
            f"| {name} | {what} | {tally.tests} | {tally.tried} | {tally.held} "
            f"| {tally.tried - tally.held} |"
        )
        total.tests += tally.tests
        total.tried += tally.tried
        total.held += tally.held
    rows.append(
        f"| **all** | | {total.tests} | {total.tried} | {total.held} | {total.tried - total.held} |"
    )
    text = "\n".join(
        [
            "# Reliability and security figures",
            "",
            "Written by the test run itself (`tests/reliability/conftest.py`), only when every",
            "test passed; a *case* is one submission, callback, route, fault, input or check",
            "exercised and asserted. What each concern proves is in the README (Reliability).",
            "",
            f"Database: **{_database()}**. Run took {time.monotonic() - _started:.0f} s.",
            "",
            *rows,
            "",
            "Regenerate:",
            "",
            "```bash",
            COMMAND,
            "```",
            "",
        ]
    )
    Path(target).write_text(text)
