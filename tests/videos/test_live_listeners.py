"""The one listener per process: PostgreSQL's LISTEN/NOTIFY and Redis publish/subscribe."""

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection

from tests.asgi import run_async
from videos import events

WAIT = 5.0
REDIS_URL = "redis://127.0.0.1:6379/6"


@pytest.fixture
def channel(settings):
    # Its own channel: other runs on the same servers never hear this test, nor it them.
    settings.LIVE_CHANNEL = "test_" + uuid.uuid4().hex
    return settings.LIVE_CHANNEL


def _publish_from_another_thread(owner_id, video_id, kind="changed"):
    """As a worker or another web process would: on a connection of its own."""
    return sync_to_async(events.publish, thread_sensitive=False)(owner_id, video_id, kind)


async def _hear(subscription, timeout=WAIT):
    event = await subscription.next(timeout)
    assert event is not None, "nothing arrived"
    return event


def _scenario_fan_out():
    async def scenario():
        hub = events.hub()
        mine = hub.subscribe(1)
        also_mine = hub.subscribe(1, stream=False)  # a waiting gateway call
        theirs = hub.subscribe(2)
        assert await hub.wait_listening(WAIT)
        await _publish_from_another_thread(1, "v-1", "ended")
        heard = [await _hear(mine), await _hear(also_mine)]
        nothing = await theirs.next(0.3)
        for subscription in (mine, also_mine, theirs):
            subscription.close()
        await hub.aclose()
        return heard, nothing

    return run_async(scenario)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_notify_reaches_every_subscriber_of_the_owner_and_nobody_else(settings, channel):
    settings.LIVE_UPDATES = "postgres"
    heard, nothing = _scenario_fan_out()
    assert [(e["owner"], e["video"], e["kind"]) for e in heard] == [(1, "v-1", "ended")] * 2
    assert heard[0]["id"] == heard[1]["id"]
    assert nothing is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notification_inside_a_transaction_arrives_only_once_it_commits(settings, channel):
    settings.LIVE_UPDATES = "postgres"

    async def scenario():
        hub = events.hub()
        subscription = hub.subscribe(1)
        assert await hub.wait_listening(WAIT)

        def in_a_transaction():
            from django.db import transaction

            with transaction.atomic():
                events.publish(1, "v-2")
                before = async_to_sync(subscription.next)(0.3)
            return before

        before = await sync_to_async(in_a_transaction, thread_sensitive=False)()
        after = await _hear(subscription)
        subscription.close()
        await hub.aclose()
        return before, after

    before, after = run_async(scenario)
    assert before is None
    assert after["video"] == "v-2"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_listener_comes_back_after_its_connection_is_cut_and_says_to_resync(settings, channel):
    settings.LIVE_UPDATES = "postgres"

    async def scenario():
        hub = events.hub()
        subscription = hub.subscribe(1)
        assert await hub.wait_listening(WAIT)
        first_pid = hub.backend_pid

        def cut():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [first_pid])

        await sync_to_async(cut, thread_sensitive=False)()
        resync = await _hear(subscription)
        await _publish_from_another_thread(1, "v-3")
        after = await _hear(subscription)
        subscription.close()
        await hub.aclose()
        return first_pid, hub.backend_pid, resync, after

    first_pid, second_pid, resync, after = run_async(scenario)
    assert second_pid != first_pid
    assert resync is events.RESYNC  # what changed while it was away is read again
    assert after["video"] == "v-3"


def test_redis_publish_reaches_every_subscriber_of_the_owner_and_nobody_else(settings, channel, db):
    pytest.importorskip("redis")
    settings.LIVE_UPDATES = "redis"
    settings.LIVE_REDIS_URL = REDIS_URL
    heard, nothing = _scenario_fan_out()
    assert [(e["owner"], e["video"], e["kind"]) for e in heard] == [(1, "v-1", "ended")] * 2
    assert nothing is None


def test_a_subscriber_far_behind_is_told_to_resync_not_blocked(settings, db):
    settings.LIVE_UPDATES = "local"

    async def scenario():
        hub = events.hub()
        subscription = hub.subscribe(7)
        for n in range(events.QUEUE_SIZE + 5):
            hub.deliver(events.new_event(7, f"v-{n}", "changed"))
        first = await subscription.next(0.1)
        subscription.close()
        return first

    assert run_async(scenario) is events.RESYNC


def test_publishing_never_raises_when_the_channel_is_down(settings, db, caplog):
    settings.LIVE_UPDATES = "redis"
    settings.LIVE_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    events.publish(1, "v-4")  # the lifecycle carries on; pages catch up by polling
    assert "Could not publish" in caplog.text


def test_the_subscription_queue_keeps_order(settings, db):
    settings.LIVE_UPDATES = "local"

    async def scenario():
        hub = events.hub()
        subscription = hub.subscribe(8)
        for n in range(5):
            events.publish(8, f"v-{n}")
        await asyncio.sleep(0.05)
        got = [(await subscription.next(1))["video"] for _ in range(5)]
        subscription.close()
        return got

    assert run_async(scenario) == [f"v-{n}" for n in range(5)]
