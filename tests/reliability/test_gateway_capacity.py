"""Synchronous gateway calls can never take every thread: pages keep answering.

A real gunicorn (one process, 4 threads, WEB_THREADS=4, so GATEWAY_SYNC_MAX_WAITING is 2 by
default) gets 12 synchronous /luma/videos calls from 4 accounts, whose jobs the simulator
holds unfinished (`[sim:stuck]`). Only the calls that fit wait (2 in this process, at most
2 per user site-wide); every other one is answered 429 at once, charging nothing; and while
those calls wait, a page and the API still answer. Then the jobs finish and the waiting
calls get their videos.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests import processes
from tests.conftest import make_user, wait_for
from tests.factories import make_token
from videos.models import GatewayJob, Video

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
USERS, CALLS_EACH = 4, 3


@pytest.fixture
def web(live, simulator, background_worker, tmp_path):
    port = processes.free_port()
    env = processes.production_env(
        tmp_path,
        database_url=processes.current_database_url(),
        simulator=simulator,
        public_url=live.url,  # callbacks may reach any process of the site
        WEB_THREADS=4,
        QUOTA_VIDEOS_PER_PERIOD=100,
        QUOTA_MAX_IN_FLIGHT=100,
    )
    processes.manage(["collectstatic", "--noinput", "-v", "0"], env)
    log = (tmp_path / "gunicorn.log").open("w")
    server = processes.gunicorn(port, env, log, threads=4)
    yield f"http://127.0.0.1:{port}"
    processes.stop([server])


def test_sync_calls_never_take_every_thread_and_pages_keep_answering(
    web, simulator, settings, record
):
    settings.QUOTA_VIDEOS_PER_PERIOD = 100  # the in-process worker's view of the same rows
    settings.QUOTA_MAX_IN_FLIGHT = 100
    tokens = [make_token(make_user(f"pupil{n}")) for n in range(USERS)]

    def sync_call(token):
        return requests.post(
            f"{web}/luma/videos",
            json={"prompt": "A fox [sim:stuck]", "timeout": 60},
            headers={"Authorization": f"Bearer {token}"},
            timeout=90,
        )

    with ThreadPoolExecutor(max_workers=USERS * CALLS_EACH) as pool:
        calls = [pool.submit(sync_call, t) for t in tokens for _ in range(CALLS_EACH)]
        waiting = GatewayJob.objects.filter(waiting_until__isnull=False)
        wait_for(
            lambda: sum(c.done() for c in calls) == len(calls) - 2 and waiting.count() == 2,
            timeout=30,
        )

        # Two threads wait; the other two still serve a page and the API.
        page = requests.get(f"{web}/accounts/login/", timeout=30)
        api = requests.get(
            f"{web}/api/v1/quota/", headers={"Authorization": f"Token {tokens[0]}"}, timeout=30
        )
        assert page.status_code == 200 and api.status_code == 200
        assert waiting.count() == 2 and sum(c.done() for c in calls) == len(calls) - 2

        for job in waiting:
            wait_for(lambda job=job: Video.objects.get(pk=job.pk).task_id, timeout=20)
            simulator.complete_now(Video.objects.get(pk=job.pk).task_id)
        answers = [c.result() for c in calls]

    statuses = sorted(a.status_code for a in answers)
    refused = [a for a in answers if a.status_code == 429]
    record(len(answers) + 2, sum(a.status_code in (200, 429) for a in answers) + 2)
    assert statuses == [200, 200] + [429] * (USERS * CALLS_EACH - 2), statuses
    assert all(a.json()["error"]["code"] == "too_many_requests" for a in refused)
    assert Video.objects.count() == 2  # the refused calls charged nothing and made nothing
