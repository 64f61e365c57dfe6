"""Kept media in an S3-compatible store (django-storages), against a local S3 server (moto)."""

import hashlib
import socket

import boto3
import pytest
import requests
from django.core.files.storage import default_storage
from django.utils import timezone
from moto.server import ThreadedMotoServer

from tests.conftest import SIM_TOKEN
from tests.factories import make_video
from tests.images import exif_with_gps, image_bytes, upload
from videos import media, sharing, uploads
from videos.acedata import AceDataClient

pytestmark = pytest.mark.integration
BUCKET = "luma-studio-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings):
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)
    client.create_bucket(Bucket=BUCKET)
    # The same options config/settings.py builds from AWS_STORAGE_BUCKET_NAME and friends.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 3600,
                "file_overwrite": False,
            },
        },
    }
    settings.MEDIA_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    yield client
    server.stop()


@pytest.fixture
def copied(simulator, owner, s3):
    client = AceDataClient(base_url=simulator.base_url, token=SIM_TOKEN)
    task_id = client.submit({"prompt": "A fox", "async": True})
    result = simulator.wait_for_task(task_id)["response"]
    video = make_video(
        owner,
        task_id=task_id,
        video_url=result["video_url"],
        thumbnail_url=result["thumbnail_url"],
        media_state="pending",
        media_next_attempt_at=timezone.now(),
    )
    assert media.copy(video.pk) is True
    video.refresh_from_db()
    return video, requests.get(result["video_url"], timeout=5).content


def test_a_copy_lands_in_the_bucket_with_its_size_and_hash(s3, copied):
    video, upstream = copied

    stored = s3.get_object(Bucket=BUCKET, Key=video.video_file.name)["Body"].read()

    assert video.media_state == "done"
    assert stored == upstream and video.video_file_size == len(upstream)
    assert video.video_sha256 == hashlib.sha256(upstream).hexdigest()
    assert s3.head_object(Bucket=BUCKET, Key=video.thumbnail_file.name)["ContentLength"] > 0


def test_the_owner_is_sent_to_a_signed_link_that_serves_the_file(client, owner, copied):
    video, upstream = copied
    client.force_login(owner)

    response = client.get(f"/files/{video.pk}/video/")

    assert response.status_code == 302
    assert "Signature=" in response["Location"] or "X-Amz-Signature=" in response["Location"]
    assert requests.get(response["Location"], timeout=5).content == upstream
    unsigned = response["Location"].split("?")[0]
    assert requests.get(unsigned, timeout=5).status_code == 403  # the object is private


def test_a_download_link_asks_the_store_for_our_file_name(client, owner, copied):
    video, _ = copied
    client.force_login(owner)

    location = client.get(f"/files/{video.pk}/video/?download=1")["Location"]

    assert "response-content-disposition=attachment" in location


def test_another_user_gets_no_link(client, other, copied):
    video, _ = copied
    client.force_login(other)

    assert client.get(f"/files/{video.pk}/video/").status_code == 404


def test_deleting_the_video_deletes_the_objects(
    api, s3, copied, django_capture_on_commit_callbacks
):
    video, _ = copied
    keys = [video.video_file.name, video.thumbnail_file.name]

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/videos/{video.pk}/").status_code == 204

    # moto keeps one store per process, so look for these objects, not an empty bucket.
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert not listed & set(keys)
    assert not default_storage.exists(keys[0])


def test_a_share_link_streams_from_the_bucket_without_naming_it(s3, copied, client):
    video, upstream = copied
    link = sharing.share(video)

    whole = client.get(f"/s/{link.token}/video/")
    part = client.get(f"/s/{link.token}/video/", HTTP_RANGE="bytes=0-99")

    assert whole.status_code == 200 and "Location" not in whole
    assert b"".join(whole.streaming_content) == upstream
    assert part.status_code == 206 and b"".join(part.streaming_content) == upstream[:100]


def test_an_upload_in_s3_is_stored_clean_and_its_address_hands_out_a_signed_link(s3, owner, client):
    row = uploads.save(owner, upload(image_bytes("JPEG", exif=exif_with_gps()), "p.jpg"))

    stored = s3.get_object(Bucket=BUCKET, Key=row.file.name)["Body"].read()
    assert stored.startswith(b"\xff\xd8") and b"PhoneMaker" not in stored
    response = client.get(row.path)
    assert response.status_code == 302
    signed = response["Location"]
    assert "Signature=" in signed or "X-Amz-Signature=" in signed
    assert requests.get(signed, timeout=10).content == stored
    anonymous = requests.get(signed.split("?")[0], timeout=10)
    assert anonymous.status_code == 403  # the object itself is private
