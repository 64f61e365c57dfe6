"""Outbound callbacks: queued when a job ends, AceDataCloud's 3c body, back-off, address rules."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker
from videos.gateway import delivery
from videos.models import GatewayJob, Video
from videos.sweep import sweep_task

from .conftest import CallbackReceiver
from .helpers import complete, fail

pytestmark = pytest.mark.django_db
TASK_PATH = "videos.gateway.delivery.deliver_callback"


@pytest.fixture
def allow_loopback(settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]


def submit_with_callback(gateway, url, **body):
    response = gateway.videos({"prompt": "A cat", "callback_url": url, **body})
    assert response.status_code == 200, response.content
    return response.json()["task_id"]


def queued_deliveries():
    return list(DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at"))


def test_a_finished_callback_job_queues_its_delivery(
    gateway, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    task_id = submit_with_callback(gateway, receiver.url())

    with django_capture_on_commit_callbacks(execute=True):
        complete(task_id)

    [queued] = queued_deliveries()
    assert queued.args_kwargs["args"] == [task_id, 1]


def test_jobs_without_a_callback_queue_no_delivery(gateway, django_capture_on_commit_callbacks):
    task_id = gateway.videos({"prompt": "A cat", "async": True}).json()["task_id"]

    with django_capture_on_commit_callbacks(execute=True):
        complete(task_id)

    assert queued_deliveries() == []


def test_a_completed_job_is_delivered_as_acedataclouds_3c_success_body(
    gateway, receiver, allow_loopback
):
    task_id = submit_with_callback(gateway, receiver.url())
    upstream = complete(task_id)

    assert delivery.deliver(task_id, 1) == "delivered"

    [body] = receiver.received
    job = GatewayJob.objects.get(pk=task_id)
    assert body["success"] is True and body["state"] == "completed"
    assert body["task_id"] == task_id and body["trace_id"] == str(job.trace_id)
    assert body["video_id"] == upstream["video_id"]
    assert body["video_url"] == upstream["video_url"]
    assert receiver.headers[0]["content-type"] == "application/json"
    assert "authorization" not in receiver.headers[0]
    assert job.delivery_state == "delivered" and job.delivered_at is not None
    assert job.delivery_attempts == 1


def test_a_failed_job_is_delivered_as_the_3c_failure_body(gateway, receiver, allow_loopback):
    task_id = submit_with_callback(gateway, receiver.url())
    fail(task_id, "forbidden", "prompt refused")

    delivery.deliver(task_id, 1)

    [body] = receiver.received
    assert body["success"] is False and body["task_id"] == task_id
    assert body["error"]["code"] == "forbidden"
    assert "prompt refused" in body["error"]["message"]
    assert set(body) == {"success", "task_id", "trace_id", "error"}


def test_a_non_2xx_answer_is_retried_later_with_back_off(gateway, receiver, allow_loopback):
    receiver.statuses = [500, 503]
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)

    assert delivery.deliver(task_id, 1) == "retrying"
    assert delivery.deliver(task_id, 2) == "retrying"

    first, second = queued_deliveries()
    assert first.args_kwargs["args"] == [task_id, 2]
    assert second.args_kwargs["args"] == [task_id, 3]
    now = timezone.now()
    assert now + timedelta(seconds=25) < first.run_after <= now + timedelta(seconds=30)
    assert now + timedelta(seconds=55) < second.run_after <= now + timedelta(seconds=60)
    assert GatewayJob.objects.get(pk=task_id).last_delivery_error == "HTTP 503"

    assert delivery.deliver(task_id, 3) == "delivered"
    assert len(receiver.received) == 3


def test_delivery_gives_up_after_the_last_attempt(gateway, receiver, allow_loopback, settings):
    settings.CALLBACK_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500, 500]
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)

    assert delivery.deliver(task_id, 1) == "retrying"
    assert delivery.deliver(task_id, 2) == "failed"

    job = GatewayJob.objects.get(pk=task_id)
    assert job.delivery_state == "failed" and job.last_delivery_error == "HTTP 500"
    assert len(queued_deliveries()) == 1  # no third attempt queued


def test_an_attempt_is_made_once_even_if_its_task_runs_twice(gateway, receiver, allow_loopback):
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)

    assert delivery.deliver(task_id, 1) == "delivered"
    assert delivery.deliver(task_id, 1) == "skipped"
    assert len(receiver.received) == 1


def test_nothing_is_sent_before_the_job_ends(gateway, receiver, allow_loopback):
    task_id = submit_with_callback(gateway, receiver.url())

    assert delivery.deliver(task_id, 1) == "skipped"
    assert receiver.received == []


def test_redirects_are_not_followed(gateway, receiver, allow_loopback):
    elsewhere = CallbackReceiver()
    try:
        receiver.statuses = [302]
        receiver.location = elsewhere.url()
        task_id = submit_with_callback(gateway, receiver.url())
        complete(task_id)

        assert delivery.deliver(task_id, 1) == "retrying"

        assert elsewhere.received == []
        assert (
            "redirects are not followed" in GatewayJob.objects.get(pk=task_id).last_delivery_error
        )
    finally:
        elsewhere.stop()


def test_an_address_no_longer_allowed_at_delivery_is_given_up_without_a_request(
    gateway, receiver, allow_loopback, settings
):
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)
    settings.CALLBACK_ALLOWED_HOSTS = []

    assert delivery.deliver(task_id, 1) == "failed"

    assert receiver.received == []
    job = GatewayJob.objects.get(pk=task_id)
    assert "not a public internet address" in job.last_delivery_error
    assert queued_deliveries() == []


def test_an_unreachable_callback_is_retried(gateway, allow_loopback, settings):
    settings.CALLBACK_CONNECT_TIMEOUT = 0.5
    task_id = submit_with_callback(gateway, "http://127.0.0.1:9/nobody-listens")
    complete(task_id)

    assert delivery.deliver(task_id, 1) == "retrying"
    assert "could not connect" in GatewayJob.objects.get(pk=task_id).last_delivery_error


def test_only_a_bounded_amount_of_the_answer_is_read(receiver, allow_loopback, settings):
    settings.CALLBACK_MAX_RESPONSE_BYTES = 1000
    receiver.answer_bytes = 5_000_000

    with requests.post(receiver.url(), json={}, stream=True, timeout=2) as response:
        assert delivery._drain(response) == 1000

    assert delivery.post(receiver.url(), {"x": 1}).ok


def test_the_retry_delay_doubles_and_is_capped(settings):
    settings.CALLBACK_RETRY_BASE_SECONDS = 30

    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert delivery.retry_delay(20) == timedelta(hours=1)


# --- recovery of deliveries whose next attempt never came -------------------------------------
def age(task_id, minutes, attempts=None):
    """Pretend the job ended, and its last attempt happened, `minutes` ago."""
    past = timezone.now() - timedelta(minutes=minutes)
    Video.objects.filter(pk=task_id).update(completed_at=past)
    updates = {"last_attempt_at": past if attempts else None}
    if attempts is not None:
        updates["delivery_attempts"] = attempts
    GatewayJob.objects.filter(pk=task_id).update(**updates)


def test_a_delivery_that_was_never_queued_is_requeued(gateway, receiver, allow_loopback):
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)
    age(task_id, minutes=10)

    assert delivery.recover_stalled() == 1

    [queued] = queued_deliveries()
    assert queued.args_kwargs["args"] == [task_id, 1]
    assert delivery.recover_stalled() == 0  # not again within the window


def test_an_attempt_interrupted_by_a_dying_worker_is_followed_by_the_next(
    gateway, receiver, allow_loopback
):
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)
    age(task_id, minutes=30, attempts=1)

    assert delivery.recover_stalled() == 1

    assert queued_deliveries()[0].args_kwargs["args"] == [task_id, 2]
    assert delivery.deliver(task_id, 2) == "delivered"


def test_recent_and_merely_waiting_deliveries_are_left_alone(gateway, receiver, allow_loopback):
    fresh = submit_with_callback(gateway, receiver.url())
    complete(fresh)
    backing_off = submit_with_callback(gateway, receiver.url(), prompt="Two")
    complete(backing_off)
    age(backing_off, minutes=5, attempts=3)  # its 120 s back-off plus grace is not over

    assert delivery.recover_stalled() == 0
    assert queued_deliveries() == []


@pytest.mark.django_db(transaction=True)
def test_the_workers_sweep_runs_the_recovery_and_the_worker_delivers(
    gateway, receiver, allow_loopback
):
    task_id = submit_with_callback(gateway, receiver.url())
    complete(task_id)
    age(task_id, minutes=10)

    sweep_task.enqueue()
    run_worker()

    assert [body["task_id"] for body in receiver.received] == [task_id]
    assert GatewayJob.objects.get(pk=task_id).delivery_state == "delivered"
