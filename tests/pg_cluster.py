"""A PostgreSQL cluster of a test's own, on a free port, that the test may stop and start.

Never the shared cluster at 127.0.0.1:5432. PostgreSQL refuses to run as root, so its
binaries run as the `postgres` user, in a temporary folder that user owns.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> str | None:
    """None if a cluster can be made here, else why not (for a skip's reason)."""
    if not (BIN / "initdb").exists():
        return f"PostgreSQL's binaries are not at {BIN}"
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        return "starting a cluster needs root (to run as postgres) or the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryCluster:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="luma-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = _free_port()

    def _as_postgres(self, *args, timeout=60):
        command = ["runuser", "-u", "postgres", "--", *map(str, args)]
        if os.geteuid() != 0:
            command = list(map(str, args))
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def start(self):
        if not self.data.exists():
            self._as_postgres(
                BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._as_postgres(
            BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "log", "-w", "start"
        )

    def stop(self):
        self._as_postgres(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str):
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def wait_until_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
