"""Races over real HTTP and real connections: run on SQLite and, in CI, on PostgreSQL.

The quota and callback races under load live in tests/reliability/.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from tests.factories import make_token, make_video
from tests.fakes import success_body
from videos import services
from videos.models import QuotaEvent, Video

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _race(count, call):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def test_concurrent_submissions_never_overfill_the_line(live_server, owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 100
    settings.QUOTA_MAX_IN_FLIGHT = 3
    settings.QUOTA_MAX_WAITING = 2
    headers = {"Authorization": f"Token {make_token(owner)}"}

    def submit():
        return requests.post(
            f"{live_server.url}/api/v1/videos/",
            json={"prompt": "A fox"},
            headers=headers,
            timeout=30,
        ).status_code

    results = _race(12, submit)

    assert results.count(202) == 5 and results.count(429) == 7
    assert Video.objects.in_flight().count() == 5


def test_many_workers_submit_each_job_exactly_once(owner, fake_upstream, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 100
    jobs = [services.submit(owner, {"prompt": f"A fox {n}"}) for n in range(10)]

    def dispatch_all():
        try:
            return sum(services.dispatch(job.pk) for job in jobs)
        finally:
            connection.close()

    claimed = _race(6, dispatch_all)

    assert sum(claimed) == 10
    assert len(fake_upstream.calls_to("submit")) == 10
    assert Video.objects.filter(state="processing").count() == 10


def test_an_admin_cancel_racing_a_completion_leaves_one_outcome(owner):
    job = make_video(owner, state=Video.State.PROCESSING)
    body = success_body(job.task_id)

    def complete():
        try:
            return services.apply_result(Video.objects.get(pk=job.pk), body, job.task_id)
        finally:
            connection.close()

    def cancel():
        try:
            return services.cancel(Video.objects.get(pk=job.pk))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(complete if n % 2 else cancel) for n in range(8)]
        wins = [f.result() for f in futures]

    assert wins.count(True) == 1
    job.refresh_from_db()
    released = QuotaEvent.objects.filter(video=job, kind="release").count()
    assert (job.state, released) in (("completed", 0), ("failed", 1))
