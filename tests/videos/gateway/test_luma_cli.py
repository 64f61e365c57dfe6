"""The real `luma` CLI (PyPI luma-pro-cli) pointed at the live site with a user's own token."""

import pytest

from tests.conftest import wait_for
from tests.factories import make_token
from tests.luma_cli import cli, output_json
from videos.models import GatewayJob, Video
from videos.quota import quota_status

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def luma(live, background_worker, owner, tmp_path):
    return cli(live.url, make_token(owner), tmp_path, timeout=60)


def test_the_cli_generates_async_then_polls_the_task_and_a_batch(luma, owner):
    first = output_json(luma("generate", "A cat", "--async", "--json"))["task_id"]
    second = output_json(luma("generate", "A dog", "-a", "9:16", "--async", "--json"))["task_id"]

    video = Video.objects.get(pk=first)
    assert video.owner == owner and video.prompt == "A cat"
    assert GatewayJob.objects.get(pk=first).mode == "async"

    def finished():
        record = output_json(luma("task", first, "--json"))
        return record if "response" in record else None

    record = wait_for(finished, timeout=30, interval=0.3)
    assert record["id"] == first
    assert record["request"]["prompt"] == "A cat" and record["request"]["async"] is True
    video.refresh_from_db()
    assert video.state == "completed"
    assert record["response"]["state"] == "completed"
    assert record["response"]["video_url"] == video.video_url
    assert record["response"]["video_id"] == video.video_id

    batch = output_json(luma("tasks", first, second, "--json"))
    assert batch["count"] == 2
    assert [item["id"] for item in batch["items"]] == [first, second]
    assert batch["items"][1]["request"]["aspect_ratio"] == "9:16"
    assert quota_status(owner).used == 2


def test_the_cli_generates_synchronously_then_extends_into_a_lineage(luma, owner):
    generated = output_json(luma("generate", "A cat", "--json"))

    parent = Video.objects.get(pk=generated["task_id"])
    assert parent.owner == owner and parent.state == "completed"
    assert generated["state"] == "completed"
    assert generated["video_url"] == parent.video_url
    assert generated["video_id"] == parent.video_id

    extended = output_json(luma("extend", generated["video_id"], "--prompt", "more", "--json"))

    child = Video.objects.get(pk=extended["task_id"])
    assert extended["state"] == "completed" and child.state == "completed"
    assert child.action == "extend" and child.parent == parent and child.depth == 1
    assert child.source_video_id == parent.video_id
    status = quota_status(owner)
    assert status.used == 2 and status.in_flight == 0


def test_the_cli_waits_for_a_task_until_it_is_done(luma, owner):
    task_id = output_json(luma("generate", "A heron", "--async", "--json"))["task_id"]

    result = luma("wait", task_id, "--interval", "1", "--timeout", "40", "--json")

    record = output_json(result)
    assert record["data"]["state"] == "completed"
    assert record["response"]["state"] == "completed"
    assert Video.objects.get(pk=task_id).state == "completed"


def test_the_cli_reports_a_wrong_token_and_exits_1(luma, owner):
    task_id = output_json(luma("generate", "A cat", "--async", "--json"))["task_id"]

    result = luma("--token", "wrong", "task", task_id)

    assert result.returncode == 1
    assert "Invalid API token" in result.stdout + result.stderr
    result = luma("--token", "wrong", "generate", "A dog", "--async", "--json")
    assert result.returncode == 1
    assert Video.objects.count() == 1 and quota_status(owner).used == 1
