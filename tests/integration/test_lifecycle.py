"""The whole life of a job over real HTTP: site -> simulator -> callback -> site."""

import pytest
import requests

from tests.conftest import run_worker, wait_for
from tests.factories import make_token
from videos.models import Video

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _client(live, user):
    session = requests.Session()
    session.headers["Authorization"] = f"Token {make_token(user)}"
    session.base = live.url
    return session


def _state(video_id):
    return Video.objects.get(pk=video_id).state


def test_a_generated_video_completes_by_callback_then_extends_into_a_lineage(
    live, simulator, owner
):
    http = _client(live, owner)

    created = http.post(
        f"{live.url}/api/v1/videos/", json={"prompt": "A fox", "aspect_ratio": "1:1"}
    )
    assert created.status_code == 202, created.text
    first = created.json()["id"]
    run_worker()
    wait_for(lambda: _state(first) == "completed")

    video = http.get(f"{live.url}/api/v1/videos/{first}/").json()
    task = simulator.get_task(video["task_id"])
    result = task["response"]
    assert video["video_id"] == result["video_id"]
    # upstream_*: the worker may already have copied the files (then video_url is ours).
    assert video["upstream_video_url"] == result["video_url"]
    assert video["upstream_thumbnail_url"] == result["thumbnail_url"]
    assert (video["video_width"], video["video_height"]) == (240, 240)
    assert video["completed_at"] and video["error"] is None
    assert simulator.requests_count("/luma/tasks") == 0  # the callback did it, no polling

    extended = http.post(f"{live.url}/api/v1/videos/{first}/extend/", json={"prompt": "Further"})
    assert extended.status_code == 202, extended.text
    second = extended.json()
    assert second["parent"] == first and second["root"] == first and second["depth"] == 1
    run_worker()
    wait_for(lambda: _state(second["id"]) == "completed")
    sent = simulator.get_task(Video.objects.get(pk=second["id"]).task_id)["request"]
    assert sent["action"] == "extend" and sent["video_id"] == video["video_id"]

    tree = http.get(f"{live.url}/api/v1/videos/{second['id']}/lineage/").json()
    assert tree["count"] == 2
    assert tree["root"]["id"] == first
    assert [child["id"] for child in tree["root"]["children"]] == [second["id"]]
    assert tree["root"]["children"][0]["is_current"] is True

    quota = http.get(f"{live.url}/api/v1/quota/").json()
    assert quota["used"] == 2 and quota["in_flight"] == 0


def test_a_lost_callback_is_recovered_by_the_worker_polling(live, simulator, owner, settings):
    settings.POLL_AFTER_SECONDS = 0
    http = _client(live, owner)
    video_id = http.post(
        f"{live.url}/api/v1/videos/", json={"prompt": "A fox [sim:lost-callback]"}
    ).json()["id"]
    run_worker()
    task_id = wait_for(lambda: Video.objects.get(pk=video_id).task_id)
    simulator.wait_for_task(task_id)
    assert _state(video_id) == "processing"

    from videos.sweep import sweep

    report = sweep()

    assert report.updated == 1
    assert _state(video_id) == "completed"
    assert simulator.requests_count("/luma/tasks") == 1


def test_a_completed_video_is_copied_to_our_storage_by_the_worker(
    live, simulator, owner, settings, tmp_path
):
    import hashlib

    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    http = _client(live, owner)
    video_id = http.post(f"{live.url}/api/v1/videos/", json={"prompt": "A fox"}).json()["id"]
    run_worker()
    wait_for(lambda: _state(video_id) == "completed")

    run_worker()  # the copy the completion enqueued

    video = Video.objects.get(pk=video_id)
    upstream = requests.get(video.video_url, timeout=5).content
    assert video.media_state == "done"
    assert video.video_file_size == len(upstream)
    assert video.video_sha256 == hashlib.sha256(upstream).hexdigest()
    assert video.thumbnail_file_size == len(requests.get(video.thumbnail_url, timeout=5).content)
    shown = http.get(f"{live.url}/api/v1/videos/{video_id}/").json()
    assert shown["video_url"] == f"{live.url}/files/{video_id}/video/"
    served = http.get(shown["video_url"], headers={"Range": "bytes=10-19"})
    assert served.status_code == 206 and served.content == upstream[10:20]
