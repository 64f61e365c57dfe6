"""The worker on an existing distributed engine: tasks in Redis through django-tasks' RQ
backend, two RQ worker processes and two web processes, as on several machines.

Each process is a real one, in production mode (DEBUG off), sharing only PostgreSQL and
Redis (database 7 of the Redis at 127.0.0.1:6379). People submit through both web
processes; AceDataCloud's stand-in calls back to both; the workers submit, copy media and
sweep. Then: every job done, none submitted twice, no transition applied twice (one end
announced per job, one charge and no release each, one copy each), and no live update lost
(every job's changes heard on Redis by a subscriber of the test's own).
"""

import contextlib
import json
import sys
import threading
import uuid

import pytest
import requests

from tests.conftest import make_user, wait_for
from tests.factories import make_token
from tests.processes import (
    current_database_url,
    free_port,
    gunicorn,
    production_env,
    spawn,
    stop,
)
from tests.processes import manage as manage_command
from videos.models import MediaState, QuotaEvent, Video

redis = pytest.importorskip("redis")
pytest.importorskip("django_tasks_rq", reason="the RQ backend: pip install django-tasks-rq")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.postgres,  # real processes need a database server they can all reach
    pytest.mark.django_db(transaction=True),
]
REDIS_URL = "redis://127.0.0.1:6379/7"
JOBS = 24


class Heard(list):
    """Every live-update notification on the site's channel, as any web process hears it."""

    def __init__(self, channel):
        super().__init__()
        self.pubsub = redis.Redis.from_url(REDIS_URL).pubsub()
        self.pubsub.subscribe(channel)
        self.pubsub.get_message(timeout=5)  # the subscription's confirmation
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self):
        with contextlib.suppress(redis.ConnectionError, ValueError):  # closed at the end
            for message in self.pubsub.listen():
                if message["type"] == "message":
                    self.append(json.loads(message["data"]))

    def close(self):
        self.pubsub.close()


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def test_two_rq_workers_and_two_web_processes_lose_nothing_and_repeat_nothing(
    redis_db, simulator, tmp_path
):
    simulator.delay = 0.5
    ports = [free_port(), free_port()]
    channel = "test_" + uuid.uuid4().hex
    env = production_env(
        tmp_path,
        database_url=current_database_url(),
        simulator=simulator,
        public_url=f"http://127.0.0.1:{ports[0]}",
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        REDIS_URL=REDIS_URL,
        LIVE_CHANNEL=channel,
        WORKER_SWEEP_SECONDS=1,
        QUOTA_MAX_IN_FLIGHT=JOBS,
        QUOTA_VIDEOS_PER_PERIOD=JOBS,
    )
    heard = Heard(channel)
    log = open(tmp_path / "processes.log", "ab")  # noqa: SIM115 - the children write to it
    manage = [sys.executable, "manage.py"]
    rq_worker = [*manage, "rqworker", "--job-class", "django_tasks_rq.Job", "default", "media"]
    manage_command(["collectstatic", "--noinput", "-v", "0"], env)  # production's pages
    processes = []
    try:
        for port in ports:
            processes.append(gunicorn(port, env, log))
            # Each worker gives AceDataCloud its own web process's address: both take callbacks.
            processes.append(
                spawn(rq_worker, {**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}, log)
            )
        processes.append(spawn([*manage, "run_sweep_timer"], env, log))

        people = [make_user(f"person{n}") for n in range(4)]
        tokens = [make_token(person) for person in people]
        for n in range(JOBS):
            answer = requests.post(
                f"http://127.0.0.1:{ports[n % 2]}/api/v1/videos/",
                json={"prompt": f"Job {n}"},
                headers={"Authorization": f"Token {tokens[n % len(tokens)]}"},
                timeout=30,
            )
            assert answer.status_code == 202, answer.text

        def all_stored():
            return Video.objects.filter(media_state=MediaState.DONE).count() == JOBS

        wait_for(all_stored, timeout=120, interval=0.5)
        wait_for(lambda: sum(e["kind"] == "ended" for e in heard) == JOBS, timeout=20)
    finally:
        stop(processes)
        heard.close()
        log.close()

    videos = list(Video.objects.all())
    assert {v.state for v in videos} == {Video.State.COMPLETED}
    # None submitted twice: AceDataCloud was asked once per job.
    assert simulator.requests_count("videos") == JOBS
    assert len({v.task_id for v in videos}) == JOBS
    # No transition applied twice: one charge each, no release, one copy each.
    assert QuotaEvent.objects.filter(kind=QuotaEvent.Kind.CHARGE).count() == JOBS
    assert not QuotaEvent.objects.filter(kind=QuotaEvent.Kind.RELEASE).exists()
    assert {v.media_attempts for v in videos} == {1}
    # No event lost, none doubled: each job's end announced once, its earlier changes heard.
    ended = [e["video"] for e in heard if e["kind"] == "ended"]
    assert sorted(ended) == sorted(str(v.pk) for v in videos)
    for video in videos:
        kinds = [e["kind"] for e in heard if e["video"] == str(video.pk)]
        assert kinds.count("changed") >= 3, kinds  # queued, accepted, media stored
        assert {e["owner"] for e in heard if e["video"] == str(video.pk)} == {video.owner_id}
