"""/metrics: Prometheus text for the scraper alone; the site's state read in constant queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_user
from tests.factories import make_video
from videos import quota
from videos.acedata import AceDataClient, AceDataError
from videos.heartbeat import beat
from videos.models import GatewayJob, MediaState, Video
from videos.sweep import sweep_task

pytestmark = pytest.mark.django_db
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def open_metrics(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]


def scrape(**headers):
    response = Client().get("/metrics", **{**LOCAL, **headers})
    assert response.status_code == 200, response.content
    return samples(response.content.decode())


def samples(text) -> dict:
    """{(name, (label, value), ...): value} of every sample in an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return found


# --- who may scrape ------------------------------------------------------------------------
def test_production_defaults_refuse_every_scrape(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    response = Client().get("/metrics", **LOCAL)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert b"luma_jobs" not in response.content


def test_a_token_lets_the_scraper_in_and_anyone_else_gets_401(settings):
    settings.METRICS_TOKEN = "scrape-me-" + "x" * 30
    settings.METRICS_ALLOWED_IPS = []

    anonymous = Client().get("/metrics", REMOTE_ADDR="203.0.113.9")
    wrong = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope", REMOTE_ADDR="203.0.113.9")
    scraper = Client().get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}", REMOTE_ADDR="203.0.113.9"
    )

    assert anonymous.status_code == wrong.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.json() == {
        "detail": "Send the metrics token as a Bearer token.",
        "code": "not_authenticated",
    }
    assert scraper.status_code == 200
    assert scraper["Content-Type"].startswith("text/plain; version=")


def test_the_allow_list_takes_networks_and_refuses_other_addresses(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16", "::1"]

    assert Client().get("/metrics", REMOTE_ADDR="10.1.200.3").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403


@pytest.mark.parametrize(
    "header",
    ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_PROTO"],
)
def test_a_request_through_a_proxy_is_never_let_in_by_its_address(open_metrics, header):
    response = Client().get("/metrics", **LOCAL, **{header: "203.0.113.9"})

    assert response.status_code == 403


def test_a_staff_session_is_not_a_way_in(settings, staff):
    settings.METRICS_ALLOWED_IPS = []
    client = Client()
    client.force_login(staff)

    assert client.get("/metrics", **LOCAL).status_code == 403


# --- what it says --------------------------------------------------------------------------
def _site(owner, other):
    """Jobs in every state, copies, a failure by code, deliveries, a worker and a queued task."""
    make_video(owner, media_state=MediaState.DONE)
    make_video(owner, media_state=MediaState.FAILED)
    make_video(other, media_state=MediaState.PENDING)
    make_video(owner, state=Video.State.QUEUED)
    make_video(owner, state=Video.State.PROCESSING)
    failed = make_video(other, state=Video.State.FAILED, error_code="moderation")
    quota.release(failed, "failed: moderation")
    ended = timezone.now() - timedelta(minutes=5)
    for lag, state in ((3, "delivered"), (40, "delivered"), (None, "pending")):
        video = make_video(owner, completed_at=ended)
        GatewayJob.objects.create(
            video=video,
            mode=GatewayJob.Mode.CALLBACK,
            callback_url="https://client.example.com/hook",
            delivery_state=state,
            delivered_at=ended + timedelta(seconds=lag) if lag else None,
        )
    beat("w-default", ["default"])
    sweep_task.enqueue()


def test_it_reports_jobs_copies_failures_budget_callbacks_and_queues(
    open_metrics, owner, other, settings
):
    settings.QUOTA_VIDEOS_PER_PERIOD = 10
    make_user("idle", is_active=False)
    _site(owner, other)

    got = scrape()

    assert got[("luma_jobs", ("state", "completed"))] == 6
    assert got[("luma_jobs", ("state", "queued"))] == 1
    assert got[("luma_jobs", ("state", "processing"))] == 1
    assert got[("luma_jobs", ("state", "failed"))] == 1
    assert got[("luma_media_copies", ("state", "failed"))] == 1
    assert got[("luma_media_copies", ("state", "pending"))] == 1
    assert got[("luma_jobs_accepted_total",)] == 9
    assert got[("luma_jobs_failed_total", ("code", "moderation"))] == 1
    assert got[("luma_quota_used_videos",)] == 8  # nine charges, one released
    assert got[("luma_quota_limit_videos",)] == 20  # two active users of 10; not the idle one
    assert got[("luma_callback_deliveries", ("state", "delivered"))] == 2
    assert got[("luma_callback_deliveries", ("state", "pending"))] == 1
    assert got[("luma_callback_lag_seconds_bucket", ("le", "5.0"))] == 1
    assert got[("luma_callback_lag_seconds_bucket", ("le", "60.0"))] == 2
    assert got[("luma_callback_lag_seconds_count",)] == 2
    assert got[("luma_callback_lag_seconds_sum",)] == pytest.approx(43)
    assert got[("luma_queue_depth", ("queue", "default"))] == 1
    assert got[("luma_workers_alive", ("queue", "default"))] == 1
    assert ("django_http_requests_total_by_method_total", ("method", "GET")) in got


def test_a_custom_allowance_counts_toward_the_site_budget(open_metrics, owner, other, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 10
    quota.get_allowance(owner)
    owner.allowance.videos_per_period = 50
    owner.allowance.save()

    assert scrape()[("luma_quota_limit_videos",)] == 60


def test_the_scrape_costs_the_same_queries_however_many_jobs_there_are(
    open_metrics, owner, other, django_assert_num_queries
):
    _site(owner, other)
    with django_assert_num_queries(8) as few:
        scrape()

    for n in range(15):
        make_video(owner if n % 2 else other, state=Video.State.FAILED, error_code=f"code-{n % 3}")
        beat(f"w-{n}", ["default", "media"])
        sweep_task.enqueue()
    with django_assert_num_queries(len(few.captured_queries)):
        scrape()


# --- the upstream, timed where it is called ------------------------------------------------
def _value(name, **labels):
    key = (name, *sorted(labels.items()))
    return scrape().get(key, 0.0)


@pytest.mark.integration
def test_each_upstream_call_is_timed_and_its_errors_counted_by_code(open_metrics, simulator):
    calls = _value("luma_upstream_request_duration_seconds_count", endpoint="/luma/videos")
    refused = _value("luma_upstream_errors_total", endpoint="/luma/videos", code="api_error")
    client = AceDataClient()

    client.submit({"action": "generate", "prompt": "A fox"})
    simulator.set_fault("videos", "500", times=1)
    with pytest.raises(AceDataError):
        client.submit({"action": "generate", "prompt": "A fox"})

    assert (
        _value("luma_upstream_request_duration_seconds_count", endpoint="/luma/videos") == calls + 2
    )
    assert (
        _value("luma_upstream_errors_total", endpoint="/luma/videos", code="api_error")
        == refused + 1
    )


def test_an_unreachable_upstream_counts_as_its_own_error(open_metrics):
    labels = {"endpoint": "/luma/tasks", "code": "upstream_unreachable"}
    before = _value("luma_upstream_errors_total", **labels)

    with pytest.raises(AceDataError):
        AceDataClient().retrieve("some-task")  # nothing listens on the test upstream's port

    assert _value("luma_upstream_errors_total", **labels) == before + 1
