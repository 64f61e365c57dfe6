"""Submitting a queued job to AceDataCloud, with the upstream faked at our client."""

from datetime import timedelta

import pytest
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from videos import services
from videos.acedata import AceDataError
from videos.models import QuotaEvent, Video
from videos.quota import quota_status
from videos.retry import retry_delay


@pytest.fixture
def job(owner):
    return services.submit(
        owner,
        {
            "prompt": "A fox",
            "aspect_ratio": "4:3",
            "loop": True,
            "start_image_url": "https://img.example/a.png",
        },
    )


def test_it_submits_asynchronously_with_a_secret_callback_url(job, fake_upstream, settings):
    settings.PUBLIC_BASE_URL = "https://studio.example.com"

    assert services.dispatch(job.pk) is True

    [payload] = fake_upstream.calls_to("submit")
    assert payload == {
        "action": "generate",
        "prompt": "A fox",
        "aspect_ratio": "4:3",
        "loop": True,
        "enhancement": True,
        "start_image_url": "https://img.example/a.png",
        "callback_url": f"https://studio.example.com/webhooks/acedata/{job.pk}/{job.callback_secret}/",
    }
    job.refresh_from_db()
    assert job.state == "processing" and job.task_id in fake_upstream.tasks
    assert job.submitted_at and job.claimed_at is None and job.submit_attempts == 1


def test_an_extension_sends_the_parents_video_id(owner, fake_upstream):
    from tests.factories import make_video

    parent = make_video(owner)
    job = services.submit(owner, {"action": "extend", "parent": parent.pk, "prompt": "on"})

    services.dispatch(job.pk)

    [payload] = fake_upstream.calls_to("submit")
    assert payload["action"] == "extend" and payload["video_id"] == parent.video_id
    assert "video_url" not in payload


def test_it_submits_a_job_only_once_however_often_asked(job, fake_upstream):
    assert services.dispatch(job.pk) is True
    assert services.dispatch(job.pk) is False
    assert len(fake_upstream.calls_to("submit")) == 1


def test_a_job_claimed_by_another_process_is_left_alone(job, fake_upstream):
    Video.objects.filter(pk=job.pk).update(claimed_at=timezone.now())

    assert services.dispatch(job.pk) is False
    assert fake_upstream.calls == []


@pytest.mark.parametrize(
    "code, status, text",
    [
        ("forbidden", 403, "moderation"),
        ("used_up", 403, "balance"),
        ("bad_request", 400, "rejected"),
        ("invalid_token", 401, "token"),
    ],
)
def test_a_permanent_refusal_fails_the_job_and_gives_the_quota_back(
    job, owner, fake_upstream, code, status, text
):
    fake_upstream.submit_script = [
        AceDataError(f"msg {text}", code=code, status=status, permanent=True)
    ]

    services.dispatch(job.pk)

    job.refresh_from_db()
    assert job.state == "failed" and job.error_code == code and text in job.error_message
    assert quota_status(owner).used == 0
    assert QuotaEvent.objects.filter(video=job, kind="release").count() == 1


def test_a_transient_fault_leaves_the_job_queued_with_back_off(job, owner, fake_upstream):
    fake_upstream.submit_script = [
        AceDataError("AceDataCloud is rate limiting us", code="too_many_requests", status=429)
    ]

    services.dispatch(job.pk)

    job.refresh_from_db()
    assert job.state == "queued" and job.claimed_at is None and job.submit_attempts == 1
    assert job.next_attempt_at > timezone.now() + timedelta(seconds=10)
    assert quota_status(owner).used == 1
    assert services.dispatch(job.pk) is False  # not due yet


