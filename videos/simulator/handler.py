"""HTTP plumbing: routing, body reading, JSON and media responses, request logging."""

from __future__ import annotations

import json
import logging
import re
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from ..wire import RangeNotSatisfiable, parse_range
from . import endpoints
from .endpoints import Reply
from .media import CONTENT_TYPES, MAX_SIZED_BYTES

logger = logging.getLogger("videos.simulator")

MEDIA_PATH = re.compile(r"/luma/([0-9a-fA-F-]{36})\.(mp4|jpg)")
SIZED_PATH = re.compile(r"/luma/_sized/(\d{1,15})\.mp4")
API_ROUTES = {"/luma/videos": endpoints.videos, "/luma/tasks": endpoints.tasks}


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive lets a browser <video> issue its many Range requests on one connection.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms) on every keep-alive response.
    disable_nagle_algorithm = True
    server_version = "AceDataLumaSimulator/1.0"
    timeout = 60  # seconds an idle keep-alive connection may hold a thread

    @property
    def sim(self):
        """The Simulator this server belongs to (server.py sets it on the server)."""
        return self.server.simulator  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        self._started = time.monotonic()
        try:
            raw = self._read_body()
            if path.startswith("/_simulator/"):
                self.send_reply(endpoints.control(self.sim, self.command, path, raw))
                return
            self.sim.count_request(path)
            if path in API_ROUTES and self.command == "POST":
                self.send_reply(API_ROUTES[path](self.sim, self.headers, raw))
            elif self.command in ("GET", "HEAD") and (match := MEDIA_PATH.fullmatch(path)):
                self._send_media(match.group(1).lower(), match.group(2))
            elif self.command in ("GET", "HEAD") and (match := SIZED_PATH.fullmatch(path)):
                self._send_sized(int(match.group(1)))
            else:
                self.send_reply(endpoints.error("no_api"))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            # The client gave up (e.g. its read timeout during a `timeout` fault): nothing to do.
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = self.headers.get("content-length")
        if length is None:
            if self.headers.get("transfer-encoding"):
                self.close_connection = True  # unread chunked body: never reuse this stream
            return b""
        try:
            return self.rfile.read(int(length))
        except ValueError:
            self.close_connection = True
            return b""

    def send_reply(self, reply: Reply) -> None:
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_media(self, task_id: str, ext: str) -> None:
        source = self.sim.media_source(task_id, ext)
        if source is None:
            self.send_reply(Reply(404, b"Not Found", "text/plain"))
            return
        self._send_source(source, CONTENT_TYPES[ext])

    def _send_sized(self, size: int) -> None:
        if size > MAX_SIZED_BYTES:
            self.send_reply(endpoints.error("bad_request", f"at most {MAX_SIZED_BYTES} bytes"))
            return
        self._send_source(self.sim.sized_source(size), CONTENT_TYPES["mp4"])

    def _send_source(self, source, content_type: str) -> None:
        try:
            span = parse_range(self.headers.get("range"), source.size)
        except RangeNotSatisfiable:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{source.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, stop = span or (0, source.size)
        self.send_response(206 if span else 200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(stop - start))
        self.send_header("Accept-Ranges", "bytes")
        if span:
            self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{source.size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in source.chunks(start, stop):
            self.wfile.write(chunk)

    # Logging goes to the `videos.simulator` logger. Only the method, path and status are
    # logged: never headers (the bearer token) nor bodies (callback URLs carry secrets).
    def log_request(self, code="-", size="-") -> None:
        elapsed = time.monotonic() - getattr(self, "_started", time.monotonic())
        path = urlsplit(self.path).path
        logger.info("%s %s -> %s (%.3fs)", self.command, path, code, elapsed)

    def log_message(self, format: str, *args) -> None:
        logger.warning("%s: %s", self.address_string(), format % args)
