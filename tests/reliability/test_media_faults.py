"""The media copy when things go wrong on our side or the file server's: a full disk, a
folder that cannot be written, a server that trickles, and a slow copy beside a new job.
Real file systems (a tiny tmpfs, an immutable folder), a real trickling HTTP server and
the real worker loop, not mocks."""

import subprocess
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker, wait_for
from tests.factories import make_video
from tests.servers import trickling_file_server
from videos import media, services
from videos.models import Video

pytestmark = [pytest.mark.reliability, pytest.mark.integration]


def _mount_tmpfs(path, size):
    path.mkdir(parents=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.decode().strip()}")


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a 64 KB file system: a video file fills it mid-write."""
    root = tmp_path / "small"
    _mount_tmpfs(root, "64k")
    settings.MEDIA_ROOT = root
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    yield root
    subprocess.run(["umount", "-l", str(root)], check=False)


def _sized_video(simulator, owner, size):
    url = f"{simulator.base_url}/luma/_sized/{size}.mp4"
    return make_video(
        owner,
        video_url=url,
        thumbnail_url="",
        media_state="pending",
        media_next_attempt_at=timezone.now(),
    )


def _files_under(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_full_disk_is_recorded_retried_and_leaves_no_partial_file(
    simulator, owner, full_disk, settings, tmp_path
):
    video = _sized_video(simulator, owner, 200_000)

    assert media.copy(video.pk) is True

    video.refresh_from_db()
    assert video.media_state == "failed"
    assert video.media_error == "Could not store the file: No space left on device"
    assert video.media_next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert _files_under(full_disk) == []  # the truncated file was removed

    settings.MEDIA_ROOT = tmp_path / "roomy"  # the operator frees space
    Video.objects.filter(pk=video.pk).update(media_next_attempt_at=timezone.now())
    assert media.copy(video.pk) is True
    assert Video.objects.get(pk=video.pk).media_state == "done"


@pytest.fixture
def read_only_media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "videos").mkdir(parents=True)
    result = subprocess.run(["chattr", "+i", str(root / "videos")], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot make a folder immutable here: {result.stderr.decode().strip()}")
    settings.MEDIA_ROOT = root
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    yield root
    subprocess.run(["chattr", "-i", str(root / "videos")], check=False)


def test_a_folder_that_cannot_be_written_is_recorded_and_retried(simulator, owner, read_only_media):
    video = _sized_video(simulator, owner, 20_000)

    media.copy(video.pk)

    video.refresh_from_db()
    assert video.media_state == "failed" and video.media_next_attempt_at is not None
    assert video.media_error == "Could not store the file: Operation not permitted"
    assert _files_under(read_only_media) == []


@pytest.fixture
def trickling_server():
    with trickling_file_server() as url:
        yield url


def test_a_trickling_download_is_cut_off_at_its_deadline(owner, settings, trickling_server):
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MEDIA_FETCH_READ_TIMEOUT = 5  # each byte comes well within it
    settings.MEDIA_FETCH_TOTAL_TIMEOUT = 1
    video = make_video(
        owner,
        video_url=f"{trickling_server}/slow.mp4",
        thumbnail_url="",
        media_state="pending",
        media_next_attempt_at=timezone.now(),
    )

    media.copy(video.pk)

    video.refresh_from_db()
    assert video.media_state == "failed"
    assert video.media_error == "The download did not finish within 1 seconds"
    assert video.media_next_attempt_at > timezone.now()  # tried again later


@pytest.mark.django_db(transaction=True)
def test_a_slow_media_copy_never_holds_up_a_submission(owner, fake_upstream, settings):
    """Copies run on the `media` queue, with workers of their own (the README's commands)."""
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MEDIA_FETCH_TOTAL_TIMEOUT = 5
    with trickling_file_server() as url:
        done = make_video(
            owner,
            video_url=url,
            thumbnail_url="",
            media_state="pending",
            media_next_attempt_at=timezone.now(),
        )
        media.enqueue_copy(done.pk)
        media_worker = threading.Thread(target=run_worker, args=(("media",),), daemon=True)
        media_worker.start()
        copying = DBTaskResult.objects.filter(task_path="videos.media.copy_media")
        wait_for(lambda: copying.filter(status="RUNNING").exists())

        job = services.submit(owner, {"prompt": "A fox"})
        run_worker(("default",))

        assert Video.objects.get(pk=job.pk).state == "processing"  # sent while...
        assert copying.get().status == "RUNNING"  # ...the copy is still trickling in
        media_worker.join(timeout=30)
    assert Video.objects.get(pk=done.pk).media_error.startswith("The download did not finish")
