"""Keeping finished videos: the copy into our storage, serving it, and deleting it."""

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts import api_tokens
from tests.conftest import SIM_TOKEN, run_worker
from tests.factories import make_token, make_video
from videos import media
from videos.acedata import AceDataClient
from videos.models import Video
from videos.quota import quota_status

pytestmark = pytest.mark.integration
ASSETS = Path(__file__).resolve().parents[2] / "videos" / "simulator" / "media"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MEDIA_COPY_RETRY_BASE_SECONDS = 60


def finished(simulator, owner, aspect="16:9", **fields):
    """A completed video whose URLs are the simulator's real files."""
    client = AceDataClient(base_url=simulator.base_url, token=SIM_TOKEN)
    task_id = client.submit({"prompt": "A fox", "aspect_ratio": aspect, "async": True})
    result = simulator.wait_for_task(task_id)["response"]
    values = {
        "task_id": task_id,
        "video_url": result["video_url"],
        "thumbnail_url": result["thumbnail_url"],
        "media_state": "pending",
        "media_next_attempt_at": timezone.now(),
    }
    values.update(fields)
    return make_video(owner, **values)


def test_a_completed_video_is_copied_with_its_size_and_hash(simulator, owner):
    video = finished(simulator, owner, aspect="9:16")

    assert media.copy(video.pk) is True

    video.refresh_from_db()
    expected = (ASSETS / "9x16.mp4").read_bytes()
    thumb = (ASSETS / "9x16.jpg").read_bytes()
    assert video.media_state == "done" and video.media_error == ""
    assert video.video_file_size == len(expected)
    assert video.video_sha256 == hashlib.sha256(expected).hexdigest()
    assert video.thumbnail_sha256 == hashlib.sha256(thumb).hexdigest()
    assert default_storage.open(video.video_file.name).read() == expected
    assert video.video_file.name.startswith(f"videos/{owner.pk}/")
    assert video.playback_url == f"/files/{video.pk}/video/"


def test_a_copy_runs_once_however_often_asked(simulator, owner):
    video = finished(simulator, owner)
    media.copy(video.pk)
    before = simulator.requests_count(f"/luma/{video.task_id}.mp4")

    assert media.copy(video.pk) is False
    assert simulator.requests_count(f"/luma/{video.task_id}.mp4") == before


@pytest.mark.parametrize(
    "change, words",
    [
        ({"video_url": "http://127.0.0.1:{port}/luma/no-such-task.mp4"}, "HTTP 404"),
        ({"video_url": "http://127.0.0.1:{port}/luma/{task}.jpg"}, "image/jpeg, not one of"),
        ({"video_url": "http://127.0.0.1:{port}/luma/_sized/3000000.mp4"}, "larger than"),
    ],
)
def test_a_copy_that_fails_leaves_the_video_playing_upstream_and_retries_later(
    simulator, owner, settings, change, words
):
    settings.MEDIA_MAX_VIDEO_BYTES = 2 * 1024 * 1024
    video = finished(simulator, owner)
    url = change["video_url"].format(port=simulator.port, task=video.task_id)
    Video.objects.filter(pk=video.pk).update(video_url=url)

    media.copy(video.pk)

    video.refresh_from_db()
    assert video.state == "completed"
    assert video.media_state == "failed" and words in video.media_error
    assert video.playback_url == url
    assert video.media_next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert not default_storage.exists(f"videos/{owner.pk}")  # no partial file left


@pytest.mark.django_db(transaction=True)
def test_a_failed_copy_succeeds_when_the_sweep_retries_it(simulator, owner):
    video = finished(simulator, owner)
    good = video.video_url
    Video.objects.filter(pk=video.pk).update(video_url=good.replace(video.task_id, "nope"))
    media.copy(video.pk)
    Video.objects.filter(pk=video.pk).update(
        video_url=good, media_next_attempt_at=timezone.now() - timedelta(minutes=5)
    )

    assert media.enqueue_due() == 1
    assert media.enqueue_due() == 0  # already waiting for the worker
    run_worker()

    assert Video.objects.get(pk=video.pk).media_state == "done"


