"""The real `luma` CLI (PyPI luma-pro-cli) against the simulator: proof it speaks the protocol."""

import pytest

from tests.luma_cli import cli, output_json

from .conftest import TOKEN


@pytest.fixture
def luma(make_sim, tmp_path):
    sim = make_sim(delay=0.5)
    run = cli(sim.base_url, TOKEN, tmp_path, timeout=10)
    run.sim = sim
    return run


def test_the_real_cli_generates_async_then_reads_the_task_and_a_batch(luma):
    first = output_json(luma("generate", "A cat", "--async", "--json"))["task_id"]
    second = output_json(luma("generate", "A dog", "--async", "--json"))["task_id"]

    record = output_json(luma("task", first, "--json"))
    assert record["id"] == first
    assert record["request"]["prompt"] == "A cat"
    assert record["request"]["async"] is True

    luma.sim.wait_for_task(first)
    record = output_json(luma("task", first, "--json"))
    assert record["response"]["state"] == "completed"

    batch = output_json(luma("tasks", first, second, "--json"))
    assert batch["count"] == 2
    assert [item["id"] for item in batch["items"]] == [first, second]


def test_the_real_cli_generates_and_extends_synchronously(luma):
    generated = output_json(luma("generate", "A cat", "--json"))
    assert generated["state"] == "completed"
    assert generated["video_url"].endswith(f"/luma/{generated['task_id']}.mp4")

    extended = output_json(luma("extend", generated["video_id"], "--prompt", "more", "--json"))
    assert extended["state"] == "completed"
    request = luma.sim.get_task(extended["task_id"])["request"]
    assert request["action"] == "extend"
    assert request["video_id"] == generated["video_id"]


def test_the_real_cli_reports_a_wrong_token_as_invalid(luma):
    task_id = output_json(luma("generate", "A cat", "--async", "--json"))["task_id"]
    result = luma("--token", "wrong", "task", task_id)
    assert result.returncode == 1
    assert "Invalid API token" in result.stdout + result.stderr
