"""The operator's dashboard: what the site made, for whom, how well, in a fixed few queries.

Everything is aggregated in the database (a handful of GROUP BY statements over indexed
columns), so the page costs the same queries with a hundred videos or a hundred thousand.
The CSV export streams one row per job.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from . import budgets, charts, failures, quota
from .models import QuotaEvent, Video

RANGES = (30, 90)
TOP = 10
STACKED_TEAMS = 6  # the busiest teams get their own colour; the rest share one


@dataclass
class Dashboard:
    days: list[date]
    range_days: int
    by_team: charts.Chart
    by_team_rows: list  # (day, [count per series], total)
    team_labels: list[str]
    outcomes: charts.Chart
    outcome_rows: list  # (day, completed, failed, in flight)
    durations: charts.Chart
    duration_rows: list  # (day, median seconds, p95 seconds, count)
    top_users: list  # (username, used)
    top_teams: list  # (name, used, limit)
    failures: list  # (reason, code, count)
    site: budgets.Meter
    period_label: str
    resets_at: object
    in_flight: int
    waiting: int


class Percentile(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class SecondsBetween(Func):
    """Seconds from one timestamp column to another, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, start, end, **extra):
        super().__init__(start, end, **extra)

    def as_postgresql(self, compiler, conn, **extra):
        start, end = (compiler.compile(e) for e in self.source_expressions)
        return f"EXTRACT(EPOCH FROM ({end[0]} - {start[0]}))", [*end[1], *start[1]]

    def as_sqlite(self, compiler, conn, **extra):
        start, end = (compiler.compile(e) for e in self.source_expressions)
        return (
            f"((julianday({end[0]}) - julianday({start[0]})) * 86400.0)",
            [*end[1], *start[1]],
        )


def _days(range_days: int, now=None) -> tuple[list[date], object]:
    tz = timezone.get_default_timezone()
    today = timezone.localtime(now or timezone.now(), tz).date()
    days = [today - timedelta(days=n) for n in range(range_days - 1, -1, -1)]
    since = timezone.make_aware(
        timezone.datetime.combine(days[0], timezone.datetime.min.time()), tz
    )
    return days, since


def in_range(range_days: int, now=None):
    """The jobs created in the last `range_days` days (the site's days)."""
    _days_list, since = _days(range_days, now)
    return Video.objects.filter(created_at__gte=since)


