"""Small real HTTP servers that misbehave on purpose, for the fault tests (loopback only)."""

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Trickle(BaseHTTPRequestHandler):
    """A file server that sends a byte every 0.2 s: never idle long enough to time out."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        with contextlib.suppress(OSError):  # the client hangs up on us, which is the point
            for _ in range(100_000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def trickling_file_server():
    """Yield the URL of an .mp4 that trickles in a byte at a time."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slow.mp4"
    finally:
        server.shutdown()
        server.server_close()
