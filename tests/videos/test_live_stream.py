"""GET /events/: live updates pushed to the signed-in person only, bounded, resumable."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from tests.asgi import run_async
from tests.conftest import make_user
from tests.factories import make_video
from videos import events
from videos.models import Video

WAIT = 5.0
# Committed rows: a stream reads on the server's shared thread pool, as under uvicorn.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pushing(settings):
    settings.LIVE_UPDATES = "local"  # one process: publish() hands straight to the hubs
    settings.LIVE_KEEPALIVE_SECONDS = 0.2


def parse(chunk) -> dict:
    """One SSE message as {"id", "event", "data"} (a comment line: {"comment": ...})."""
    text = chunk.decode() if isinstance(chunk, bytes) else chunk
    message = {}
    for line in text.strip("\n").split("\n"):
        if line.startswith(":"):
            message["comment"] = line[1:].strip()
            continue
        name, _, value = line.partition(": ")
        message[name] = json.loads(value) if name == "data" else value
    return message


class Stream:
    """A stream opened with Django's async test client, read message by message."""

    def __init__(self, user, **headers):
        self.user, self.headers = user, headers

    async def open(self, path="/events/"):
        client = AsyncClient()
        await client.aforce_login(self.user)
        self.response = await client.get(path, headers=self.headers)
        if self.response.streaming:
            self.chunks = aiter(self.response.streaming_content)
            self.first = parse(await anext(self.chunks))  # the reconnection delay
        return self.response

    async def next(self, timeout=WAIT, skip_comments=True) -> dict:
        while True:
            message = parse(await asyncio.wait_for(anext(self.chunks), timeout))
            if not (skip_comments and set(message) <= {"comment", "retry"}):
                return message

    async def close(self):
        """Hang up, and let the response clean up as the ASGI server would."""
        await self.chunks.aclose()
        self.response.close()


run = run_async


def test_it_refuses_a_stream_to_someone_not_logged_in(pushing):
    async def scenario():
        return await AsyncClient().get("/events/")

    response = run(scenario)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_tells_pages_to_poll_where_nothing_pushes(settings, owner, browser):
    settings.LIVE_UPDATES = "off"
    assert b'<meta name="live-events" content="">' in browser.get("/videos/").content

    async def scenario():
        return await Stream(owner).open()

    response = run(scenario)
    assert response.status_code == 404
    assert response.json()["code"] == "live_updates_off"


def test_pages_name_the_stream_when_the_site_pushes(pushing, browser):
    assert b'<meta name="live-events" content="/events/">' in browser.get("/videos/").content


def test_a_threaded_server_refuses_streams_so_the_page_polls(pushing, browser):
    # It would buffer the stream whole and hold a thread for it: only ASGI serves them.
    response = browser.get("/events/")
    assert response.status_code == 404
    assert response.json()["code"] == "live_updates_off"


def test_it_pushes_the_owners_change_as_the_json_the_page_polls(pushing, owner, api):
    video = make_video(owner, state=Video.State.PROCESSING, task_id="t-1")
    polled = api.get(f"/api/v1/videos/{video.pk}/").json()

    async def scenario():
        stream = Stream(owner)
        response = await stream.open()
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-store"
        await sync_to_async(events.publish)(owner.pk, video.pk)
        message = await stream.next()
        await stream.close()
        return message

    message = run(scenario)
    assert message["event"] == "video"
    assert message["id"]
    # Same fields, same values: whatever the API's shape gains, the push carries too.
    assert set(message["data"]) == set(polled)
    assert message["data"]["id"] == str(video.pk)
    assert message["data"]["state"] == "processing"


def test_a_job_that_ended_is_pushed_as_ended(pushing, owner):
    video = make_video(owner, state=Video.State.COMPLETED)

    async def scenario():
        stream = Stream(owner)
        await stream.open()
        await sync_to_async(events.publish)(owner.pk, video.pk, "ended")
        message = await stream.next()
        await stream.close()
        return message

    message = run(scenario)
    assert message["event"] == "ended"
    assert message["data"]["state"] == "completed"


