"""/healthz and /readyz: alive without the database, ready only when every part is."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from videos.heartbeat import beat
from videos.models import WorkerHeartbeat
from videos.sweep import sweep_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers():
    """A live worker on each queue, as run_worker's heartbeat thread leaves them."""
    beat("worker-default", ["default"])
    beat("worker-media", ["media"])


@pytest.fixture
def two_queues(settings):
    settings.TASKS = {"default": {**settings.TASKS["default"], "QUEUES": ["default", "media"]}}


def _ready(path="/readyz"):
    response = Client().get(path)
    return response.status_code, response.json()


def test_healthz_answers_ok_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_the_database_cache_storage_and_a_worker_per_queue_are(
    two_queues, workers
):
    status, body = _ready()

    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "storage": "ok",
            "workers": "ok",
            "queues": "ok",
        },
    }


def test_readyz_is_503_when_no_worker_serves_a_queue(two_queues):
    beat("worker-default", ["default"])

    status, body = _ready()

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["workers"].startswith("no worker serving the media queue")
    assert body["checks"]["database"] == "ok"


def test_a_worker_serving_every_queue_counts_for_each(two_queues):
    beat("worker-all", ["*"])

    assert _ready()[0] == 200


def test_readyz_is_503_when_the_only_worker_has_gone_quiet(settings):
    beat("worker-default", ["default"])
    beat("worker-media", ["media"])
    stale = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS + 5)
    WorkerHeartbeat.objects.filter(pk="worker-default").update(seen_at=stale)

    status, body = _ready()

    assert status == 503
    assert body["checks"]["workers"].startswith("no worker serving the default queue has")


def test_readyz_names_every_queue_nobody_serves(settings):
    status, body = _ready()

    assert status == 503
    assert body["checks"]["workers"].startswith(
        "no worker serving the default and media queues has reported in"
    )


def test_readyz_is_503_when_tasks_wait_too_long(workers, settings):
    settings.QUEUE_MAX_WAIT_SECONDS = 60
    sweep_task.enqueue()
    DBTaskResult.objects.update(enqueued_at=Now() - timedelta(minutes=3))

    status, body = _ready()

    assert status == 503
    assert body["checks"]["queues"] == "a task in the default queue has waited over 60 seconds"


def test_readyz_is_503_when_too_many_tasks_wait(workers, settings):
    settings.QUEUE_MAX_DEPTH = 2
    for _ in range(3):
        sweep_task.enqueue()

    status, body = _ready()

    assert status == 503
    assert body["checks"]["queues"] == "more than 2 tasks are waiting in the default queue"


def test_a_task_delayed_into_the_future_is_not_counted_as_waiting(workers, settings):
    settings.QUEUE_MAX_DEPTH = 0
    sweep_task.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue()

    assert _ready()[0] == 200


def test_readyz_is_503_when_media_storage_cannot_be_written(workers, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"  # root ignores permissions, not a file in the way

    status, body = _ready()

    assert status == 503
    assert body["checks"]["storage"] == "unknown error"
    assert str(tmp_path) not in str(body)


def test_readyz_is_503_without_details_when_the_cache_is_unreachable(workers, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens
        }
    }

    status, body = _ready()

    assert status == 503
    assert body["checks"]["cache"] in {"unexpected result", "unavailable", "unknown error"}
    assert "127.0.0.1" not in str(body)


def test_readyz_web_ignores_the_workers_for_a_load_balancer():
    status, body = _ready("/readyz/web")

    assert status == 200
    assert set(body["checks"]) == {"database", "cache", "storage"}


def test_health_endpoints_need_no_login_and_refuse_writes():
    assert Client().post("/readyz").status_code == 405
    assert Client().post("/healthz").status_code == 405


# --- the RQ backend: depth and workers from RQ itself, in Redis (database 10 of the suite's Redis)
@pytest.fixture
def rq_queues(settings):
    pytest.importorskip("django_rq", reason="django-rq is installed only with the RQ backend")
    from redis import Redis

    settings.RQ_QUEUES = {
        name: {"URL": "redis://127.0.0.1:6379/10"} for name in ("default", "media")
    }
    settings.TASKS = {"default": {**settings.TASKS["default"], "QUEUES": ["default", "media"]}}
    redis = Redis.from_url("redis://127.0.0.1:6379/10")
    redis.flushdb()
    yield redis
    redis.flushdb()


def test_with_rq_the_queues_and_workers_come_from_redis(rq_queues):
    import django_rq
    from rq import Worker

    from videos import queues

    default = django_rq.get_queue("default")
    for _ in range(3):
        default.enqueue("videos.sweep.sweep")
    worker = Worker([django_rq.get_queue("media")], connection=rq_queues, name="media-1")
    worker.register_birth()

    states = queues._rq_states(["default", "media"], timezone.now())

    assert (states["default"].waiting, states["default"].workers) == (3, 0)
    assert (states["media"].waiting, states["media"].workers) == (0, 1)
    assert 0 <= states["default"].oldest_wait_seconds < 60