def build(range_days: int = 30, now=None) -> Dashboard:
    days, since = _days(range_days, now)
    tz = timezone.get_default_timezone()
    videos = Video.objects.filter(created_at__gte=since).order_by()
    per_day = videos.annotate(day=TruncDate("created_at", tzinfo=tz))

    # 1. Videos per day by team and state: both stacked charts from one statement.
    counts = per_day.values("day", "team__name", "state").annotate(n=Count("pk"))
    by_team: dict = defaultdict(lambda: defaultdict(int))
    by_state: dict = defaultdict(lambda: defaultdict(int))
    team_totals: dict = defaultdict(int)
    for row in counts:
        name = row["team__name"]
        by_team[name][row["day"]] += row["n"]
        by_state[row["state"]][row["day"]] += row["n"]
        team_totals[name] += row["n"]
    named = sorted((n for n in team_totals if n is not None), key=lambda n: -team_totals[n])
    series = [(name, [by_team[name][d] for d in days]) for name in named[:STACKED_TEAMS]]
    rest = named[STACKED_TEAMS:]
    if rest:
        series.append((_("Other teams"), [sum(by_team[n][d] for n in rest) for d in days]))
    if None in team_totals:
        series.append((_("No team"), [by_team[None][d] for d in days]))
    team_rows = [
        (d, [values[i] for _label, values in series], sum(v[i] for _l, v in series))
        for i, d in enumerate(days)
    ]
    completed = [by_state[Video.State.COMPLETED][d] for d in days]
    failed = [by_state[Video.State.FAILED][d] for d in days]
    running = [by_state[Video.State.QUEUED][d] + by_state[Video.State.PROCESSING][d] for d in days]
    outcomes = charts.stacked_bars(
        days,
        [(_("Completed"), completed), (_("Failed"), failed), (_("In progress"), running)],
    )

    # 2. Time from submission to completion, per day: median and 95th percentile.
    duration_rows = _durations(per_day, days)
    durations = charts.lines(
        days,
        [
            (_("Median"), [row[1] for row in duration_rows]),
            (_("95th percentile"), [row[2] for row in duration_rows]),
        ],
        unit="s",
    )

    # 3. This period's top users and teams, from the ledger.
    start, resets_at = quota.period_bounds(now)
    this_period = QuotaEvent.objects.usage().filter(period_start=start).order_by()
    top_users = list(
        this_period.values("user__username")
        .annotate(n=Sum("amount"))
        .filter(n__gt=0)
        .order_by("-n", "user__username")
        .values_list("user__username", "n")[:TOP]
    )
    top_teams = list(
        this_period.filter(team__isnull=False)
        .values("team__name", "team__videos_per_period")
        .annotate(n=Sum("amount"))
        .filter(n__gt=0)
        .order_by("-n", "team__name")
        .values_list("team__name", "n", "team__videos_per_period")[:TOP]
    )

    # 4. Why jobs failed, most common first.
    reasons = (
        videos.filter(state=Video.State.FAILED)
        .values("error_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "error_code")[:15]
    )
    failure_rows = [
        (failures.reason(row["error_code"] or "failed"), row["error_code"] or "-", row["n"])
        for row in reasons
    ]

    # 5. Now: jobs in flight (with AceDataCloud) and waiting (not sent yet).
    now_states = dict(
        Video.objects.in_flight()
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )

    return Dashboard(
        days=days,
        range_days=range_days,
        by_team=charts.stacked_bars(days, series),
        by_team_rows=team_rows,
        team_labels=[label for label, _values in series],
        outcomes=outcomes,
        outcome_rows=list(zip(days, completed, failed, running, strict=True)),
        durations=durations,
        duration_rows=duration_rows,
        top_users=top_users,
        top_teams=top_teams,
        failures=failure_rows,
        site=budgets.site_meter(now),
        period_label=str(quota.PERIOD_LABELS[settings.QUOTA_PERIOD]),
        resets_at=resets_at,
        in_flight=now_states.get(Video.State.PROCESSING, 0),
        waiting=now_states.get(Video.State.QUEUED, 0),
    )


def _durations(per_day, days) -> list:
    """(day, median, p95, count) for each day; None where no job completed that day."""
    done = per_day.filter(state=Video.State.COMPLETED, completed_at__isnull=False)
    seconds = SecondsBetween(F("created_at"), F("completed_at"))
    found: dict = {}
    if connection.vendor == "postgresql":
        rows = done.values("day").annotate(
            median=Percentile(seconds, 0.5), p95=Percentile(seconds, 0.95), n=Count("pk")
        )
        found = {r["day"]: (r["median"], r["p95"], r["n"]) for r in rows}
    else:
        # SQLite (development) has no percentile aggregate: the seconds come back sorted
        # per day, still in one statement, and are ranked here.
        by_day: dict = defaultdict(list)
        for day, value in done.annotate(s=seconds).order_by("day", "s").values_list("day", "s"):
            by_day[day].append(value)
        for day, values in by_day.items():
            found[day] = (statistics.median(values), _p95(values), len(values))
    return [(d, *_rounded(found.get(d, (None, None, 0)))) for d in days]


def _p95(values: list[float]) -> float:
    """The 95th percentile by linear interpolation, as PERCENTILE_CONT computes it."""
    if len(values) == 1:
        return values[0]
    rank = 0.95 * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _rounded(triple):
    median, p95, n = triple
    return (
        None if median is None else round(median, 1),
        None if p95 is None else round(p95, 1),
        n,
    )


def export_rows(range_days: int, now=None):
    """One row per job made in the range, oldest first, for the CSV export (streamed)."""
    charges = QuotaEvent.objects.filter(video=OuterRef("pk"))
    jobs = (
        in_range(range_days, now)
        .order_by("created_at", "pk")
        .annotate(
            charged=Exists(charges.filter(kind=QuotaEvent.Kind.CHARGE)),
            released=Exists(charges.filter(kind=QuotaEvent.Kind.RELEASE)),
            seconds=SecondsBetween(F("created_at"), F("completed_at")),
        )
        .values_list(
            "created_at",
            "owner__username",
            "team__name",
            "action",
            "state",
            "seconds",
            "charged",
            "released",
        )
    )
    return jobs.iterator(chunk_size=2000)


@dataclass
class PersonalUsage:
    lines: list  # this period's ledger lines, newest first
    chart: charts.Chart
    rows: list  # (day, counted, given back), newest first
    period_label: str


LEDGER_LINES = 100  # shown on the profile; the admin has the whole ledger


def personal(user, now=None) -> PersonalUsage:
    """A person's own usage: this period's ledger, and their videos per day for 30 days."""
    start, _end = quota.period_bounds(now)
    lines = list(
        QuotaEvent.objects.filter(user=user, period_start=start)
        .select_related("video", "team")
        .defer("video__upstream_payload")
        .order_by("-created_at", "-id")[:LEDGER_LINES]
    )
    for line in lines:
        line.reason_shown = quota.reason_text(line)
    days, since = _days(30, now)
    tz = timezone.get_default_timezone()
    given_back = QuotaEvent.objects.filter(video=OuterRef("video"), kind=QuotaEvent.Kind.RELEASE)
    per_day = (
        QuotaEvent.objects.filter(user=user, kind=QuotaEvent.Kind.CHARGE, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz), back=Exists(given_back))
        .order_by()
        .values("day", "back")
        .annotate(n=Count("pk"))
    )
    counted: dict = defaultdict(int)
    back: dict = defaultdict(int)
    for row in per_day:
        (back if row["back"] else counted)[row["day"]] += row["n"]
    series = [
        (_("Counted"), [counted[d] for d in days]),
        (_("Given back (failed)"), [back[d] for d in days]),
    ]
    return PersonalUsage(
        lines=lines,
        chart=charts.stacked_bars(days, series),
        rows=[(d, counted[d], back[d]) for d in reversed(days) if counted[d] or back[d]],
        period_label=str(quota.PERIOD_LABELS[settings.QUOTA_PERIOD]),
    )
