"""Live updates: a job's changes pushed to the pages and gateway calls waiting on it.

`publish()` runs in whichever process changed a job (a web process, a worker), after the
change commits, and sends one small notification naming the job and its owner:
PostgreSQL's NOTIFY, Redis' PUBLISH, or, with one process only (the tests), straight to
this process's hubs. Each web process keeps one `Hub` per event loop with ONE listener
(LISTEN on a psycopg async connection, or a Redis subscription) that fans every
notification out to the subscriptions of that job's owner in the process: the event
streams of open pages (videos/stream_views.py) and the synchronous gateway calls waiting
for a result (videos/gateway/views.py). SQLite has no notifications: pages poll
(`LIVE_UPDATES=off`, chosen automatically).

A notification carries no job data (NOTIFY's payload is small, and the listener must never
show one user's job to another): each subscriber reads the job itself, as its owner.
"""

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from .errors import ServiceError

logger = logging.getLogger(__name__)
REPLAY_EVENTS = 2000  # the last notifications a hub keeps for streams that reconnect
QUEUE_SIZE = 64  # per subscription; a stream this far behind is told to read everything again
RESYNC = {"kind": "resync"}  # "you may have missed something: read the page again"
PUSHING = ("postgres", "redis", "local")


class TooManyStreams(ServiceError):
    status = 429
    code = "too_many_streams"


def pushing() -> bool:
    """Whether this site pushes changes (else pages poll)."""
    return settings.LIVE_UPDATES in PUSHING


def new_event(owner_id, video_id, kind: str) -> dict:
    """One notification: a sortable, unique id (for Last-Event-ID), who, which job, what."""
    return {
        "id": f"{time.time_ns():x}-{secrets.token_hex(3)}",
        "owner": owner_id,
        "video": str(video_id),
        "kind": kind,  # "changed", or "ended" (completed or failed: notify the person)
    }


def publish(owner_id, video_id, kind: str = "changed") -> None:
    """Tell every web process that this job changed. Never raises: pages still poll."""
    backend = settings.LIVE_UPDATES
    if backend not in PUSHING:
        return
    event = new_event(owner_id, video_id, kind)
    payload = json.dumps(event, separators=(",", ":"))
    try:
        if backend == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [settings.LIVE_CHANNEL, payload])
        elif backend == "redis":
            _redis().publish(settings.LIVE_CHANNEL, payload)
        else:
            for hub in list(_hubs.values()):
                hub.deliver_threadsafe(event)
    except Exception:
        logger.exception("Could not publish the change of job %s; pages will catch up", video_id)


_redis_clients: dict = {}
_redis_lock = threading.Lock()


def _redis():
    """One client (and its connection pool) per process, for publishing."""
    url = settings.LIVE_REDIS_URL
    with _redis_lock:
        if url not in _redis_clients:
            import redis  # installed, and imported, only where Redis is configured

            _redis_clients[url] = redis.Redis.from_url(url)
        return _redis_clients[url]


