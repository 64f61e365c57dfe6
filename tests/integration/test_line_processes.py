"""The line's cap with two real worker processes (`manage.py run_worker`) on PostgreSQL:
never more than the cap out at once, every job sent once, in the order it came."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SIM_TOKEN
from tests.processes import current_database_url
from videos import line, services
from videos.models import Video

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]


def _worker(simulator, live):
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "ACEDATACLOUD_BASE_URL": simulator.base_url,
        "ACEDATACLOUD_API_TOKEN": SIM_TOKEN,
        "PUBLIC_BASE_URL": live.url,
        "WORKER_SWEEP_SECONDS": "0.5",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.05"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_worker_processes_keep_the_cap_exact_and_the_order(live, simulator, owner):
    simulator.delay = 0.6
    owner.allowance.max_in_flight = 2
    owner.allowance.save()
    jobs = [services.submit(owner, {"prompt": f"A fox {n}"}) for n in range(8)]
    workers = [_worker(simulator, live), _worker(simulator, live)]
    most_out, deadline = 0, time.monotonic() + 90
    try:
        mine = Video.objects.filter(owner=owner)
        while time.monotonic() < deadline:
            most_out = max(most_out, line.out(mine).count())
            if not mine.in_flight().exists():
                break
            time.sleep(0.02)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)

    assert most_out == 2  # the cap reached, never passed
    assert set(
        Video.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True)
    ) == {"completed"}
    assert simulator.requests_count("/luma/videos") == 8  # each sent once
    # In the order they came; two go out together, so neighbours may swap, nothing more.
    sent = sorted(Video.objects.filter(owner=owner), key=lambda v: v.submitted_at)
    places = [int(v.prompt.rsplit(" ", 1)[1]) for v in sent]
    assert all(abs(place - n) <= 1 for n, place in enumerate(places)), places
