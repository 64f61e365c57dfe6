"""The site under a real ASGI server (uvicorn), in this process: the test's database and
settings, reachable over real HTTP, for the async views (live updates, waiting gateway calls)."""

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import uvicorn
from asgiref.sync import async_to_sync
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.db import connections

from videos import events


class AsgiLiveServer:
    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        app = ASGIStaticFilesHandler(get_asgi_application())  # the JS and CSS, as runserver
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        # Under ASGI each request's synchronous part runs in a thread of its own: a
        # persistent connection would outlive it (Django's advice: CONN_MAX_AGE=0, as
        # deploy/ gives the ASGI processes).
        self.saved_max_age = connections.settings["default"].get("CONN_MAX_AGE", 0)
        connections.settings["default"]["CONN_MAX_AGE"] = 0
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self):
        for hub in events.all_hubs():  # the listener's own connection
            if not hub.loop.is_closed():
                asyncio.run_coroutine_threadsafe(hub.aclose(), hub.loop).result(timeout=10)
        self.server.should_exit = True
        self.thread.join(timeout=10)
        connections.settings["default"]["CONN_MAX_AGE"] = self.saved_max_age


def run_async(coroutine_function):
    """Run an async scenario from a sync test, in a thread of its own.

    Its own thread, because Playwright's sync API (the browser tests' session-wide Chromium)
    leaves an event loop set in the main thread, where async_to_sync refuses to run. The
    scenario's ORM calls run in that thread too, on connections closed at the end.
    """

    def in_thread():
        try:
            return async_to_sync(coroutine_function)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(in_thread).result()
