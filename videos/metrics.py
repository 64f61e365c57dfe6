"""What /metrics reports, besides django-prometheus's request and database metrics.

Two kinds, chosen so several gunicorn processes and workers report one truth:

- **State, read from the database at scrape time** by SiteCollector, with a constant number
  of statements however many jobs there are: jobs by state, jobs accepted and failed by
  error code (from the quota ledger, which is never deleted, so they only grow), media copies
  by state, callback deliveries and their lag, queue depth and age, live workers, and the
  budget used this period. Every process and machine reads the same rows, so there is
  nothing to aggregate and no shared directory is needed for them.
- **Events, counted where they happen**: upstream call latency and errors (videos/acedata.py),
  which exist in no table. Several processes on one machine (gunicorn's workers and the
  background workers) share them through prometheus_client's multiprocess mode: set
  PROMETHEUS_MULTIPROC_DIR to one directory for all of them (deploy/ does).
"""

import contextlib
import functools
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from . import queues, quota
from .models import GatewayJob, QuotaEvent, Video

logger = logging.getLogger(__name__)
UPSTREAM_SECONDS = Histogram(
    "luma_upstream_request_duration_seconds",
    "Time of each call to AceDataCloud's API, by endpoint (errors included).",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60),
)
UPSTREAM_ERRORS = Counter(
    "luma_upstream_errors",
    "Calls to AceDataCloud's API that failed, by endpoint and error code.",
    ["endpoint", "code"],
)
# Bounds of the callback-lag histogram, in seconds (a delivery's time after its job ended).
LAG_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600)


@contextlib.contextmanager
def upstream_call(endpoint: str):
    """Time one call to AceDataCloud; an exception counts as an error by its `code`."""
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        UPSTREAM_ERRORS.labels(endpoint, getattr(exc, "code", type(exc).__name__)).inc()
        raise
    finally:
        UPSTREAM_SECONDS.labels(endpoint).observe(time.perf_counter() - started)


def timed_upstream(post):
    """Decorate AceDataClient._post(self, path, payload) with upstream_call(path)."""

    @functools.wraps(post)
    def timed(client, path, *args, **kwargs):
        with upstream_call(path):
            return post(client, path, *args, **kwargs)

    return timed


def _jobs():
    states = GaugeMetricFamily("luma_jobs", "Jobs by state.", labels=["state"])
    copies = GaugeMetricFamily(
        "luma_media_copies", "Finished videos by the state of our copy.", labels=["state"]
    )
    by_state, by_copy = dict.fromkeys(Video.State.values, 0), {}
    rows = Video.objects.order_by().values_list("state", "media_state").annotate(n=Count("pk"))
    for state, media_state, n in rows:
        by_state[state] = by_state.get(state, 0) + n
        if state == Video.State.COMPLETED:
            by_copy[media_state] = by_copy.get(media_state, 0) + n
    for state, n in sorted(by_state.items()):
        states.add_metric([state], n)
    for state, n in sorted(by_copy.items()):
        copies.add_metric([state], n)
    return [states, copies]


def _ledger():
    """Accepted and failed jobs from the quota ledger: a charge per job, a release per failure."""
    accepted = CounterMetricFamily("luma_jobs_accepted", "Jobs accepted (charged), ever.")
    failed = CounterMetricFamily(
        "luma_jobs_failed", "Jobs that failed (quota given back), by error code.", labels=["code"]
    )
    charged, codes = 0, {}
    rows = (
        QuotaEvent.objects.usage().order_by().values_list("kind", "reason").annotate(n=Count("pk"))
    )
    for kind, reason, n in rows:
        if kind == QuotaEvent.Kind.CHARGE:
            charged += n
        else:
            code = reason.removeprefix("failed: ") or "unknown"
            codes[code] = codes.get(code, 0) + n
    accepted.add_metric([], charged)
    for code, n in sorted(codes.items()):
        failed.add_metric([code], n)
    return [accepted, failed]


