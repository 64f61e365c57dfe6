"""Our AceDataCloud client against the simulator over real HTTP: answers, errors, secrecy."""

import logging
import socket
import threading

import pytest

from tests.conftest import SIM_TOKEN
from videos.acedata import AceDataClient, AceDataError

pytestmark = pytest.mark.integration


@pytest.fixture
def client(simulator):
    return AceDataClient(base_url=simulator.base_url, token=SIM_TOKEN, read_timeout=1.0)


def test_it_submits_and_reads_back_a_task(client, simulator):
    task_id = client.submit({"action": "generate", "prompt": "A fox", "async": True})
    simulator.wait_for_task(task_id)

    record = client.retrieve(task_id)
    batch = client.retrieve_batch([task_id, "unknown-id"])

    assert record["id"] == task_id and record["response"]["state"] == "completed"
    assert record["response"]["video_url"].endswith(f"/luma/{task_id}.mp4")
    assert list(batch) == [task_id]


def test_an_unknown_task_reads_as_none(client):
    assert client.retrieve("no-such-task") is None


@pytest.mark.parametrize(
    "fault, code, status, permanent, unknown",
    [
        ("moderation", "forbidden", 403, True, False),
        ("no-balance", "used_up", 403, True, False),
        # An explicit "not now": safe to send again.
        ("429", "too_many_requests", 429, False, False),
        ("500", "api_error", 500, False, False),
        # The request arrived and no clear answer came: AceDataCloud may have the job.
        ("timeout", "upstream_timeout", None, False, True),
        ("malformed", "malformed_response", None, False, True),
    ],
)
def test_each_upstream_fault_becomes_one_typed_error(
    client, fault, code, status, permanent, unknown
):
    with pytest.raises(AceDataError) as caught:
        client.submit({"action": "generate", "prompt": f"A fox [sim:{fault}]", "async": True})

    error = caught.value
    assert (error.code, error.status, error.permanent) == (code, status, permanent)
    assert error.outcome_unknown is unknown
    assert error.message and "Traceback" not in error.message


def test_a_refused_token_is_permanent_and_its_message_does_not_echo_it(simulator):
    client = AceDataClient(base_url=simulator.base_url, token="wrong-token-xyz")

    with pytest.raises(AceDataError) as caught:
        client.submit({"action": "generate", "prompt": "A fox"})

    assert caught.value.code == "invalid_token" and caught.value.permanent
    assert "wrong-token-xyz" not in caught.value.message


def test_a_refused_connection_is_transient():
    client = AceDataClient(base_url="http://127.0.0.1:9", token="t", connect_timeout=1)

    with pytest.raises(AceDataError) as caught:
        client.retrieve("x")

    assert caught.value.code == "upstream_unreachable" and not caught.value.permanent
    assert not caught.value.outcome_unknown  # nothing was sent: sending again is safe


def test_a_connection_dropped_after_the_request_went_out_is_an_unknown_outcome():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def read_then_hang_up():
            connection, _ = server.accept()
            connection.recv(65536)  # the whole request arrived...
            connection.close()  # ...and no answer ever comes

        thread = threading.Thread(target=read_then_hang_up, daemon=True)
        thread.start()
        client = AceDataClient(base_url=f"http://127.0.0.1:{server.getsockname()[1]}", token="t")

        with pytest.raises(AceDataError) as caught:
            client.submit({"action": "generate", "prompt": "A fox"})
        thread.join(timeout=5)

    assert caught.value.code == "upstream_disconnected" and caught.value.outcome_unknown


def test_the_token_never_reaches_a_log_line(client, simulator, caplog):
    caplog.set_level(logging.DEBUG)

    task_id = client.submit({"action": "generate", "prompt": "A fox", "async": True})
    client.retrieve(task_id)
    with pytest.raises(AceDataError):
        client.submit({"action": "generate", "prompt": "[sim:500]"})

    assert caplog.records, "expected the client to log its calls"
    assert SIM_TOKEN not in caplog.text
    assert SIM_TOKEN not in repr(client)


def test_batches_are_split_into_calls_of_fifty(client, simulator):
    ids = [client.submit({"prompt": f"fox {n}", "async": True}) for n in range(60)]
    before = simulator.requests_count("/luma/tasks")

    records = client.retrieve_batch(ids)

    assert len(records) == 60
    assert simulator.requests_count("/luma/tasks") - before == 2
