"""Uploaded frames and videos over real HTTP: the simulator fetches them from the live site,
as AceDataCloud would, so these prove the public addresses really work."""

import pytest
import requests
from django.core.files.storage import default_storage

from tests.conftest import run_worker, wait_for
from tests.factories import make_token
from tests.images import image_bytes, mp4_bytes
from videos.models import Upload, Video

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _http(user):
    session = requests.Session()
    session.headers["Authorization"] = f"Token {make_token(user)}"
    return session


def _upload(http, live, data, name):
    response = http.post(f"{live.url}/api/v1/uploads/", files={"file": (name, data)})
    assert response.status_code == 201, response.text
    return response.json()["url"]


def _finished(video_id):
    return wait_for(
        lambda: Video.objects.get(pk=video_id).is_terminal and Video.objects.get(pk=video_id)
    )


def test_the_simulator_fetches_uploaded_frames_from_the_site(live, simulator, owner):
    http = _http(owner)
    start = _upload(http, live, image_bytes("JPEG"), "first.jpg")

    made = http.post(
        f"{live.url}/api/v1/videos/",
        data={"prompt": "A fox", "start_image_url": start},
        files={"end_image": ("last.png", image_bytes("PNG", color="blue"))},
    )
    assert made.status_code == 202, made.text
    run_worker()

    video = _finished(made.json()["id"])
    assert video.state == "completed", video.error_message
    sent = simulator.get_task(video.task_id)["request"]
    assert sent["start_image_url"] == start
    assert sent["end_image_url"] == video.end_image_url
    assert sent["end_image_url"].startswith(f"{live.url}/uploads/")


def test_a_frame_the_simulator_cannot_fetch_fails_the_job_and_refunds(live, simulator, owner):
    http = _http(owner)
    start = _upload(http, live, image_bytes("PNG"), "first.png")
    gone = Upload.objects.get()
    default_storage.delete(gone.file.name)
    gone.delete()

    made = http.post(
        f"{live.url}/api/v1/videos/", json={"prompt": "A fox", "start_image_url": start}
    )
    run_worker()

    video = _finished(made.json()["id"])
    assert video.state == "failed"
    assert "failed to fetch start_image_url: HTTP 404" in video.error_message
    assert http.get(f"{live.url}/api/v1/quota/").json()["used"] == 0


def test_an_uploaded_mp4_is_extended(live, simulator, owner):
    http = _http(owner)
    clip = _upload(http, live, mp4_bytes(), "holiday.mp4")

    made = http.post(
        f"{live.url}/api/v1/videos/",
        json={"action": "extend", "video_url": clip, "prompt": "And then it snowed"},
    )
    assert made.status_code == 202, made.text
    run_worker()

    video = _finished(made.json()["id"])
    assert video.state == "completed", video.error_message
    sent = simulator.get_task(video.task_id)["request"]
    assert sent["action"] == "extend" and sent["video_url"] == clip
    assert Upload.objects.get().used_at is not None