def _budget():
    start, _ = quota.period_bounds()
    used = (
        QuotaEvent.objects.usage()
        .filter(period_start=start)
        .aggregate(n=Coalesce(Sum("amount"), 0))
    )
    limits = (
        get_user_model()
        .objects.filter(is_active=True)
        .aggregate(
            n=Coalesce(
                Sum(
                    Coalesce(
                        "allowance__videos_per_period",
                        settings.QUOTA_VIDEOS_PER_PERIOD,
                        output_field=IntegerField(),
                    )
                ),
                0,
            )
        )
    )
    return [
        GaugeMetricFamily(
            "luma_quota_used_videos",
            f"Videos charged this quota period ({settings.QUOTA_PERIOD}), site-wide.",
            value=used["n"],
        ),
        GaugeMetricFamily(
            "luma_quota_limit_videos",
            "The sum of every active user's allowance for this period.",
            value=limits["n"],
        ),
    ]


def _deliveries():
    states = GaugeMetricFamily(
        "luma_callback_deliveries", "Gateway callbacks by delivery state.", labels=["state"]
    )
    rows = (
        GatewayJob.objects.exclude(delivery_state="")
        .order_by()
        .values_list("delivery_state")
        .annotate(n=Count("pk"))
    )
    for state, n in sorted(rows):
        states.add_metric([state], n)
    lag = ExpressionWrapper(
        F("delivered_at") - F("video__completed_at"), output_field=DurationField()
    )
    delivered = GatewayJob.objects.filter(
        delivery_state=GatewayJob.Delivery.DELIVERED,
        delivered_at__isnull=False,
        video__completed_at__isnull=False,
    ).annotate(lag=lag)
    figures = delivered.aggregate(
        count=Count("pk"),
        total=Sum("lag"),
        **{
            f"le{i}": Count("pk", filter=Q(lag__lte=timedelta(seconds=b)))
            for i, b in enumerate(LAG_BUCKETS)
        },
    )
    buckets = [(str(float(b)), figures[f"le{i}"]) for i, b in enumerate(LAG_BUCKETS)]
    buckets.append(("+Inf", figures["count"]))
    total = figures["total"].total_seconds() if figures["total"] else 0.0
    histogram = HistogramMetricFamily(
        "luma_callback_lag_seconds",
        "Time from a gateway job's end to its callback's delivery.",
        buckets=buckets,
        sum_value=total,
    )
    return [states, histogram]


def _queues():
    depth = GaugeMetricFamily(
        "luma_queue_depth", "Tasks due and waiting, by queue.", labels=["queue"]
    )
    age = GaugeMetricFamily(
        "luma_queue_oldest_wait_seconds",
        "How long the longest-waiting due task has waited, by queue.",
        labels=["queue"],
    )
    workers = GaugeMetricFamily(
        "luma_workers_alive",
        "Workers that reported in recently, by queue served.",
        labels=["queue"],
    )
    for name, state in queues.states().items():
        depth.add_metric([name], state.waiting)
        age.add_metric([name], state.oldest_wait_seconds)
        workers.add_metric([name], state.workers)
    return [depth, age, workers]


class SiteCollector:
    """The site's state, read at scrape time (8 statements with the database task backend)."""

    def collect(self):
        up = GaugeMetricFamily(
            "luma_site_state_up", "Whether the database answered this scrape's questions."
        )
        try:
            families = [*_jobs(), *_ledger(), *_budget(), *_deliveries(), *_queues()]
        except DatabaseError as exc:
            # The process's own metrics still go out; the outage shows as luma_site_state_up 0.
            logger.warning("Metrics: the database did not answer (%s)", type(exc).__name__)
            families = []
        up.add_metric([], 1 if families else 0)
        yield up
        yield from families


class _Scrape:
    """A registry for one scrape: the process's (or every process's) metrics, then the site's."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
        yield from SiteCollector().collect()


def registry_for_scrape():
    if settings.PROMETHEUS_MULTIPROC_DIR:
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared, path=settings.PROMETHEUS_MULTIPROC_DIR)
        return _Scrape(shared)
    return _Scrape(REGISTRY)