# --- the per-process fan-out ------------------------------------------------------------------
class Subscription:
    """One stream or one waiting call: the notifications for one owner, in order."""

    def __init__(self, hub: "Hub", owner_id, counted: bool):
        self.hub = hub
        self.owner_id = owner_id
        self.counted = counted
        self.queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.closed = False

    def put(self, event: dict) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Too far behind: drop what is queued and ask the reader to read everything again.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)

    async def next(self, timeout: float) -> dict | None:
        """The next notification, or None when `timeout` seconds pass first."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub.unsubscribe(self)


class Hub:
    """The subscriptions of one event loop, and the one listener that feeds them."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.by_owner: dict = {}
        self.streams = 0
        self.streams_by_owner: dict = {}
        self.recent: deque = deque(maxlen=REPLAY_EVENTS)
        self.listening = asyncio.Event()
        self.listener: asyncio.Task | None = None
        self.connections = 0
        self.backend_pid = None  # the listener's PostgreSQL session

    # subscriptions
    def subscribe(self, owner_id, *, stream: bool = True) -> Subscription:
        """Subscribe to an owner's changes; streams count against the bounds."""
        if stream:
            mine = self.streams_by_owner.get(owner_id, 0)
            if mine >= settings.LIVE_STREAMS_PER_USER:
                raise TooManyStreams(
                    _("Too many pages are open with live updates; close some tabs.")
                )
            if self.streams >= settings.LIVE_STREAMS_PER_PROCESS:
                raise TooManyStreams(_("This server is busy; the page checks for changes itself."))
            self.streams += 1
            self.streams_by_owner[owner_id] = mine + 1
        subscription = Subscription(self, owner_id, counted=stream)
        self.by_owner.setdefault(owner_id, set()).add(subscription)
        self._start_listening()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self.by_owner.get(subscription.owner_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self.by_owner[subscription.owner_id]
        if subscription.counted:
            self.streams -= 1
            left = self.streams_by_owner.get(subscription.owner_id, 1) - 1
            if left:
                self.streams_by_owner[subscription.owner_id] = left
            else:
                self.streams_by_owner.pop(subscription.owner_id, None)

    # delivery (in the loop's thread)
    def deliver(self, event: dict) -> None:
        self.recent.append(event)
        for subscription in list(self.by_owner.get(event.get("owner"), ())):
            subscription.put(event)

    def deliver_threadsafe(self, event: dict) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.deliver, event)

    def resync_everyone(self) -> None:
        """The listener was away: anything may have been missed."""
        for subscribers in list(self.by_owner.values()):
            for subscription in list(subscribers):
                subscription.put(RESYNC)

    def since(self, owner_id, last_id: str) -> list[dict] | None:
        """This owner's notifications after `last_id`; None if that one is no longer kept."""
        found, later = False, []
        for event in self.recent:
            if found and event.get("owner") == owner_id:
                later.append(event)
            elif event.get("id") == last_id:
                found = True
        return later if found else None

    async def wait_listening(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.listening.wait(), timeout)
            return True
        except TimeoutError:
            return False

    # the listener
    def _start_listening(self) -> None:
        if self.listener is None or self.listener.done():
            self.listener = self.loop.create_task(self._listen_forever())

    async def _listen_forever(self) -> None:
        backend = settings.LIVE_UPDATES
        pause = 0.5
        while True:
            try:
                if backend == "postgres":
                    await self._listen_postgres()
                elif backend == "redis":
                    await self._listen_redis()
                else:  # "local": publish() delivers straight to this hub
                    self.listening.set()
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("Live updates: listener lost (%s); again in %.1f s", exc, pause)
            self.listening.clear()
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)

    def _connected(self) -> None:
        if self.connections:
            # Back after an outage: whatever changed meanwhile was never heard.
            self.resync_everyone()
        self.connections += 1
        self.listening.set()

    async def _listen_postgres(self) -> None:
        import psycopg  # the PostgreSQL driver is installed wherever PostgreSQL is used

        params = postgres_params()
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            # A checked identifier (config/settings.py): LISTEN takes no parameters.
            await conn.execute(f"LISTEN {settings.LIVE_CHANNEL}")
            self.backend_pid = conn.info.backend_pid
            self._connected()
            async for note in conn.notifies():
                self._deliver_payload(note.payload)

    async def _listen_redis(self) -> None:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(settings.LIVE_REDIS_URL)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(settings.LIVE_CHANNEL)
                self._connected()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver_payload(message["data"])
        finally:
            await client.aclose()

    def _deliver_payload(self, payload) -> None:
        try:
            event = json.loads(payload)
        except ValueError:
            logger.warning("Live updates: an unreadable notification was ignored")
            return
        if isinstance(event, dict):
            self.deliver(event)

    async def aclose(self) -> None:
        """Stop listening and close the listener's connection (tests; a loop that ends)."""
        if self.listener is not None:
            self.listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.listener
            self.listener = None
        _hubs.pop(self.loop, None)


# --- the database from long-lived requests ---------------------------------------------------
def release_connections() -> None:
    """Close this thread's database connections, unless one is inside a transaction.

    Under ASGI every request's synchronous part runs in a thread of its own, whose
    connection lives as long as the request: for a stream or a waiting call, minutes.
    Called from that thread once the request has read what it needs.
    """
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def off_the_request(function, asgi: bool = True):
    """`function` (ORM work) as a coroutine that holds no connection between calls.

    Under ASGI: on the event loop's shared thread pool (a burst opens as many connections
    as the pool has threads, not one per request), closing the connection afterwards.
    Otherwise (a threaded server, the test client): in the request's thread, as usual.
    """
    if not asgi:
        return sync_to_async(function)

    def closing(*args):
        try:
            return function(*args)
        finally:
            release_connections()

    return sync_to_async(closing, thread_sensitive=False)


def postgres_params() -> dict:
    """Connection arguments for the listener, from the default database's settings."""
    params = connections["default"].get_connection_params()
    for django_only in ("cursor_factory", "context"):
        params.pop(django_only, None)
    return params


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub (one per process under uvicorn)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub(loop)
    return found


def all_hubs() -> Iterable[Hub]:
    return list(_hubs.values())
