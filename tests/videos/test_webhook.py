"""AceDataCloud's callback: the per-job secret, task id agreement, idempotency."""

import json

import pytest

from tests.fakes import failure_body, recorded, success_body
from videos import services
from videos.models import Video
from videos.quota import quota_status


@pytest.fixture
def job(owner, fake_upstream):
    video = services.submit(owner, {"prompt": "Astronauts shuttle from space to volcano"})
    services.dispatch(video.pk)
    video.refresh_from_db()
    return video


def url(video, secret=None):
    return f"/webhooks/acedata/{video.pk}/{secret or video.callback_secret}/"


def post(client, video, body, secret=None):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url(video, secret), data, content_type="application/json")


def test_a_success_callback_completes_the_job_with_the_result(client, job):
    body = success_body(job.task_id, video_width=1552, video_height=656)

    response = post(client, job, body)

    assert response.status_code == 200 and response.json() == {"status": "applied"}
    job.refresh_from_db()
    assert job.state == "completed"
    assert job.video_id == body["video_id"] and job.video_url == body["video_url"]
    assert job.thumbnail_url == body["thumbnail_url"]
    assert (job.video_width, job.video_height) == (1552, 656)
    assert job.upstream_payload == body and job.completed_at


@pytest.mark.parametrize("name", ["seed_callback", "seed_generate_result", "spec_sync_result"])
def test_each_recorded_success_body_completes_the_job(client, job, name):
    # AceDataCloud's own bodies (tests/data/), with this job's task id.
    body = {**recorded(name), "task_id": job.task_id}

    assert post(client, job, body).json() == {"status": "applied"}
    job.refresh_from_db()
    assert job.state == "completed" and job.video_id == body["video_id"]
    assert job.video_url == body["video_url"] and job.thumbnail_url == body["thumbnail_url"]
    assert (job.video_width, job.video_height) == (body["video_width"], body["video_height"])


def test_the_recorded_failure_body_fails_the_job_with_its_message(client, job, owner):
    body = {**recorded("spec_callback_failure"), "task_id": job.task_id}

    assert post(client, job, body).json() == {"status": "applied"}
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "api_error")
    assert job.error_message == "AceDataCloud had an internal error: fetch failed"
    assert quota_status(owner).used == 0


def test_a_failure_callback_fails_the_job_readably_and_releases_quota(client, job, owner):
    response = post(client, job, failure_body(job.task_id, "api_error", "fetch failed"))

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.state == "failed" and job.error_code == "api_error"
    assert job.error_message == "AceDataCloud had an internal error: fetch failed"
    assert quota_status(owner).used == 0


def test_a_success_without_a_video_url_is_a_failure(client, job):
    post(client, job, success_body(job.task_id, video_url=None))

    job.refresh_from_db()
    assert job.state == "failed" and "no video address" in job.error_message


def test_a_wrong_secret_is_refused_and_changes_nothing(client, job):
    response = post(client, job, success_body(job.task_id), secret="x" * 43)

    assert response.status_code == 404
    assert Video.objects.get(pk=job.pk).state == "processing"


def test_an_unknown_job_is_refused(client, job):
    job.pk = "00000000-0000-4000-8000-000000000000"

    assert post(client, job, success_body("t")).status_code == 404


def test_a_wrong_task_id_is_refused_and_changes_nothing(client, job):
    response = post(client, job, success_body("someone-elses-task"))

    assert response.status_code == 409
    assert response.json()["code"] == "task_mismatch"
    assert Video.objects.get(pk=job.pk).state == "processing"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "{}", '{"task_id": 5}'])
def test_a_body_that_does_not_parse_is_refused_and_changes_nothing(client, job, body):
    response = post(client, job, body)

    assert response.status_code == 400
    assert response.json()["code"] in ("parse_error", "bad_callback")
    assert Video.objects.get(pk=job.pk).state == "processing"


def test_a_replayed_callback_changes_nothing(client, job):
    body = success_body(job.task_id)
    post(client, job, body)
    first = Video.objects.get(pk=job.pk)

    response = post(client, job, success_body(job.task_id))

    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    again = Video.objects.get(pk=job.pk)
    assert again.video_id == first.video_id and again.updated_at == first.updated_at


def test_a_failure_after_completion_does_not_regress_the_job(client, job, owner):
    post(client, job, success_body(job.task_id))

    response = post(client, job, failure_body(job.task_id))

    assert response.json() == {"status": "ignored"}
    assert Video.objects.get(pk=job.pk).state == "completed"
    assert quota_status(owner).used == 1


def test_an_in_flight_callback_changes_nothing(client, job):
    response = post(client, job, {"task_id": job.task_id, "state": "processing"})

    assert response.json() == {"status": "ignored"}
    assert Video.objects.get(pk=job.pk).state == "processing"


def test_a_callback_completes_a_job_whose_task_id_was_never_saved(client, owner):
    # The process died after AceDataCloud accepted the job but before saving its task id.
    video = services.submit(owner, {"prompt": "A fox"})
    assert video.task_id is None

    response = post(client, video, success_body("c6e529d1-a06d-4c12-91b2-c855135131c3"))

    assert response.status_code == 200
    video.refresh_from_db()
    assert video.state == "completed" and video.task_id == "c6e529d1-a06d-4c12-91b2-c855135131c3"


def test_the_webhook_needs_no_csrf_token_or_login(job):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert post(strict, job, success_body(job.task_id)).status_code == 200
