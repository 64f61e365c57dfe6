"""The worker's sweep: submit due jobs, poll late ones in batches, end stuck ones."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import make_video
from videos import services, sweep
from videos.acedata import AceDataError
from videos.models import Video, WorkerHeartbeat
from videos.quota import quota_status


@pytest.fixture(autouse=True)
def _prompt_polling(settings):
    settings.POLL_AFTER_SECONDS = 60
    settings.POLL_INTERVAL_SECONDS = 30
    settings.JOB_TIMEOUT_SECONDS = 900
    settings.QUOTA_VIDEOS_PER_PERIOD = 5000
    settings.QUOTA_MAX_IN_FLIGHT = 5000


def late_job(owner, fake_upstream, minutes=5):
    job = services.submit(owner, {"prompt": "A fox"})
    services.dispatch(job.pk)
    Video.objects.filter(pk=job.pk).update(submitted_at=timezone.now() - timedelta(minutes=minutes))
    return Video.objects.get(pk=job.pk)


def test_it_submits_queued_jobs_that_are_due(owner, fake_upstream):
    due = services.submit(owner, {"prompt": "A fox"})
    later = services.submit(owner, {"prompt": "A fox"})
    Video.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    assert sweep.dispatch_due() == 1

    assert Video.objects.get(pk=due.pk).state == "processing"
    assert Video.objects.get(pk=later.pk).state == "queued"


def test_it_does_not_resubmit_a_job_whose_submitter_died_mid_call(owner, fake_upstream):
    job = services.submit(owner, {"prompt": "A fox"})
    Video.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - timedelta(hours=1))

    assert sweep.dispatch_due() == 0
    assert fake_upstream.calls == []


def test_a_late_job_is_completed_from_its_task_record(owner, fake_upstream):
    job = late_job(owner, fake_upstream)
    body = fake_upstream.finish(job.task_id)

    polled, updated = sweep.poll_late()

    assert (polled, updated) == (1, 1)
    job.refresh_from_db()
    assert job.state == "completed" and job.video_url == body["video_url"]


def test_a_late_job_that_failed_upstream_is_failed_and_refunded(owner, fake_upstream):
    job = late_job(owner, fake_upstream)
    fake_upstream.fail(job.task_id, "forbidden", "moderation")

    sweep.poll_late()

    job.refresh_from_db()
    assert job.state == "failed" and job.error_code == "forbidden"
    assert quota_status(owner).used == 0


def test_a_job_still_running_upstream_stays_in_flight_and_is_not_polled_again_at_once(
    owner, fake_upstream
):
    job = late_job(owner, fake_upstream)

    assert sweep.poll_late() == (1, 0)
    assert sweep.poll_late() == (0, 0)
    assert Video.objects.get(pk=job.pk).state == "processing"


def test_a_job_whose_callback_is_not_late_yet_is_not_polled(owner, fake_upstream):
    late_job(owner, fake_upstream, minutes=0)

    assert sweep.poll_late() == (0, 0)
    assert fake_upstream.calls_to("retrieve_batch") == []


def test_it_polls_many_late_jobs_with_one_batch_lookup(owner, fake_upstream):
    jobs = [late_job(owner, fake_upstream) for _ in range(120)]
    for job in jobs:
        fake_upstream.finish(job.task_id)

    assert sweep.poll_late() == (120, 120)

    # The client splits the lookup into calls of 50 (tests/videos/test_acedata.py).
    [ids] = fake_upstream.calls_to("retrieve_batch")
    assert sorted(ids) == sorted(job.task_id for job in jobs)
    assert fake_upstream.calls_to("retrieve") == []
    assert Video.objects.filter(state="completed").count() == 120


def test_a_failed_poll_changes_nothing(owner, fake_upstream):
    job = late_job(owner, fake_upstream)
    fake_upstream.tasks_error = AceDataError("AceDataCloud had an internal error", status=500)

    assert sweep.poll_late() == (1, 0)
    assert Video.objects.get(pk=job.pk).state == "processing"


@pytest.mark.parametrize(
    "setup, words",
    [
        ({"state": Video.State.PROCESSING}, "did not finish this video within 15 minutes"),
        (  # claimed 16 minutes ago, and no answer since
            {"state": Video.State.QUEUED, "claimed_at": timezone.now() - timedelta(minutes=16)},
            "lost contact",
        ),
        (
            {  # as _record_submit_error leaves a job after a transient fault
                "state": Video.State.QUEUED,
                "error_code": "too_many_requests",
                "error_params": {"kind": "retrying"},
                "error_message": "AceDataCloud is rate limiting us; retrying.",
            },
            "Could not start this job within 15 minutes: AceDataCloud is rate limiting us.",
        ),
    ],
)
def test_a_job_that_hangs_too_long_is_failed_with_a_reason_and_refunded(owner, setup, words):
    job = make_video(owner, created_at=timezone.now() - timedelta(minutes=16), **setup)
    fresh = make_video(owner, state=Video.State.PROCESSING)

    assert sweep.time_out_stuck() == 1

    job.refresh_from_db()
    assert job.state == "failed" and job.error_code == "timeout"
    assert words in job.error_message and "No quota was used." in job.error_message
    assert Video.objects.get(pk=fresh.pk).state == "processing"
    assert quota_status(owner).used == 1


def test_a_job_that_waited_long_in_line_has_its_full_time_once_sent(owner):
    long_ago = timezone.now() - timedelta(minutes=40)
    sent_now = make_video(owner, state="processing", created_at=long_ago)
    Video.objects.filter(pk=sent_now.pk).update(submitted_at=timezone.now())
    claimed_now = make_video(
        owner, state="queued", task_id=None, created_at=long_ago, claimed_at=timezone.now()
    )

    assert sweep.time_out_stuck() == 0
    assert set(Video.objects.in_flight().values_list("pk", flat=True)) == {
        sent_now.pk,
        claimed_now.pk,
    }


def test_a_sweep_reports_what_it_did(owner, fake_upstream):
    services.submit(owner, {"prompt": "A fox"})
    make_video(owner, state="processing", created_at=timezone.now() - timedelta(hours=1))
    make_video(
        owner, media_state="failed", media_next_attempt_at=timezone.now() - timedelta(hours=1)
    )

    report = sweep.sweep()

    assert report.as_dict() == {
        "dispatched": 1,
        "polled": 0,
        "updated": 0,
        "timed_out": 1,
        "copies": 1,
        "deliveries": 0,
        "abandoned": 0,
        "uploads_removed": 0,
    }


def test_a_job_the_upstream_has_forgotten_fails_after_a_few_unknown_answers(
    owner, fake_upstream, settings
):
    settings.UPSTREAM_FORGOTTEN_POLLS = 3
    settings.POLL_INTERVAL_SECONDS = 0
    job = late_job(owner, fake_upstream)
    del fake_upstream.tasks[job.task_id]  # AceDataCloud answers: no such task

    assert sweep.poll_late() == (1, 0)
    assert sweep.poll_late() == (1, 0)
    assert Video.objects.get(pk=job.pk).unknown_polls == 2
    assert sweep.poll_late() == (1, 1)

    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "upstream_forgot")
    assert job.error_message.startswith("AceDataCloud no longer knows this job (asked 3 times)")
    assert quota_status(owner).used == 0


def test_an_answer_that_knows_the_job_resets_the_unknown_count(owner, fake_upstream, settings):
    settings.POLL_INTERVAL_SECONDS = 0
    job = late_job(owner, fake_upstream)
    record = fake_upstream.tasks.pop(job.task_id)
    sweep.poll_late()
    sweep.poll_late()
    fake_upstream.tasks[job.task_id] = record  # it was a hiccup: the task is there again

    sweep.poll_late()

    job.refresh_from_db()
    assert job.unknown_polls == 0 and job.state == "processing"


@pytest.mark.django_db(transaction=True)
def test_tasks_left_running_by_a_dead_worker_are_marked_failed(settings):
    settings.TASK_ABANDONED_SECONDS = 3600
    now = timezone.now()
    rows = {}
    for name, started in (("dead", now - timedelta(hours=2)), ("busy", now - timedelta(minutes=5))):
        rows[name] = DBTaskResult.objects.create(
            task_path="videos.sweep.sweep_task",
            args_kwargs={"args": [], "kwargs": {}},
            queue_name="default",
            backend_name="default",
            run_after=now,
            status="RUNNING",
            started_at=started,
            worker_ids=[f"worker-{name}"],
        )

    assert sweep.end_abandoned_tasks() == 1

    dead, busy = (DBTaskResult.objects.get(pk=rows[n].pk) for n in ("dead", "busy"))
    assert (dead.status, dead.exception_class_path) == ("FAILED", "videos.sweep.WorkerLost")
    assert dead.finished_at is not None
    assert busy.status == "RUNNING"
    assert sweep.end_abandoned_tasks() == 0


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_stopped_reporting_in_is_marked_failed_at_once(settings):
    settings.WORKER_STALE_SECONDS = 30
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="killed",
        hostname="h",
        pid=1,
        queues=["default"],
        started_at=now - timedelta(minutes=5),
        seen_at=now - timedelta(minutes=2),
    )
    WorkerHeartbeat.objects.create(
        worker_id="alive",
        hostname="h",
        pid=2,
        queues=["default"],
        started_at=now - timedelta(minutes=5),
        seen_at=now,
    )
    tasks = {
        worker: DBTaskResult.objects.create(
            task_path="videos.sweep.sweep_task",
            args_kwargs={"args": [], "kwargs": {}},
            queue_name="default",
            backend_name="default",
            run_after=now,
            status="RUNNING",
            started_at=now - timedelta(minutes=1),
            worker_ids=[worker],
        )
        for worker in ("killed", "alive")
    }

    assert sweep.end_abandoned_tasks() == 1

    assert DBTaskResult.objects.get(pk=tasks["killed"].pk).status == "FAILED"
    assert DBTaskResult.objects.get(pk=tasks["alive"].pk).status == "RUNNING"