def test_retries_back_off_exponentially_up_to_ten_minutes(job, fake_upstream, settings):
    settings.SUBMIT_RETRY_BASE_SECONDS = 10
    settings.SUBMIT_MAX_ATTEMPTS = 10
    delays = []
    for _ in range(5):
        fake_upstream.submit_script = [AceDataError("AceDataCloud had an internal error")]
        Video.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        services.dispatch(job.pk)
        job.refresh_from_db()
        delays.append(round((job.next_attempt_at - before).total_seconds()))

    assert delays == [10, 20, 40, 80, 160]
    assert retry_delay(10, 10, 600).total_seconds() == 600


def test_it_gives_up_after_the_last_attempt_and_says_so(job, owner, fake_upstream, settings):
    settings.SUBMIT_MAX_ATTEMPTS = 2
    fake_upstream.submit_script = [
        AceDataError("Could not connect to AceDataCloud", code="upstream_unreachable"),
        AceDataError("Could not connect to AceDataCloud", code="upstream_unreachable"),
    ]
    services.dispatch(job.pk)
    Video.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())

    services.dispatch(job.pk)

    job.refresh_from_db()
    assert job.state == "failed" and job.error_code == "upstream_unreachable"
    assert job.error_message == "Could not connect to AceDataCloud. Gave up after 2 attempts."
    assert quota_status(owner).used == 0


def test_refresh_asks_upstream_and_applies_a_final_result(job, fake_upstream):
    services.dispatch(job.pk)
    job.refresh_from_db()
    body = fake_upstream.finish(job.task_id)

    services.refresh(job)

    job.refresh_from_db()
    assert job.state == "completed" and job.video_url == body["video_url"]
    assert job.last_polled_at is not None


def test_refresh_reports_an_unreachable_upstream_as_502(job, api, fake_upstream):
    services.dispatch(job.pk)
    fake_upstream.tasks_error = AceDataError.of("upstream_unreachable")

    response = api.post(f"/api/v1/videos/{job.pk}/refresh/")

    assert response.status_code == 502
    assert response.json() == {
        "detail": "Could not connect to AceDataCloud",
        "code": "upstream_unavailable",
    }
    assert Video.objects.get(pk=job.pk).state == "processing"


def test_an_unknown_outcome_keeps_the_claim_and_is_never_sent_again(job, owner, fake_upstream):
    fake_upstream.submit_script = [
        AceDataError(
            "AceDataCloud did not answer in time", "upstream_timeout", outcome_unknown=True
        )
    ]

    assert services.dispatch(job.pk) is True
    Video.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())

    assert services.dispatch(job.pk) is False
    job.refresh_from_db()
    assert (job.state, job.error_code, job.submit_attempts) == ("queued", "upstream_timeout", 1)
    assert job.claimed_at is not None and "not sent again" in job.error_message
    assert len(fake_upstream.calls_to("submit")) == 1
    assert quota_status(owner).used == 1  # reserved until its result or the job timeout


@pytest.mark.django_db(transaction=True)  # it reconnects, as a worker does
def test_an_accepted_task_id_is_held_until_the_database_is_back(
    job, fake_upstream, monkeypatch, caplog
):
    record = services._record_accepted
    outages = [OperationalError("the database is away"), InterfaceError("connection closed")]

    def flaky(video, task_id):
        if outages:
            raise outages.pop(0)
        record(video, task_id)

    monkeypatch.setattr(services, "_record_accepted", flaky)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)

    assert services.dispatch(job.pk) is True

    job.refresh_from_db()
    [task_id] = fake_upstream.tasks
    assert (job.state, job.task_id) == ("processing", task_id)
    assert caplog.text.count("the database is away; holding task") == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_id_that_cannot_be_recorded_in_time_is_logged_for_the_operator(
    job, fake_upstream, monkeypatch, settings, caplog
):
    settings.TASK_ID_RETRY_SECONDS = 0

    def down(video, task_id):
        raise OperationalError("the database is away")

    monkeypatch.setattr(services, "_record_accepted", down)

    with pytest.raises(OperationalError):
        services.dispatch(job.pk)

    [task_id] = fake_upstream.tasks
    assert f"could not record its task {task_id}" in caplog.text
