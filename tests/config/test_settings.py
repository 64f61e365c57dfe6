"""Settings come from the environment; production refuses to start half-configured.

The deploy check itself is in tests/reliability/test_deployment.py.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "ACEDATACLOUD_API_TOKEN": "prod-token",
    "ALLOWED_HOSTS": "studio.example.com",
    "PUBLIC_BASE_URL": "https://studio.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/luma_studio",
}


def _clean_environment(env):
    # Nothing of this test run's own (the browser tests' async override, a test database
    # URL) may leak into what production would see.
    unwanted = ("ACEDATA", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
    return {**clean, **env}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_clean_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_entry_point(module, **env):
    """Import config.wsgi or config.asgi as a server would, in a process of its own."""
    code = f"import {module}; print('started', {module}.application is not None)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_a_bare_production_start_refuses_with_a_message_naming_what_is_missing(module):
    result = load_entry_point(module)

    assert result.returncode != 0 and "started" not in result.stdout
    assert "starting in production mode" in result.stderr
    for name in ("SECRET_KEY", "ACEDATACLOUD_API_TOKEN", "PUBLIC_BASE_URL"):
        assert f"  {name}:" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_a_configured_production_start_loads(module):
    result = load_entry_point(module, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "started True" in result.stdout


@pytest.mark.slow
def test_an_entry_point_still_honours_debug_when_it_is_set():
    result = load_entry_point("config.wsgi", DEBUG="true")

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_manage_py_keeps_the_development_default_with_nothing_set():
    code = "from django.conf import settings; print(settings.DEBUG)"

    result = manage("shell", "-v", "0", "-c", code)

    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.slow
def test_production_without_the_acedatacloud_token_stops_with_a_clear_message():
    env = {**PRODUCTION, "ACEDATACLOUD_API_TOKEN": ""}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "  ACEDATACLOUD_API_TOKEN: the site's token" in result.stderr
    assert "SECRET_KEY:" not in result.stderr  # only what is really missing is named


@pytest.mark.slow
def test_production_without_a_secret_key_does_not_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_talks_to_the_real_service_and_development_to_the_simulator():
    code = "from django.conf import settings; print(settings.ACEDATACLOUD_BASE_URL)"

    prod = manage("shell", "-v", "0", "-c", code, **PRODUCTION)
    dev = manage("shell", "-v", "0", "-c", code)

    assert prod.stdout.strip() == "https://api.acedata.cloud", prod.stderr
    assert dev.stdout.strip() == "http://127.0.0.1:8765", dev.stderr


@pytest.mark.slow
def test_a_bucket_setting_moves_kept_media_to_s3():
    code = (
        "from django.conf import settings; d = settings.STORAGES['default']; "
        "print(d['BACKEND'], d['OPTIONS']['bucket_name'], d['OPTIONS']['endpoint_url'], "
        "d['OPTIONS']['default_acl'])"
    )

    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        AWS_STORAGE_BUCKET_NAME="studio-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
    )

    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "studio-media",
        "https://s3.example.com",
        "private",
    ], result.stderr


@pytest.mark.slow
def test_a_sync_gateway_limit_that_would_take_every_thread_is_refused_at_start():
    result = manage("check", WEB_THREADS="4", GATEWAY_SYNC_MAX_WAITING="4")

    assert result.returncode != 0
    assert "GATEWAY_SYNC_MAX_WAITING (4) must be below WEB_THREADS (4)" in result.stderr


@pytest.mark.slow
def test_the_sync_gateway_limit_follows_the_thread_count():
    code = "from django.conf import settings; print(settings.GATEWAY_SYNC_MAX_WAITING)"

    result = manage("shell", "-v", "0", "-c", code, WEB_THREADS="16")

    assert result.stdout.strip() == "8", result.stderr


@pytest.mark.slow
def test_the_site_cap_is_read_from_the_environment_and_a_negative_one_refused():
    code = "from django.conf import settings; print(settings.SITE_VIDEOS_PER_PERIOD)"

    unset = manage("shell", "-v", "0", "-c", code)
    capped = manage("shell", "-v", "0", "-c", code, SITE_VIDEOS_PER_PERIOD="500")
    negative = manage("check", SITE_VIDEOS_PER_PERIOD="-1")

    assert unset.stdout.strip() == "None", unset.stderr
    assert capped.stdout.strip() == "500", capped.stderr
    assert negative.returncode != 0
    assert "SITE_VIDEOS_PER_PERIOD must be 0 or more" in negative.stderr
