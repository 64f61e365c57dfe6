"""The gateway over real HTTP: site, worker, simulator, webhook, and the client's callback."""

import logging
import threading

import pytest
import requests

from tests.conftest import SIM_TOKEN, wait_for
from tests.factories import make_token
from videos.gateway import jobs
from videos.models import GatewayJob, Video
from videos.quota import quota_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def luma(live, owner):
    """POST to the live site's /luma/* with the owner's bearer token."""
    token = make_token(owner)

    def post(path, body, timeout=30):
        return requests.post(
            f"{live.url}/luma/{path}",
            json=body,
            headers={"authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    post.token = token
    return post


def test_sync_generation_answers_the_finished_video(luma, background_worker, owner):
    response = luma("videos", {"prompt": "A fox", "aspect_ratio": "1:1"})

    assert response.status_code == 200, response.text
    body = response.json()
    video = Video.objects.get(pk=body["task_id"])
    assert video.owner == owner and video.state == "completed"
    assert body["state"] == "completed" and body["video_url"] == video.video_url
    assert (body["video_width"], body["video_height"]) == (240, 240)
    assert quota_status(owner).used == 1


def test_sync_generation_that_fails_upstream_answers_its_error(luma, background_worker, owner):
    response = luma("videos", {"prompt": "A fox [sim:fail]"})

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "api_error"
    assert quota_status(owner).used == 0  # a failed job gives its quota back


def test_async_generation_is_polled_to_completion_through_tasks(luma, background_worker):
    task_id = luma("videos", {"prompt": "A fox", "async": True}).json()["task_id"]

    def finished():
        record = luma("tasks", {"action": "retrieve", "id": task_id}).json()
        return record if "response" in record else None

    record = wait_for(finished, timeout=15, interval=0.2)
    assert record["response"]["state"] == "completed"
    assert record["response"]["video_url"] == Video.objects.get(pk=task_id).video_url
    assert record["request"] == {"prompt": "A fox", "async": True}


def test_a_callback_job_is_posted_to_the_clients_url_when_done(
    luma, background_worker, receiver, settings
):
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    response = luma("videos", {"prompt": "A fox", "callback_url": receiver.url()})
    task_id = response.json()["task_id"]

    wait_for(lambda: receiver.received, timeout=15, interval=0.1)

    [body] = receiver.received
    assert body["task_id"] == task_id and body["success"] is True
    assert body["video_url"] == Video.objects.get(pk=task_id).video_url
    wait_for(lambda: GatewayJob.objects.get(pk=task_id).delivery_state == "delivered")


def test_a_full_waiting_room_refuses_another_sync_call_but_finishes_the_first(
    luma, background_worker, simulator, settings, owner
):
    settings.GATEWAY_SYNC_MAX_WAITING = 1
    simulator.delay = 1.5
    first = {}
    thread = threading.Thread(target=lambda: first.update(r=luma("videos", {"prompt": "One"})))
    thread.start()
    wait_for(lambda: jobs.waiting_room.waiting == 1)

    second = luma("videos", {"prompt": "Two"})

    assert second.status_code == 429
    assert second.json()["error"]["code"] == "too_many_requests"
    thread.join(timeout=20)
    assert first["r"].status_code == 200, first["r"].text
    assert Video.objects.count() == 1 and quota_status(owner).used == 1


def test_one_user_may_only_have_so_many_sync_calls_waiting_across_the_site(
    luma, background_worker, simulator, settings, owner
):
    settings.GATEWAY_SYNC_MAX_WAITING = 3  # room in this process...
    settings.GATEWAY_SYNC_MAX_WAITING_PER_USER = 1  # ...but not for this user
    simulator.delay = 1.5
    first = {}
    thread = threading.Thread(target=lambda: first.update(r=luma("videos", {"prompt": "One"})))
    thread.start()
    wait_for(lambda: GatewayJob.objects.filter(waiting_until__isnull=False).exists())

    second = luma("videos", {"prompt": "Two"})

    assert second.status_code == 429
    assert "You already have 1 synchronous requests waiting" in second.json()["error"]["message"]
    assert Video.objects.count() == 1 and quota_status(owner).used == 1  # nothing charged
    thread.join(timeout=20)
    assert first["r"].status_code == 200, first["r"].text
    assert not GatewayJob.objects.filter(waiting_until__isnull=False).exists()
    assert luma("videos", {"prompt": "Three"}).status_code == 200  # its seat is free again


def test_no_gateway_answer_callback_or_log_line_shows_the_sites_secrets(
    luma, background_worker, receiver, settings, caplog, owner
):
    caplog.set_level(logging.DEBUG)
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    answers = [
        luma("videos", {"prompt": "A fox", "callback_url": receiver.url()}),
        luma("videos", {"prompt": "A fox [sim:fail]"}),
        luma("videos", {"prompt": "", "async": True}),
        luma("videos", {"prompt": "A fox", "callback_url": "http://localhost/x"}),
        luma("tasks", {"action": "nope"}),
    ]
    task_id = answers[0].json()["task_id"]
    wait_for(lambda: receiver.received, timeout=15, interval=0.1)
    answers.append(luma("tasks", {"action": "retrieve", "id": task_id}))
    answers.append(luma("tasks", {"action": "retrieve_batch", "ids": [task_id]}))

    secrets = [SIM_TOKEN] + [v.callback_secret for v in Video.objects.all()]
    assert len(secrets) == 3
    texts = [a.text for a in answers] + [str(b) for b in receiver.received]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    logs = caplog.text
    assert "Gateway accepted" in logs  # the log was captured
    for secret in [*secrets, luma.token]:
        assert secret not in logs
