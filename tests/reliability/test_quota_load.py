"""Quota under load: concurrent submissions through the API and the gateway at once.

Over real HTTP to a live server, each request on its own connection, so the quota lock is
contended as it is in production (the PostgreSQL pass is the one that proves row locks).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db.models import Sum

from tests.factories import make_token
from videos import services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
SUBMISSIONS = 50
ALLOWANCE = 10


@pytest.fixture
def loaded(live_server, owner, settings, high_submit_rates):
    settings.QUOTA_VIDEOS_PER_PERIOD = ALLOWANCE
    owner.allowance.max_in_flight = 1000
    owner.allowance.save()
    return live_server.url, make_token(owner)


def _submit(base, key, n):
    """Alternate the surfaces: even numbers through the API, odd through the gateway."""
    if n % 2 == 0:
        response = requests.post(
            f"{base}/api/v1/videos/",
            json={"prompt": f"A fox {n}"},
            headers={"Authorization": f"Token {key}"},
            timeout=60,
        )
        body = response.json()
        return "api", response.status_code, body.get("code"), body.get("detail", "")
    response = requests.post(
        f"{base}/luma/videos",
        json={"prompt": f"A fox {n}", "async": True},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    body = response.json()
    error = body.get("error", {})
    return "gateway", response.status_code, error.get("code"), error.get("message", "")


def _ledger_sum(user):
    return QuotaEvent.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0


def test_fifty_mixed_submissions_against_ten_make_exactly_ten_jobs(loaded, owner, record):
    base, key = loaded

    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        results = list(pool.map(lambda n: _submit(base, key, n), range(SUBMISSIONS)))

    accepted = [r for r in results if r[1] in (200, 202)]
    refused = [r for r in results if r not in accepted]
    clear = [
        r
        for r in refused
        if (r[0], r[1], r[2]) in {("api", 429, "quota_exceeded"), ("gateway", 403, "used_up")}
        and "allowance resets" in r[3]
    ]
    record(SUBMISSIONS, len(accepted) + len(clear) if len(accepted) == ALLOWANCE else 0)
    assert all(status < 500 for _, status, _, _ in results), results
    assert len(accepted) == ALLOWANCE, results
    assert len(clear) == SUBMISSIONS - ALLOWANCE, refused
    assert Video.objects.filter(owner=owner).count() == ALLOWANCE
    assert QuotaEvent.objects.filter(user=owner, kind="charge").count() == ALLOWANCE
    assert _ledger_sum(owner) == quota_status(owner).used == ALLOWANCE


def test_the_charge_and_release_record_sums_to_the_usage_after_failures(loaded, owner, record):
    base, key = loaded
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda n: _submit(base, key, n), range(20)))
    jobs = list(Video.objects.filter(owner=owner))

    def fail(job):
        return services.fail(job, "api_error", {"kind": "upstream", "detail": "fetch failed"})

    # Each job failed from four threads at once: one release each, never more.
    with ThreadPoolExecutor(max_workers=16) as pool:
        wins = list(pool.map(fail, [job for job in jobs[:4] for _ in range(4)]))

    # A case holds when the job ended once: one thread wins, the other three change nothing.
    record(len(wins), len(wins) if wins.count(True) == 4 else 0)
    assert wins.count(True) == 4
    assert QuotaEvent.objects.filter(user=owner, kind="release").count() == 4
    assert _ledger_sum(owner) == quota_status(owner).used == ALLOWANCE - 4


def test_a_second_user_is_unaffected_by_the_firsts_load(loaded, owner, other, live_server):
    base, key = loaded
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda n: _submit(base, key, n), range(20)))

    other_key = make_token(other)
    status = _submit(base, other_key, 0)[1]

    assert status == 202
    assert quota_status(other).used == 1 and quota_status(owner).used == ALLOWANCE