def test_it_gives_up_after_the_last_attempt_and_says_so(simulator, owner, settings):
    settings.MEDIA_COPY_MAX_ATTEMPTS = 1
    video = finished(simulator, owner, video_url="http://127.0.0.1:9/x.mp4")

    media.copy(video.pk)

    video.refresh_from_db()
    assert video.media_state == "failed" and "Gave up after 1 attempts" in video.media_error
    assert video.media_next_attempt_at is None
    assert media.enqueue_due() == 0


def test_it_never_fetches_a_private_address_unless_allowed(simulator, owner, settings):
    settings.MEDIA_FETCH_ALLOWED_HOSTS = []
    video = finished(simulator, owner)

    media.copy(video.pk)

    video.refresh_from_db()
    assert video.media_state == "failed"
    assert "not a public internet address" in video.media_error
    assert video.media_error.endswith("Not retried: trying again would not help.")
    assert video.media_next_attempt_at is None and media.enqueue_due() == 0  # final
    assert simulator.requests_count(f"/luma/{video.task_id}.mp4") == 0


@pytest.fixture
def copied(simulator, owner):
    video = finished(simulator, owner)
    media.copy(video.pk)
    video.refresh_from_db()
    return video


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_owner_gets_the_whole_file(owner_client, copied):
    response = owner_client.get(f"/files/{copied.pk}/video/")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4" and response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == len(body) == copied.video_file_size
    assert hashlib.sha256(body).hexdigest() == copied.video_sha256


@pytest.mark.parametrize(
    "header, start, end",
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None)],
)
def test_a_range_request_gets_206_with_exactly_the_bytes_asked(
    owner_client, copied, header, start, end
):
    whole = default_storage.open(copied.video_file.name).read()
    size = len(whole)

    response = owner_client.get(f"/files/{copied.pk}/video/", HTTP_RANGE=header)

    body = b"".join(response.streaming_content)
    expected = whole[start : (end + 1 if end is not None else None)]
    first = start if start >= 0 else size + start
    assert response.status_code == 206
    assert body == expected
    assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{size}"
    assert response["Content-Length"] == str(len(expected))


