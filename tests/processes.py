"""The site's real processes for the tests that need them: gunicorn as production runs it,
manage.py commands, all in the environment production would give them (DEBUG off)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import requests
from django.conf import settings

from tests.conftest import SIM_TOKEN, wait_for

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_database_url() -> str:
    """The URL of the database this test run uses, for a process of its own."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(tmp_path, *, database_url, simulator, public_url, **overrides) -> dict:
    """DEBUG off, as production runs, pointed at the test's simulator and folders."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    return {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "process-test-" + "x" * 40,
        "DATABASE_URL": database_url,
        "ACEDATACLOUD_BASE_URL": simulator.base_url,
        "ACEDATACLOUD_API_TOKEN": SIM_TOKEN,
        "PUBLIC_BASE_URL": public_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MEDIA_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "CALLBACK_ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_SUBMIT": "10000/min",
        # One web process per test: its own memory is cache enough (production's default,
        # the database cache, needs its table; tests/reliability/test_login_guard_processes.py
        # covers that one).
        "CACHE_URL": "locmemcache://",
        **{key: str(value) for key, value in overrides.items()},
    }


def manage(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def spawn(args, env, log):
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def gunicorn(port, env, log, threads=4):
    """The web server as the README's production section runs it (gthread)."""
    process = spawn(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--worker-class", "gthread", "--workers", "1", "--threads", str(threads)],
        env,
        log,
    )
    wait_for(lambda: _answers(f"http://127.0.0.1:{port}/accounts/login/"), timeout=30)
    return process


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)
