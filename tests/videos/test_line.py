"""The waiting line: jobs beyond the in-flight cap wait, go out in order, and the cap is exact."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import translation

from tests.fakes import success_body
from videos import line, quota, services, sweep
from videos.models import Video


def _submit(owner, n):
    return [services.submit(owner, {"prompt": f"A fox {i}"}) for i in range(n)]


def _out(owner):
    return line.out(Video.objects.filter(owner=owner)).count()


def test_jobs_beyond_the_cap_wait_and_go_out_in_the_order_they_came(owner, fake_upstream, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 2
    jobs = _submit(owner, 5)

    # A later job's dispatch sends the owner's first in line: order is kept.
    assert services.dispatch(jobs[4].pk) is True
    assert sweep.dispatch_due() == 1

    sent = [p["prompt"] for _name, p in fake_upstream.calls]
    assert sent == ["A fox 0", "A fox 1"]
    assert line.positions(owner) == {jobs[2].pk: 1, jobs[3].pk: 2, jobs[4].pk: 3}

    first = Video.objects.get(pk=jobs[0].pk)
    services.apply_result(first, success_body(first.task_id), first.task_id)
    assert sweep.dispatch_due() == 1
    assert [p["prompt"] for _n, p in fake_upstream.calls][-1] == "A fox 2"
    assert _out(owner) == 2


def test_a_job_ending_sends_the_next_in_line_at_once(owner, fake_upstream, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    first, second = _submit(owner, 2)
    services.dispatch(first.pk)
    first.refresh_from_db()

    with pytest.MonkeyPatch.context() as patch:
        enqueued = []
        patch.setattr(services, "_enqueue_dispatch", enqueued.append)
        services.apply_result(first, success_body(first.task_id), first.task_id)
        # job_ended is sent on commit; in a test transaction, run what it would run
        services.send_next_in_line(first.pk)

    assert enqueued == [second.pk]


def test_a_waiting_job_is_never_timed_out_for_waiting(owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.JOB_TIMEOUT_SECONDS = 0
    _submit(owner, 2)

    assert sweep.time_out_stuck() == 0
    assert Video.objects.filter(state="queued").count() == 2


def test_the_quota_is_reserved_at_acceptance_even_for_a_waiting_job(owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    _submit(owner, 3)

    status = quota.quota_status(owner)
    assert status.used == 3 and status.in_flight == 3 and status.waits


def test_the_place_in_line_reads_in_english_and_chinese():
    with translation.override("en"):
        english = [line.label(n) for n in (1, 2, 3, 4, 11, 22)]
    assert english == [
        "waiting, 1st in line",
        "waiting, 2nd in line",
        "waiting, 3rd in line",
        "waiting, 4th in line",
        "waiting, 11th in line",
        "waiting, 22nd in line",
    ]
    with translation.override("zh-hans"):
        assert line.label(2) == "排队中，第 2 位"


class _Counted:
    """A count read earlier, standing in for the queryset claim_next would count."""

    def __init__(self, number):
        self.number = number

    def count(self):
        return self.number


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_put_more_than_the_cap_out(owner, fake_upstream, settings, monkeypatch):
    """The race that would overshoot, forced: worker B counts the jobs out, then pauses while
    worker A claims one; B then claims another. Under the allowance's row lock A cannot claim
    until B has finished, so the cap holds; without the lock this test ends with 4 out."""
    settings.QUOTA_MAX_IN_FLIGHT = 3
    jobs = _submit(owner, 6)
    for job in jobs[:2]:
        services.dispatch(job.pk)
    assert _out(owner) == 2
    a_done, b_counted = threading.Event(), threading.Event()
    real_out = line.out

    def out_then_pause(videos=None):
        found = real_out(videos)
        if threading.current_thread().name != "worker-b" or b_counted.is_set():
            return found
        counted = _Counted(found.count())
        b_counted.set()
        a_done.wait(timeout=2)  # with the lock, A is blocked behind us: this times out
        return counted

    monkeypatch.setattr(line, "out", out_then_pause)

    def worker(name, wait_for=None):
        threading.current_thread().name = name
        try:
            if wait_for:
                wait_for.wait(timeout=5)
            return services.dispatch(jobs[5].pk)  # each sends the owner's next in line
        finally:
            if name == "worker-a":
                a_done.set()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        b = pool.submit(worker, "worker-b")
        a = pool.submit(worker, "worker-a", b_counted)
        sent = [b.result(), a.result()]

    assert sent.count(True) == 1
    assert _out(owner) == 3
    assert line.positions(owner) == {jobs[3].pk: 1, jobs[4].pk: 2, jobs[5].pk: 3}


def test_the_meter_and_the_api_tell_jobs_being_made_from_jobs_waiting(
    owner, fake_upstream, settings, browser, api
):
    settings.QUOTA_MAX_IN_FLIGHT = 2
    _submit(owner, 5)
    assert sweep.dispatch_due() == 2

    status = quota.quota_status(owner)
    meter = browser.get("/accounts/profile/").content.decode()
    body = api.get("/api/v1/quota/").json()

    assert (status.in_flight, status.out, status.waiting) == (5, 2, 3)
    assert "2 in progress (at most 2 at once)." in meter
    assert "3 more waiting in line." in meter
    assert (body["in_flight"], body["waiting"]) == (5, 3)
