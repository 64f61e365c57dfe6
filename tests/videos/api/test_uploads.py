"""POST /api/v1/uploads/ and files sent with POST /api/v1/videos/ as multipart/form-data."""

import pytest
from rest_framework.test import APIClient

from tests.images import image_bytes, mp4, png, upload
from videos.models import QuotaEvent, Upload, Video

URL = "/api/v1/uploads/"
SITE = "https://studio.example.com"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.PUBLIC_BASE_URL = SITE  # "testserver" is no address a validator accepts


def test_an_upload_answers_its_public_address_for_later_requests(api, client, owner):
    response = api.post(URL, {"file": png()}, format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    row = Upload.objects.get()
    assert body["url"] == f"{SITE}{row.path}" and body["id"] == str(row.pk)
    assert (body["kind"], body["content_type"], body["width"], body["height"]) == (
        "image",
        "image/png",
        64,
        48,
    )
    assert body["expires_at"]
    assert client.get(row.path).status_code == 200  # anyone holding it, no sign-in

    made = api.post("/api/v1/videos/", {"prompt": "A fox", "start_image_url": body["url"]})
    assert made.status_code == 202
    row.refresh_from_db()
    assert row.used_at is not None  # kept now: a job uses it


def test_an_mp4_upload_is_a_video_to_extend_by_its_address(api):
    body = api.post(URL, {"file": mp4()}, format="multipart").json()

    assert body["kind"] == "video" and body["url"].endswith(".mp4")

    made = api.post("/api/v1/videos/", {"action": "extend", "video_url": body["url"]})
    assert made.status_code == 202, made.content
    assert made.json()["source_video_url"] == body["url"]


@pytest.mark.parametrize(
    "file, words",
    [
        (upload(b"<html>hi</html>", "x.png"), "not an image we can read"),
        (upload(image_bytes("JPEG")[:200], "cut.jpg"), "damaged or incomplete"),
    ],
)
def test_a_bad_file_is_400_with_the_reason_and_nothing_is_stored(api, file, words):
    response = api.post(URL, {"file": file}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and words in body["detail"]
    assert words in body["fields"]["file"][0]
    assert not Upload.objects.exists()


def test_an_upload_without_a_file_is_400(api):
    response = api.post(URL, {}, format="multipart")

    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_an_anonymous_upload_is_401(db):
    response = APIClient().post(URL, {"file": png()}, format="multipart")

    assert response.status_code == 401
    assert not Upload.objects.exists()


def test_a_video_made_with_uploaded_frames_in_one_multipart_request(api):
    response = api.post(
        "/api/v1/videos/",
        {"prompt": "A fox", "start_image": png(), "end_image": png(color="blue")},
        format="multipart",
    )

    assert response.status_code == 202, response.content
    body = response.json()
    for name in ("start_image_url", "end_image_url"):
        token = body[name].rsplit("/", 1)[-1].split(".")[0]
        assert Upload.objects.get(token=token).used_at is not None


def test_a_file_and_an_address_for_the_same_frame_are_refused(api):
    response = api.post(
        "/api/v1/videos/",
        {"prompt": "A fox", "start_image": png(), "start_image_url": "https://img.example/a.png"},
        format="multipart",
    )

    assert response.status_code == 400
    assert "not both" in response.json()["fields"]["start_image"][0]
    assert not Video.objects.exists() and not QuotaEvent.objects.exists()


def test_a_bad_frame_file_refuses_the_video_and_charges_nothing(api):
    response = api.post(
        "/api/v1/videos/",
        {"prompt": "A fox", "start_image": upload(b"GIF89a nope", "a.gif")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "start_image" in response.json()["fields"]
    assert not Video.objects.exists() and not Upload.objects.exists()


def test_a_body_too_large_for_any_upload_is_413_before_it_is_read(api, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 1024
    settings.UPLOAD_MAX_VIDEO_BYTES = 1024
    big = upload(b"\x89PNG" + b"\x00" * (1100 * 1024), "big.png")

    response = api.post(URL, {"file": big}, format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "1026 KB" in response.json()["detail"]
    assert not Upload.objects.exists()
