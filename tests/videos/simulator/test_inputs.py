"""The simulator fetches every frame (and an extension's video_url) as AceDataCloud does,
and fails the job with AceDataCloud's error body when it cannot use one."""

import socket

import pytest

from .conftest import Upstream


@pytest.fixture
def finished(make_sim):
    """A simulator and one finished task, whose .jpg and .mp4 serve as inputs."""
    sim = make_sim(delay=0)
    upstream = Upstream(sim.base_url)
    task_id = upstream.videos({"prompt": "A cat", "async": True}).json()["task_id"]
    sim.wait_for_task(task_id)
    return sim, upstream, f"{sim.base_url}/luma/{task_id}"


def _dead_url():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/a.png"


def test_a_job_whose_frames_can_be_fetched_completes(finished):
    sim, upstream, media = finished
    body = {"prompt": "A cat", "start_image_url": f"{media}.jpg", "end_image_url": f"{media}.jpg"}

    task_id = upstream.videos({**body, "async": True}).json()["task_id"]

    assert sim.wait_for_task(task_id)["response"]["success"] is True


@pytest.mark.parametrize(
    "field, url, words",
    [
        ("start_image_url", "{media}.mp4", "start_image_url is not an image"),
        ("end_image_url", "{base}/luma/nothing.jpg", "failed to fetch end_image_url: HTTP 404"),
        ("start_image_url", "{dead}", "failed to fetch start_image_url: unreachable"),
    ],
)
def test_a_frame_that_cannot_be_used_fails_the_job_with_acedatacloud_error_body(
    finished, field, url, words
):
    sim, upstream, media = finished
    url = url.format(media=media, base=sim.base_url, dead=_dead_url())

    accepted = upstream.videos({"prompt": "A cat", field: url, "async": True})

    assert accepted.status_code == 200  # accepted, like AceDataCloud; then it fails
    record = sim.wait_for_task(accepted.json()["task_id"])
    response = record["response"]
    assert response["success"] is False and response["state"] == "failed"
    assert response["error"]["code"] == "bad_request"
    assert response["error"]["message"].startswith(words)


def test_an_extension_by_video_url_must_point_at_an_mp4(finished):
    sim, upstream, media = finished

    good = upstream.videos({"action": "extend", "video_url": f"{media}.mp4", "async": True})
    bad = upstream.videos({"action": "extend", "video_url": f"{media}.jpg", "async": True})

    assert sim.wait_for_task(good.json()["task_id"])["response"]["success"] is True
    failed = sim.wait_for_task(bad.json()["task_id"])["response"]
    assert failed["error"]["message"] == "video_url is not an MP4 video"
