"""Uploads: what is accepted, what is refused and why, what is stored, how long it is kept."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from tests.factories import make_video
from tests.images import (
    GPS_TAG,
    bomb_png,
    exif_with_gps,
    image_bytes,
    mp4,
    mp4_bytes,
    png,
    upload,
)
from videos import services, uploads
from videos.errors import InvalidRequest
from videos.models import Upload


def _stored(row: Upload) -> Image.Image:
    with default_storage.open(row.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def _refusal(owner, file, kind=None) -> str:
    with pytest.raises(InvalidRequest) as caught:
        uploads.save(owner, file, "start_image", kind)
    assert not Upload.objects.exists()
    return caught.value.fields["start_image"][0]


@pytest.mark.parametrize(
    "fmt, name, stored_type",
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "a.jpg", "image/jpeg"),
        ("WEBP", "a.webp", "image/webp"),
        ("HEIF", "IMG_0001.HEIC", "image/jpeg"),  # a phone's photo, converted
    ],
)
def test_it_accepts_png_jpeg_webp_and_heic_images(owner, fmt, name, stored_type):
    row = uploads.save(owner, upload(image_bytes(fmt), name, "application/octet-stream"))

    assert row.kind == "image" and row.content_type == stored_type
    assert (row.width, row.height) == (64, 48)
    assert _stored(row).size == (64, 48)
    assert row.size == default_storage.size(row.file.name)
    assert row.original_name == name


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_the_stored_image_carries_no_exif_or_gps(owner, fmt):
    data = image_bytes(fmt, exif=exif_with_gps())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_TAG)  # the original has it

    stored = _stored(uploads.save(owner, upload(data, "photo")))

    assert not stored.getexif()
    assert "exif" not in stored.info and "xmp" not in stored.info


def test_a_photo_taken_upright_is_stored_the_right_way_up(owner):
    # Orientation 6: the camera stored it sideways and asked viewers to turn it.
    data = image_bytes("JPEG", size=(64, 48), exif=exif_with_gps(rotated=True))

    row = uploads.save(owner, upload(data, "photo.jpg"))

    assert (row.width, row.height) == (48, 64) and _stored(row).size == (48, 64)


def test_a_renamed_html_file_is_refused(owner):
    page = upload(b"<!doctype html><script>alert(1)</script>", "cat.png", "image/png")

    assert "not an image we can read" in _refusal(owner, page)


def test_a_decompression_bomb_is_refused_without_decoding_it(owner):
    assert "too many pixels" in _refusal(owner, upload(bomb_png(), "bomb.png"))


def test_an_image_over_the_pixel_limit_is_refused(owner, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000

    assert "too many pixels" in _refusal(owner, png(size=(40, 40)))


def test_a_truncated_image_is_refused(owner):
    data = image_bytes("JPEG", size=(400, 300))

    assert "damaged or incomplete" in _refusal(owner, upload(data[: len(data) // 2], "cut.jpg"))


def test_an_image_over_the_size_limit_is_refused(owner, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 100

    assert "the most is 100" in _refusal(owner, png())


def test_an_empty_file_is_refused(owner):
    assert "empty" in _refusal(owner, upload(b"", "none.png"))


def test_an_mp4_with_h264_video_is_accepted_as_a_video(owner):
    row = uploads.save(owner, mp4())

    assert row.kind == "video" and row.content_type == "video/mp4"
    assert row.file.name.endswith(".mp4")
    with default_storage.open(row.file.name, "rb") as handle:
        assert handle.read() == mp4_bytes()


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda data: b"just some text, not a video at all", id="text"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.replace(b"avc1", b"hvc1"), id="not-h264"),
        pytest.param(lambda data: data.replace(b"moov", b"free"), id="no-index"),
    ],
)
def test_a_video_that_is_not_mp4_h264_is_refused(owner, mangle):
    assert "not an MP4 file with H.264" in _refusal(owner, mp4(mangle(mp4_bytes())), "video")


def test_a_video_over_the_size_limit_is_refused(owner, settings):
    settings.UPLOAD_MAX_VIDEO_BYTES = 1000

    assert "the most is 1000" in _refusal(owner, mp4(), "video")


def test_the_public_address_serves_the_file_to_anyone_without_signing_in(client, owner):
    row = uploads.save(owner, png())

    response = client.get(row.path)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == default_storage.open(row.file.name).read()
    assert uploads.public_url(row) == f"http://testserver{row.path}"
    assert len(row.token) >= 40  # unguessable: 256 bits


def test_an_unknown_token_or_a_wrong_extension_is_404(client, owner):
    row = uploads.save(owner, png())

    assert client.get(row.path.replace(".png", ".jpg")).status_code == 404
    assert client.get(f"/uploads/{'x' * 43}.png").status_code == 404


def test_uploads_no_job_used_are_deleted_after_a_day_and_used_ones_kept(owner):
    old_unused, old_used, fresh = (uploads.save(owner, png()) for _ in range(3))
    a_day_ago = timezone.now() - timedelta(hours=25)
    Upload.objects.filter(pk__in=[old_unused.pk, old_used.pk]).update(created_at=a_day_ago)
    uploads.mark_used([uploads.public_url(old_used)])

    assert uploads.remove_unused() == 1

    assert set(Upload.objects.values_list("pk", flat=True)) == {old_used.pk, fresh.pk}
    assert not default_storage.exists(old_unused.file.name)
    assert default_storage.exists(old_used.file.name)


def test_a_file_name_with_control_characters_is_stored_without_them(owner):
    row = uploads.save(owner, upload(image_bytes("PNG"), "a\x00b\x1fc.png"))

    assert Upload.objects.get(pk=row.pk).original_name == "abc.png"


def test_deleting_a_video_deletes_its_uploads_unless_another_video_uses_them(
    owner, django_capture_on_commit_callbacks
):
    only, shared = uploads.save(owner, png()), uploads.save(owner, png(color="blue"))
    one = make_video(
        owner, start_image_url=uploads.public_url(only), end_image_url=uploads.public_url(shared)
    )
    other = make_video(owner, state="failed", start_image_url=uploads.public_url(shared))

    with django_capture_on_commit_callbacks(execute=True):
        services.delete(one)

    assert list(Upload.objects.values_list("pk", flat=True)) == [shared.pk]
    assert not default_storage.exists(only.file.name)
    assert default_storage.exists(shared.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete(other)

    assert not Upload.objects.exists() and not default_storage.exists(shared.file.name)
