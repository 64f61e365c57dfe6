"""The usage dashboard and its CSV export as the site grows to 100,000 videos.

1,000 users in 20 teams; every video made within the last 90 days (the dashboard's widest
range, so every row is in it: the worst case), a tenth failed and released, each charged in
the ledger. Each size ANALYZEs, then loads /dashboard/ (90 days) for a fixed time with one
connection as staff, and counts its queries; the CSV export is timed once at the largest.

    .venv/bin/python bench/dashboard.py [--quick]

Django and the project's modules are imported inside functions: they may be imported only
after the harness has pointed the environment at the benchmark database and called
django.setup() (bench/harness.py), which a module-level import would run before.
"""

import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SIZES = (100, 10_000, 100_000)
TEAMS = 20
MARK = "<!-- dashboard -->"
# An operator opens it now and then: a second is fine, ten is not.
TARGET_MS = 1000


def _grow(seed, owners, teams, count: int):
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from videos import quota
    from videos.models import QuotaEvent, Video

    now = timezone.now()
    made = []
    for start in range(0, count, seed.BATCH):
        batch = []
        for i in range(min(seed.BATCH, count - start)):
            owner = owners[(start + i) % len(owners)]
            created = now - timedelta(seconds=random.uniform(60, 89 * 86400))
            batch.append(
                seed.video(
                    owner.pk,
                    created,
                    team_id=teams[owner.pk % len(teams)].pk,
                    completed_at=created + timedelta(seconds=random.uniform(20, 400)),
                )
            )
        made += Video.objects.bulk_create(batch)
    failed = made[::10]
    Video.objects.filter(pk__in=[v.pk for v in failed]).update(
        state=Video.State.FAILED, error_code=random.choice(["api_error", "forbidden"])
    )
    events = []
    for video in made:
        start = quota.period_bounds(video.created_at)[0]
        events.append(
            QuotaEvent(
                user_id=video.owner_id,
                team_id=video.team_id,
                video=video,
                kind="charge",
                amount=1,
                period_start=start,
            )
        )
    for video in failed:
        start = quota.period_bounds(video.created_at)[0]
        events.append(
            QuotaEvent(
                user_id=video.owner_id,
                team_id=video.team_id,
                video=video,
                kind="release",
                amount=-1,
                period_start=start,
            )
        )
    QuotaEvent.objects.bulk_create(events, batch_size=seed.BATCH)
    with connection.cursor() as cursor:
        for table in ("videos_video", "accounts_quotaevent"):
            cursor.execute(f"ANALYZE {table}")


def _export_ms(stack, cookie) -> tuple[float, int]:
    request = urllib.request.Request(
        f"{stack.url}/dashboard/export.csv?days=90", headers={"Cookie": cookie}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=300) as response:
        rows = sum(1 for _line in response) - 1
    return round((time.monotonic() - started) * 1000), rows


def run(stack, quick=False):
    import seed
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Membership, Team

    duration = 2.0 if quick else 5.0
    users = seed.users(1000, "dash")
    teams = Team.objects.bulk_create([Team(name=f"Team {n}") for n in range(TEAMS)])
    Membership.objects.bulk_create(
        [Membership(team=teams[u.pk % TEAMS], user=u, is_default=True) for u in users]
    )
    staff = get_user_model().objects.create_user("bench-staff", is_staff=True)
    # Production requires staff to have an authenticator app (STAFF_REQUIRE_MFA).
    TOTP.activate(staff, generate_totp_secret())
    client = Client()
    client.force_login(staff)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    request = {"path": "/dashboard/?days=90", "headers": {"Cookie": cookie}}
    results, have = {}, 0
    for size in SIZES:
        _grow(seed, users, teams, size - have)
        have = size
        figures = stack.load([request], connections=1, duration=duration)
        figures["queries"], figures["db_ms"] = stack.queries(request)
        results[size] = figures
        print(f"dashboard at {size}: {figures}", flush=True)
    export_ms, rows = _export_ms(stack, cookie)
    return table(results, duration, export_ms, rows), summary(results)


def summary(results: dict) -> list[tuple]:
    large = results[SIZES[-1]]
    counts = sorted({r["queries"] for r in results.values()})
    return [
        (
            f"usage dashboard (90 days) p50 at {SIZES[-1]:,} videos",
            f"{large['p50_ms']} ms (queries: {', '.join(map(str, counts))})",
            f"≤ {TARGET_MS} ms, constant queries",
            large["p50_ms"] <= TARGET_MS and len(counts) == 1,
        )
    ]


def table(results: dict, duration: float, export_ms: int, rows: int) -> str:
    lines = [
        "## The usage dashboard",
        "",
        f"Staff loading `/dashboard/?days=90` with one connection for {duration:g} s per size "
        "after a 0.5 s warm-up; 1,000 users in 20 teams, every video made within the 90 days "
        "(the worst case: every row is in range), a tenth failed and released. Queries and "
        "their time (db ms, median of five loads) counted server-side. Everything is "
        "aggregated in the database (GROUP BY day, team and state; PERCENTILE_CONT for the "
        "completion times), so the query count stays the same; their time grows with the "
        f"rows in range. Target: p50 ≤ {TARGET_MS} ms at 100,000 videos.",
        "",
        "| videos | p50 ms | p99 ms | queries | db ms |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, r in results.items():
        lines.append(
            f"| {size:,} | {r['p50_ms']} | {r['p99_ms']} | {r['queries']} | {r['db_ms']} |"
        )
    lines += [
        "",
        f"The CSV export of all {rows:,} jobs (streamed, one query): {export_ms:,} ms.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    harness.main(run, MARK)
