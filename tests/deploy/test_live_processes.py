"""The live processes as deploy/ runs them: gunicorn with uvicorn workers, production mode.

`gunicorn -c deploy/gunicorn-live.conf.py config.asgi` serves /events/ to signed-in people
only, cuts callback secrets out of its log lines like the threaded server, and, in the
PostgreSQL pass, pushes a job's change made by another process (this one) to an open
stream through NOTIFY and its one listener.
"""

import contextlib
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from tests.config.test_settings import PRODUCTION, _clean_environment
from tests.conftest import ON_POSTGRES, wait_for
from tests.factories import make_video
from tests.processes import current_database_url, free_port
from videos import services
from videos.models import Video

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
HOST = "studio.example.com"


@contextlib.contextmanager
def live_processes(tmp_path, **env):
    """deploy/gunicorn-live.conf.py in production mode; yields (url, log file)."""
    port = free_port()
    log = tmp_path / f"live-{port}.log"
    environment = _clean_environment(
        {
            **PRODUCTION,
            "DATABASE_URL": current_database_url(),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECURE_SSL_REDIRECT": "false",
            "LIVE_BIND": f"127.0.0.1:{port}",
            "LIVE_PROCESSES": "1",
            **env,
        }
    )
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn-live.conf.py"]
            + ["config.asgi"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}/healthz"), timeout=30, interval=0.2)
        yield url, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=45)


def _answers(url):
    try:
        return requests.get(url, headers={"Host": HOST}, timeout=5).status_code == 200
    except requests.RequestException:  # not up yet, or slow to answer on a busy machine
        return False


def test_the_live_processes_refuse_anonymous_streams_and_log_no_callback_secret(tmp_path, owner):
    job = make_video(owner, state=Video.State.PROCESSING)
    with live_processes(tmp_path) as (url, log):
        anonymous = requests.get(f"{url}/events/", headers={"Host": HOST}, timeout=10)
        hook = requests.post(
            f"{url}/webhooks/acedata/{job.pk}/{job.callback_secret}/",
            data="{",
            headers={"Host": HOST, "Content-Type": "application/json"},
            timeout=10,
        )
        wait_for(lambda: "/webhooks/acedata/" in log.read_text(), timeout=10)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert hook.status_code == 400
    assert job.callback_secret not in log.read_text()
    assert "[secret]" in log.read_text()


@pytest.mark.skipif(not ON_POSTGRES, reason="NOTIFY between processes: the PostgreSQL pass")
def test_a_change_made_in_another_process_reaches_an_open_stream(tmp_path, owner):
    video = make_video(owner, state=Video.State.PROCESSING, video_id="")
    browser = Client()
    browser.force_login(owner)
    cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    lines = []

    def read(response):
        # The test closes the stream under this thread at the end, whatever it raises then.
        with contextlib.suppress(Exception):
            for line in response.iter_lines(decode_unicode=True):
                lines.append(line)

    # The site's secret key: the session, signed here, is read there.
    with live_processes(tmp_path, SECRET_KEY=django_settings.SECRET_KEY) as (url, _log):
        stream = requests.get(
            f"{url}/events/",
            headers={"Host": HOST, "Cookie": f"sessionid={cookie}"},
            stream=True,
            timeout=30,
        )
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        reader = threading.Thread(target=read, args=(stream,), daemon=True)
        reader.start()
        wait_for(lambda: any(line.startswith("retry:") for line in lines), timeout=10)

        # This process ends the job, as a web process answering its callback would.
        services.complete(
            video,
            services.parse_result(
                {
                    "success": True,
                    "task_id": video.task_id,
                    "video_id": "v-1",
                    "state": "completed",
                    "video_url": "https://cdn.example.com/v-1.mp4",
                }
            ),
            video.task_id,
            {},
        )
        wait_for(lambda: "event: ended" in lines, timeout=10)
        stream.close()

    data = lines[lines.index("event: ended") + 1]
    assert data.startswith("data: ") and str(video.pk) in data and '"completed"' in data