def test_a_range_past_the_end_is_416(owner_client, copied):
    response = owner_client.get(f"/files/{copied.pk}/video/", HTTP_RANGE="bytes=99999999-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{copied.video_file_size}"


def test_a_download_is_named_after_the_prompt_and_date(owner_client, copied):
    response = owner_client.get(f"/files/{copied.pk}/video/?download=1")

    day = copied.created_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="a-fox-in-the-snow-{day}.mp4"'


def test_the_thumbnail_is_served_too(owner_client, copied):
    response = owner_client.get(f"/files/{copied.pk}/thumbnail/")

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_another_user_gets_404_and_staff_get_the_file(client, other, staff, copied):
    client.force_login(other)
    assert client.get(f"/files/{copied.pk}/video/").status_code == 404
    client.force_login(staff)
    assert client.get(f"/files/{copied.pk}/video/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, copied):
    response = client.get(f"/files/{copied.pk}/video/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_an_api_token_can_download(client, owner, copied):
    key = make_token(owner)

    response = client.get(f"/files/{copied.pk}/video/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_a_revoked_or_expired_token_cannot_download(client, owner, copied):
    revoked = make_token(owner)
    api_tokens.revoke_all(owner)
    expired = make_token(owner, expires_at=timezone.now() - timedelta(seconds=1))

    for key in (revoked, expired):
        response = client.get(f"/files/{copied.pk}/video/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_api_serves_our_copy_once_it_exists(api, copied):
    body = api.get(f"/api/v1/videos/{copied.pk}/").json()

    assert body["video_url"] == f"http://testserver/files/{copied.pk}/video/"
    assert body["download_url"].endswith("/video/?download=1")
    assert body["upstream_video_url"].startswith("http://127.0.0.1")
    assert body["media_state"] == "done"


def test_the_api_serves_the_upstream_url_until_then(api, owner):
    video = make_video(owner)

    body = api.get(f"/api/v1/videos/{video.pk}/").json()

    assert body["video_url"] == video.video_url and body["media_state"] == "none"


def test_deleting_a_video_removes_its_files_and_keeps_its_charge(
    api, owner, copied, django_capture_on_commit_callbacks
):
    name = copied.video_file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/videos/{copied.pk}/")

    assert response.status_code == 204
    assert not Video.objects.filter(pk=copied.pk).exists()
    assert not default_storage.exists(name)
    assert quota_status(owner).used == 1


def test_a_deleted_parent_stays_in_the_lineage_marked_deleted(api, owner, copied):
    child = make_video(owner, parent=copied)

    assert api.delete(f"/api/v1/videos/{copied.pk}/").status_code == 204

    assert api.get(f"/api/v1/videos/{copied.pk}/").status_code == 404
    assert api.get("/api/v1/videos/").json()["count"] == 1
    tree = api.get(f"/api/v1/videos/{child.pk}/lineage/").json()
    assert tree["root"]["id"] == str(copied.pk) and tree["root"]["deleted"] is True
    assert tree["root"]["prompt"] == "" and tree["root"]["video_url"] == ""
    assert tree["root"]["children"][0]["id"] == str(child.pk)


def test_the_kept_parent_goes_when_its_last_child_is_deleted(api, owner):
    parent = make_video(owner)
    child = make_video(owner, parent=parent)
    api.delete(f"/api/v1/videos/{parent.pk}/")

    api.delete(f"/api/v1/videos/{child.pk}/")

    assert not Video.objects.exists()


def test_a_video_in_flight_cannot_be_deleted(api, owner):
    video = make_video(owner, state=Video.State.PROCESSING)

    response = api.delete(f"/api/v1/videos/{video.pk}/")

    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert Video.objects.filter(pk=video.pk).exists()


def test_another_users_video_cannot_be_deleted(other_api, owner):
    video = make_video(owner)

    assert other_api.delete(f"/api/v1/videos/{video.pk}/").status_code == 404
    assert Video.objects.filter(pk=video.pk).exists()


def test_extending_by_the_url_of_my_stored_copy_links_the_parent(api, copied):
    body = api.post(
        "/api/v1/videos/",
        {"action": "extend", "video_url": f"https://studio.example.com/files/{copied.pk}/video/"},
        format="json",
    ).json()

    assert body["parent"] == str(copied.pk)
    assert body["source_video_id"] == copied.video_id


def test_the_copy_missing_media_command_copies_what_is_missing(simulator, owner):
    from django.core.management import call_command

    first = finished(simulator, owner, media_state="none", media_next_attempt_at=None)
    second = finished(simulator, owner, media_state="failed", media_next_attempt_at=None)
    make_video(owner, state=Video.State.FAILED)

    call_command("copy_missing_media", verbosity=0)

    assert Video.objects.get(pk=first.pk).media_state == "done"
    assert Video.objects.get(pk=second.pk).media_state == "done"


def test_the_admin_can_retry_a_failed_copy(client, staff, simulator, owner):
    video = finished(simulator, owner, media_state="failed", media_next_attempt_at=None)
    client.force_login(staff)

    client.post(
        "/admin/videos/video/",
        {"action": "retry_media_copy", "_selected_action": [video.pk]},
    )

    video.refresh_from_db()
    assert video.media_state == "pending" and video.media_attempts == 0
    page = client.get("/admin/videos/video/").content.decode()
    assert "Pending" in page


def test_an_unknown_id_is_404(owner_client):
    assert owner_client.get(f"/files/{uuid.uuid4()}/video/").status_code == 404


def test_requests_can_seek_the_simulators_media_too(simulator, owner):
    # The same Range behaviour upstream, which the player uses until our copy exists.
    video = finished(simulator, owner)

    response = requests.get(video.video_url, headers={"Range": "bytes=0-9"}, timeout=5)

    assert response.status_code == 206 and len(response.content) == 10
