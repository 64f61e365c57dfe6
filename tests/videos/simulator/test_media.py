"""Media at <base>/luma/<task_id>.mp4|.jpg: real files, true sizes, Range requests, big files."""

import pytest

from videos.simulator.media import ASPECT_SIZES, MEDIA_DIR

from .conftest import Upstream


def jpeg_size(data):
    """Return (width, height) from a JPEG's start-of-frame segment."""
    assert data[:3] == b"\xff\xd8\xff"
    pos = 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        pos += 2 + length
    raise AssertionError("no SOF segment")


def mp4_size(data):
    """Return (width, height) from the first track header (tkhd) box, 16.16 fixed point."""
    start = data.index(b"tkhd") + 4
    version = data[start]
    # version/flags, times/ids/duration, reserved, layer/group/volume/reserved, matrix
    offset = start + 4 + (32 if version == 1 else 20) + 8 + 8 + 36
    width = int.from_bytes(data[offset : offset + 4], "big") >> 16
    height = int.from_bytes(data[offset + 4 : offset + 8], "big") >> 16
    return width, height


def finished_task(sim, upstream, **body):
    response = upstream.videos({"prompt": "A cat", **body})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def fast_sim(make_sim):
    return make_sim(delay=0)


@pytest.fixture
def fast(fast_sim):
    return Upstream(fast_sim.base_url)


@pytest.mark.parametrize("aspect_ratio", list(ASPECT_SIZES))
def test_it_serves_a_real_mp4_and_jpeg_of_the_reported_size(fast_sim, fast, aspect_ratio):
    body = finished_task(fast_sim, fast, aspect_ratio=aspect_ratio)

    video = fast.get(body["video_url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["accept-ranges"] == "bytes"
    assert int(video.headers["content-length"]) == len(video.content)
    assert video.content[4:8] == b"ftyp"
    assert mp4_size(video.content) == (body["video_width"], body["video_height"])

    image = fast.get(body["thumbnail_url"])
    assert image.headers["content-type"] == "image/jpeg"
    assert jpeg_size(image.content) == (body["thumbnail_width"], body["thumbnail_height"])
    assert (body["video_width"], body["video_height"]) == ASPECT_SIZES[aspect_ratio]


def test_every_mp4_puts_its_moov_before_its_mdat_so_browsers_can_seek_early():
    for path in MEDIA_DIR.glob("*.mp4"):
        data = path.read_bytes()
        assert data.index(b"moov") < data.index(b"mdat"), path.name


def test_the_committed_assets_stay_small():
    total = sum(path.stat().st_size for path in MEDIA_DIR.iterdir())
    assert total < 500_000


def test_a_range_request_answers_206_with_exactly_the_bytes_asked(fast_sim, fast):
    url = finished_task(fast_sim, fast)["video_url"]
    full = fast.get(url).content

    part = fast.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(full)}"
    assert part.headers["content-length"] == "1000"
    assert part.content == full[100:1100]

    tail = fast.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206
    assert tail.content == full[-10:]

    rest = fast.get(url, headers={"Range": f"bytes={len(full) - 5}-"})
    assert rest.content == full[-5:]


def test_a_range_past_the_end_answers_416(fast_sim, fast):
    url = finished_task(fast_sim, fast)["video_url"]
    response = fast.get(url, headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416
    assert response.headers["content-range"].startswith("bytes */")


def test_head_gives_the_headers_without_a_body(fast_sim, fast):
    url = finished_task(fast_sim, fast)["video_url"]
    response = fast.session.head(url, timeout=5)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 1000
    assert response.content == b""


def test_media_of_an_unknown_or_unfinished_task_is_404(make_sim):
    sim = make_sim(delay=5)
    upstream = Upstream(sim.base_url)
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    assert upstream.get(f"/luma/{task_id}.mp4").status_code == 404
    assert upstream.get("/luma/00000000-0000-4000-8000-000000000000.jpg").status_code == 404


def test_media_urls_use_the_public_base_url_when_given(make_sim):
    sim = make_sim(delay=0, public_base_url="http://sim.example:9000/")
    body = finished_task(sim, Upstream(sim.base_url))
    assert body["video_url"] == f"http://sim.example:9000/luma/{body['task_id']}.mp4"


def test_the_sized_endpoint_streams_exactly_that_many_bytes(sim, upstream):
    size = 3_000_000
    response = upstream.get(f"/luma/_sized/{size}.mp4", stream=True)
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(size)
    received, first = 0, b""
    for chunk in response.iter_content(256 * 1024):
        first = first or chunk
        received += len(chunk)
    assert received == size
    assert first[4:8] == b"ftyp"

    part = upstream.get(f"/luma/_sized/{size}.mp4", headers={"Range": "bytes=2999990-"})
    assert part.status_code == 206
    assert len(part.content) == 10


def test_video_bytes_pads_every_task_video_to_that_size(make_sim):
    sim = make_sim(delay=0, video_bytes=200_000)
    upstream = Upstream(sim.base_url)
    body = finished_task(sim, upstream)
    video = upstream.get(body["video_url"])
    assert len(video.content) == 200_000
    assert (body["video_width"], body["video_height"]) == (320, 180)
