"""GET /api/v1/videos/ and the My videos page as the table grows to 100,000 videos.

1,000 users. The measured user ("typical") keeps the same 40 videos at every size, so only
everyone else's rows grow; a second user ("heavy") owns a tenth of all videos, so the
growth of one's own list shows too. The table is ANALYZEd after each growth, as autovacuum
would. Each URL is loaded for a fixed time; one extra request counts its queries.

    .venv/bin/python bench/lists.py [--quick]

Django and the project's modules are imported inside functions: they may be imported only
after the harness has pointed the environment at the benchmark database and called
django.setup() (bench/harness.py), which a module-level import would run before.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SIZES = (100, 10_000, 100_000)
OWN = 40
TARGET = 1.5
CONNECTIONS = 1  # one: with more, which gunicorn process each lands on decides p50
MARK = "<!-- lists -->"


def _sessions(users) -> dict:
    from django.test import Client

    cookies = {}
    for user in users:
        client = Client()
        client.force_login(user)
        cookies[user.pk] = client.cookies["sessionid"].value
    return cookies


def _grow(seed, users, total: int, have: dict):
    from django.db import connection

    typical, heavy, others = users[0], users[1], [u.pk for u in users[2:]]
    want = {typical.pk: OWN, heavy.pk: total // 10}
    want["others"] = total - sum(want.values())
    for key, owners in ((typical.pk, [typical.pk]), (heavy.pk, [heavy.pk]), ("others", others)):
        missing = want[key] - have.get(key, 0)
        if missing > 0:
            seed.videos(owners, missing)
        have[key] = want[key]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE videos_video")


def _targets(users, cookies) -> dict:
    targets = {}
    for who, user in (("typical", users[0]), ("heavy", users[1])):
        targets[("API", who)] = {
            "path": "/api/v1/videos/",
            "headers": {"Authorization": f"Token {user.token}"},
        }
        targets[("page", who)] = {
            "path": "/videos/",
            "headers": {"Cookie": f"sessionid={cookies[user.pk]}"},
        }
    return targets


def run(stack, quick=False) -> str:
    import seed

    duration = 2.0 if quick else 5.0
    users = seed.users(1000, "member")
    targets = _targets(users, _sessions(users[:2]))
    have, results = {}, {}
    for size in SIZES:
        _grow(seed, users, size, have)
        for key, request in targets.items():
            figures = stack.load([request], connections=CONNECTIONS, duration=duration)
            figures["queries"], figures["db_ms"] = stack.queries(request)
            figures["own"] = OWN if key[1] == "typical" else size // 10
            results[(*key, size)] = figures
            print(f"list {key} at {size}: {figures}", flush=True)
    return table(results, duration), summary(results)


def summary(results: dict) -> list[tuple]:
    """(what, figure, target, met) for the typical user's lists."""
    small, large = SIZES[0], SIZES[-1]
    rows = []
    for surface in ("API", "page"):
        a, b = results[(surface, "typical", small)], results[(surface, "typical", large)]
        ratio = b["p50_ms"] / a["p50_ms"]
        counts = sorted({results[(surface, "typical", s)]["queries"] for s in SIZES})
        rows.append(
            (
                f"{surface} list p50, {large:,} / {small:,} videos",
                f"{ratio:.2f}x (queries: {', '.join(map(str, counts))})",
                f"≤ {TARGET}x, constant queries",
                ratio <= TARGET and len(counts) == 1,
            )
        )
    return rows


def table(results: dict, duration: float) -> str:
    small, large = SIZES[0], SIZES[-1]
    lines = [
        "## Lists as the table grows (1,000 users)",
        "",
        f"{CONNECTIONS} connections, {duration:g} s per URL and size after a 0.5 s warm-up; "
        "the first page (20 in the API, 12 on the page). *typical*: a user with 40 videos at every "
        "size; *heavy*: a user owning a tenth of all videos. Queries and their time (db ms, "
        "median of five requests) counted server-side.",
        "",
        "| list | user | videos in table | user's own | req/s | p50 ms | p99 ms | queries "
        "| db ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (surface, who, size), r in results.items():
        lines.append(
            f"| {surface} | {who} | {size:,} | {r['own']:,} | {r['rps']} | {r['p50_ms']} | "
            f"{r['p99_ms']} | {r['queries']} | {r['db_ms']} |"
        )
    lines += [
        "",
        f"| list | user | p50 at {large:,} / at {small:,} | p99 ratio | db ms ratio | queries "
        f"{small:,} → {large:,} | target p50 ≤ {TARGET}x, constant queries |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for surface in ("API", "page"):
        for who in ("typical", "heavy"):
            a, b = results[(surface, who, small)], results[(surface, who, large)]
            ratio = b["p50_ms"] / a["p50_ms"]
            p99 = b["p99_ms"] / a["p99_ms"]
            db = b["db_ms"] / a["db_ms"]
            steady = len({results[(surface, who, s)]["queries"] for s in SIZES}) == 1
            met = "met" if ratio <= TARGET and steady else "**missed**"
            if who == "heavy":
                met += " (own list grows 1,000x; informational)"
            lines.append(
                f"| {surface} | {who} | {ratio:.2f}x | {p99:.2f}x | {db:.2f}x | "
                f"{a['queries']} → {b['queries']} | {met} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    harness.main(run, MARK)
