"""200 synchronous /luma/videos calls wait at once on one ASGI process while pages answer.

The site runs under uvicorn (tests/asgi.py), as production's ASGI processes do. Each call
waits as a coroutine on the job's notification, holding no thread and no database
connection; the simulator then finishes every job and calls back over real HTTP, and
every call answers with its video. bench/sync_waits.py measures 1,000 of them.
"""

import asyncio
import threading

import httpx
import pytest
from django.db import connection

from tests.conftest import make_user, wait_for
from tests.factories import make_token
from videos import services
from videos.gateway import jobs
from videos.models import GatewayJob, Video

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
CALLS = 200
PEOPLE = 20  # ten calls each: the per-person cap is raised below, the site-wide one kept


def _waiting_calls(base_url, tokens, answers):
    async def call(client, token, n):
        response = await client.post(
            "/luma/videos",
            json={"prompt": f"Call {n}", "aspect_ratio": "1:1"},
            headers={"Authorization": f"Bearer {token}"},
        )
        answers.append((response.status_code, response.json()))

    async def all_calls():
        limits = httpx.Limits(max_connections=CALLS + 10)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            await asyncio.gather(*(call(client, tokens[n % PEOPLE], n) for n in range(CALLS)))

    asyncio.run(all_calls())


def _connections_to_this_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_two_hundred_synchronous_calls_wait_at_once_while_pages_answer(
    asgi_live, settings, simulator
):
    settings.GATEWAY_SYNC_MAX_WAITING = 1000
    settings.GATEWAY_SYNC_MAX_WAITING_PER_USER = 10
    settings.QUOTA_MAX_IN_FLIGHT = 10
    settings.THROTTLE_SUBMIT = "1000/min"
    simulator.delay = 600  # the simulator holds every job until the test finishes it
    people = [make_user(f"student{n}") for n in range(PEOPLE)]
    tokens = [make_token(person) for person in people]
    answers = []
    callers = threading.Thread(target=_waiting_calls, args=(asgi_live.url, tokens, answers))
    callers.start()

    wait_for(
        lambda: GatewayJob.objects.filter(waiting_until__isnull=False).count() == CALLS,
        timeout=120,
    )
    assert jobs.waiting_room.waiting == CALLS
    assert not answers, answers[:3]  # nobody answered early, nobody was refused
    if connection.vendor == "postgresql":
        # Waiting calls hold no database connection (the listener holds one per process).
        assert _connections_to_this_database() < 20

    # Pages, the API and the operator's health check still answer while they wait.
    page = httpx.get(f"{asgi_live.url}/accounts/login/", timeout=10)
    api = httpx.get(
        f"{asgi_live.url}/api/v1/quota/",
        headers={"Authorization": f"Token {tokens[0]}"},
        timeout=10,
    )
    assert (page.status_code, api.status_code) == (200, 200)
    assert api.json()["in_flight"] == 10

    # AceDataCloud accepts every job and calls back with each result.
    # In each person's line order: a dispatch sends the owner's next job in line.
    videos = list(Video.objects.order_by("created_at", "id").values_list("pk", flat=True))
    for video_id in videos:
        assert services.dispatch(video_id)
    for task_id in Video.objects.values_list("task_id", flat=True):
        assert simulator.complete_now(task_id)
    callers.join(timeout=120)

    assert len(answers) == CALLS
    assert {status for status, _ in answers} == {200}
    assert {body["state"] for _, body in answers} == {"completed"}
    assert sorted(body["task_id"] for _, body in answers) == sorted(str(pk) for pk in videos)
    assert jobs.waiting_room.waiting == 0
    assert not GatewayJob.objects.filter(waiting_until__isnull=False).exists()
