"""The stack every benchmark runs on: a fresh PostgreSQL database, the simulator, gunicorn.

Stack() creates database `luma_bench`, points this process's Django at it (settings
bench.settings, production mode), starts the AceDataCloud simulator in-process with no
delay, and serves the project and the baseline from one gunicorn. Leaving the `with`
block kills every process it started (by process group) and drops the database.

Django and the project's modules are imported inside functions: they may be imported only
after the harness has pointed the environment at the benchmark database and called
django.setup() (bench/harness.py), which a module-level import would run before.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import django
import gunicorn
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = os.environ.get("BENCH_DB", "luma_bench")
WORKERS, THREADS = 2, 4
TOKEN = "bench-acedata-token"  # noqa: S105 - the simulator's, loopback only
METRICS_TOKEN = "bench-metrics-token"  # noqa: S105 - the scraper's, loopback only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin_sql(sql: str):
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def machine() -> str:
    cpu = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with suppress(Exception):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0].split()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}; Python "
        f"{platform.python_version()}, Django {django.__version__}, gunicorn "
        f"{gunicorn.__version__}, psycopg {psycopg.__version__}, PostgreSQL {locals().get('pg')}"
    )


def vm_kb(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def kill_group(proc: subprocess.Popen):
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def wait_http(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Stack:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="luma-bench-"))
        self.web_port = free_port()
        self.procs: list[subprocess.Popen] = []
        self.gunicorn = None
        self.sim = None

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self):
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
        sim_port = free_port()
        os.environ.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=f"{PG}/{DB_NAME}",
            DEBUG="false",
            SECRET_KEY="bench-" + "x" * 50,
            SECURE_SSL_REDIRECT="false",
            ACEDATACLOUD_API_TOKEN=TOKEN,
            ACEDATACLOUD_BASE_URL=f"http://127.0.0.1:{sim_port}",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{self.web_port}",
            CALLBACK_ALLOWED_HOSTS="127.0.0.1",
            MEDIA_FETCH_ALLOWED_HOSTS="127.0.0.1",
            MEDIA_ROOT=str(self.tmp / "media"),
            QUOTA_VIDEOS_PER_PERIOD=str(10**9),
            QUOTA_MAX_IN_FLIGHT=str(10**9),
            POLL_AFTER_SECONDS="0",
            METRICS_TOKEN=METRICS_TOKEN,
        )
        django.setup()
        from django.core.management import call_command

        from videos.simulator import Simulator

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # production's default cache
        # Then the baseline's table (no migrations; it refers to auth_user, made above).
        call_command("migrate", run_syncdb=True, verbosity=0)
        self.sim = Simulator(port=sim_port, token=TOKEN, delay=0)
        self.sim.start()
        self.gunicorn = self.spawn(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "config.wsgi",
                "--worker-class=gthread",
                f"--workers={WORKERS}",
                f"--threads={THREADS}",
                f"--bind=127.0.0.1:{self.web_port}",
            ],
            "gunicorn",
        )
        wait_http(f"{self.url}/accounts/login/")
        time.sleep(1)
        self.web_idle_kb = {pid: vm_kb(pid) for pid in self.web_workers()}

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            kill_group(proc)
        if self.sim is not None:
            self.sim.stop()
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        with suppress(Exception):
            _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        """Start a process in its own group, logging to the run's temporary directory."""
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def web_workers(self) -> list[int]:
        return children(self.gunicorn.pid)

    def load(
        self, requests: list[dict], connections: int, duration: float, warmup=0.5, port=None
    ) -> dict:
        """Run bench/load.py against the site (or `port`) in a separate process; its figures."""
        spec = self.tmp / "load.json"
        spec.write_text(
            json.dumps(
                {
                    "port": port or self.web_port,
                    "connections": connections,
                    "duration": duration,
                    "warmup": warmup,
                    "requests": requests,
                }
            )
        )
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench/load.py"), str(spec)],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + warmup + 60,
        ).stdout
        result = json.loads(out)
        if result["ok"] != result["requests"]:
            raise RuntimeError(f"some requests failed: {result['statuses']}")
        return result

    def queries(self, request: dict, repeat: int = 5) -> tuple[int, float]:
        """Return (queries, their total ms, median of `repeat`) for a request, server-side."""
        return _queries(self.url, request, repeat)


def _queries(url: str, request: dict, repeat: int) -> tuple[int, float]:
    headers = {**request.get("headers", {}), "X-Count-Queries": "1"}
    body = json.dumps(request["body"]).encode() if "body" in request else None
    if body is not None:
        headers["Content-Type"] = "application/json"
    counts, times = set(), []
    for _ in range(repeat):
        req = urllib.request.Request(url + request["path"], data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as response:
            counts.add(int(response.headers["X-Queries"]))
            times.append(float(response.headers["X-Query-Ms"]))
    return max(counts), sorted(times)[len(times) // 2]


def section(path: Path, mark: str) -> str:
    """The text between two `mark` lines of a file, or ""."""
    parts = path.read_text().split(mark) if path.exists() else []
    return parts[1].strip() if len(parts) >= 3 else ""


def write_section(path: Path, mark: str, text: str):
    """Replace the part of a Markdown file between two `mark` lines (or append it)."""
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{mark}\n{text.strip()}\n{mark}"
    if mark in current:
        head, _, rest = current.partition(mark)
        _, _, tail = rest.partition(mark)
        current = head + block + tail
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current)


def memory_main(script: str, child, table, mark: str, default_sizes: str) -> None:
    """Run a peak-memory benchmark (`bench/<name>.py [--sizes 1,100] [--write FILE]`).

    Each size is measured by `child(size_mb)` in a fresh process (the same script, run with
    --child), so one size's peak never hides another's; `table(rows)` writes the section.
    """
    parser = argparse.ArgumentParser(description=f"Peak memory: {Path(script).name}")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=default_sizes, help="sizes in MB, smallest first")
    parser.add_argument("--write", type=Path, help="update this Markdown file's section")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        out = subprocess.run(
            [sys.executable, script, "--child", str(size)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    text = table(rows)
    print(text)
    if args.write:
        write_section(args.write, mark, text)


def main(run, mark: str) -> None:
    """Run one benchmark alone (`bench/<name>.py [--quick]`) and rewrite its own section.

    `run(stack, quick)` returns (markdown, figures).
    """
    with Stack() as stack:
        text, _ = run(stack, "--quick" in sys.argv)
    print(text)
    write_section(ROOT / "docs/benchmarks.md", mark, text)