def test_nobody_receives_another_persons_events(pushing, owner, other):
    theirs = make_video(other, state=Video.State.PROCESSING, task_id="t-2")
    mine = make_video(owner, state=Video.State.PROCESSING, task_id="t-3")

    async def scenario():
        stream = Stream(owner)
        await stream.open()
        await sync_to_async(events.publish)(other.pk, theirs.pk)
        # A notification naming the owner but another person's video is not shown either.
        await sync_to_async(events.publish)(owner.pk, theirs.pk)
        await sync_to_async(events.publish)(owner.pk, mine.pk)
        first = await stream.next()
        second = await stream.next()
        await stream.close()
        return first, second

    first, second = run(scenario)
    assert first["event"] == "gone"  # nothing of theirs: not its state, not its prompt
    assert first["data"] == {"id": str(theirs.pk)}
    assert second["event"] == "video"
    assert second["data"]["id"] == str(mine.pk)


def test_a_stream_reconnecting_with_last_event_id_first_gets_what_it_missed(pushing, owner):
    first = make_video(owner, state=Video.State.PROCESSING, task_id="t-4")
    second = make_video(owner, state=Video.State.QUEUED)

    async def scenario():
        stream = Stream(owner)
        await stream.open()
        await sync_to_async(events.publish)(owner.pk, first.pk)
        seen = await stream.next()
        await stream.close()
        # While the page was away: two more changes.
        await sync_to_async(events.publish)(owner.pk, second.pk)
        await sync_to_async(events.publish)(owner.pk, first.pk, "ended")
        again = Stream(owner, **{"Last-Event-ID": seen["id"]})
        await again.open()
        missed = [await again.next(), await again.next()]
        await again.close()
        return missed

    missed = run(scenario)
    assert [(m["event"], m["data"]["id"]) for m in missed] == [
        ("video", str(second.pk)),
        ("ended", str(first.pk)),
    ]


def test_a_last_event_id_no_longer_kept_asks_the_page_to_read_itself_again(pushing, owner):
    async def scenario():
        stream = Stream(owner)
        await stream.open("/events/?last_event_id=0-unknown")
        message = await stream.next()
        await stream.close()
        return message

    assert run(scenario)["event"] == "resync"


def test_a_quiet_stream_sends_keep_alive_comments(pushing, owner):
    async def scenario():
        stream = Stream(owner)
        await stream.open()
        message = await stream.next(skip_comments=False)
        await stream.close()
        return stream.first, message

    first, message = run(scenario)
    assert first == {"retry": "2000"}  # a cut stream is back 2 s later
    assert message == {"comment": "keep-alive"}


def test_streams_are_bounded_per_person_and_per_process(pushing, settings, owner, other):
    settings.LIVE_STREAMS_PER_USER = 2
    settings.LIVE_STREAMS_PER_PROCESS = 3
    third = make_user("tess")

    async def scenario():
        open_streams = [Stream(owner), Stream(owner)]
        for stream in open_streams:
            assert (await stream.open()).status_code == 200
        over_person = await Stream(owner).open()
        others = Stream(other)
        assert (await others.open()).status_code == 200
        over_process = await Stream(third).open()
        # A stream that ends gives its place back.
        await open_streams[0].close()
        await asyncio.sleep(0)
        back = Stream(third)
        back_status = (await back.open()).status_code
        for stream in (open_streams[1], others, back):
            await stream.close()
        return over_person, over_process, back_status

    over_person, over_process, back_status = run(scenario)
    assert over_person.status_code == 429
    assert over_person.json()["code"] == "too_many_streams"
    assert over_process.status_code == 429
    assert back_status == 200


def test_a_stream_ends_after_its_lifetime_and_the_browser_reconnects(pushing, settings, owner):
    settings.LIVE_STREAM_SECONDS = 0.3

    async def scenario():
        stream = Stream(owner)
        await stream.open()
        return [parse(chunk) async for chunk in stream.chunks]

    # Nothing but keep-alives, then the end: the browser opens a new one (and the sign-in
    # is checked again).
    assert {"comment": "keep-alive"} in run(scenario)


def test_a_stream_ends_when_its_process_stops_hearing_changes(pushing, owner):
    async def scenario():
        stream = Stream(owner)
        await stream.open()
        events.hub().listening.clear()  # as when the listener's connection drops
        rest = [parse(chunk) async for chunk in stream.chunks]
        stream.response.close()
        return rest

    # No keep-alive pretends all is well: the stream ends, the page polls and reconnects.
    assert run(scenario) == []
