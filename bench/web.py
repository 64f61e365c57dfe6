"""Submit and webhook throughput against the bare stack, served by the same gunicorn.

submit:  POST /api/v1/videos/ (token auth, validation, the quota lock, the row, its ledger
         charge, the dispatch task enqueued) vs POST /bench/insert/ (token auth, one INSERT).
         The load is spread over 50 users, so the per-user quota lock contends as in a team.
         The upstream call is the worker's, after commit: it is not in this figure.
webhook: POST /webhooks/acedata/<id>/<secret>/ completing a distinct processing job each
         time (secret check, compare-and-set, the media copy task enqueued) vs
         POST /bench/update/<pk>/ (one UPDATE by primary key).
Rounds alternate which side goes first, so drift on a busy machine hits both alike.

    .venv/bin/python bench/web.py [--quick]

Django and the project's modules are imported inside functions: they may be imported only
after the harness has pointed the environment at the benchmark database and called
django.setup() (bench/harness.py), which a module-level import would run before.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

CONNECTIONS = 8
TEAM = 50
JOBS_PER_SECOND = 900  # distinct webhook targets per second of load, so none repeats
TARGETS = {"submit": 0.5, "webhook": 0.7}
MARK = "<!-- web -->"


def _submit_requests(users) -> tuple[list, list]:
    body = {"prompt": "A fox runs through fresh snow at dawn", "aspect_ratio": "16:9"}
    project, baseline = [], []
    for user in users:
        headers = {"Authorization": f"Token {user.token}"}
        project.append({"method": "POST", "path": "/api/v1/videos/", "headers": headers})
        baseline.append({"method": "POST", "path": "/bench/insert/", "headers": headers})
    for request in project + baseline:
        request["body"] = body
    return project, baseline


def _callback_body(video) -> dict:
    return {
        "success": True,
        "task_id": video.task_id,
        "video_id": f"v-{video.task_id}",
        "prompt": video.prompt,
        "state": "completed",
        "video_url": f"http://127.0.0.1:9/luma/{video.task_id}.mp4",
        "video_width": 1360,
        "video_height": 752,
        "thumbnail_url": f"http://127.0.0.1:9/luma/{video.task_id}.jpg",
        "thumbnail_width": 1360,
        "thumbnail_height": 752,
        "trace_id": "bench",
    }


def _webhook_requests(seed, users, count: int) -> tuple[list, list]:
    from django.utils import timezone

    from bench.baseline.models import Row
    from videos.models import MediaState, Video

    jobs = seed.videos(
        [u.pk for u in users],
        count,
        state=Video.State.PROCESSING,
        video_id="",
        video_url="",
        thumbnail_url="",
        video_width=None,
        video_height=None,
        media_state=MediaState.NONE,
        submitted_at=timezone.now(),
        completed_at=None,
    )
    rows = Row.objects.bulk_create([Row(owner_id=job.owner_id) for job in jobs], batch_size=2000)
    project, baseline = [], []
    for job, row in zip(jobs, rows, strict=True):
        body = _callback_body(job)
        path = f"/webhooks/acedata/{job.pk}/{job.callback_secret}/"
        project.append({"method": "POST", "path": path, "body": body})
        baseline.append({"method": "POST", "path": f"/bench/update/{row.pk}/", "body": body})
    return project, baseline


def _compare(stack, project: list, baseline: list, rounds: int, duration: float) -> dict:
    """Alternate baseline and project runs; each round's requests are fresh (a slice)."""
    runs = {"project": [], "baseline": []}
    per_round = len(project) // rounds
    for i in range(rounds):
        part = slice(i * per_round, (i + 1) * per_round)
        order = [("baseline", baseline), ("project", project)]
        for side, requests in order if i % 2 == 0 else order[::-1]:
            result = stack.load(requests[part], CONNECTIONS, duration)
            runs[side].append(result)
            print(f"  {side}: {result}", flush=True)
    return {side: _combine(results) for side, results in runs.items()}


def _combine(results: list[dict]) -> dict:
    n = len(results)
    return {
        "requests": sum(r["requests"] for r in results),
        "rps": round(sum(r["requests"] for r in results) / sum(r["seconds"] for r in results), 1),
        "p50_ms": round(sum(r["p50_ms"] for r in results) / n, 2),
        "p99_ms": round(sum(r["p99_ms"] for r in results) / n, 2),
    }


def run(stack, quick=False) -> str:
    import seed

    rounds, duration = (1, 4.0) if quick else (2, 6.0)
    team = seed.users(TEAM, "team")
    results = {}
    print("submit", flush=True)
    project, baseline = _submit_requests(team)
    results["submit"] = _compare(stack, project * rounds, baseline * rounds, rounds, duration)
    results["submit"]["queries"] = (stack.queries(project[0], 1), stack.queries(baseline[0], 1))
    print("webhook", flush=True)
    count = int(JOBS_PER_SECOND * (duration + 1)) * rounds + 2
    project, baseline = _webhook_requests(seed, team, count)
    results["webhook"] = _compare(stack, project[:-2], baseline[:-2], rounds, duration)
    results["webhook"]["queries"] = (stack.queries(project[-1], 1), stack.queries(baseline[-1], 1))
    rows = [
        (
            f"{name} throughput vs baseline",
            f"{r['project']['rps'] / r['baseline']['rps']:.2f}x",
            f"≥ {TARGETS[name]}x",
            r["project"]["rps"] / r["baseline"]["rps"] >= TARGETS[name],
        )
        for name, r in results.items()
    ]
    return table(results, rounds, duration), rows


def table(results: dict, rounds: int, duration: float) -> str:
    lines = [
        "## Submit and webhook against the bare stack",
        "",
        f"{CONNECTIONS} connections, {rounds} round(s) of {duration:g} s per side after a "
        "0.5 s warm-up, baseline and project alternating. Submit is spread over 50 users "
        "and measures the web side only (row, quota charge, dispatch enqueued; the worker "
        "calls the upstream later). Each webhook completes a different processing job.",
        "",
        "| benchmark | project req/s | baseline req/s | throughput ratio | project p50 / p99 ms "
        "| baseline p50 / p99 ms | queries (project / baseline) | target | result |",
        "|---|---:|---:|---:|---|---|---|---:|---|",
    ]
    for name, r in results.items():
        p, b = r["project"], r["baseline"]
        ratio = p["rps"] / b["rps"]
        (pq, pms), (bq, bms) = r["queries"]
        met = "met" if ratio >= TARGETS[name] else "**missed**"
        lines.append(
            f"| {name} | {p['rps']} | {b['rps']} | {ratio:.2f}x | {p['p50_ms']} / {p['p99_ms']} "
            f"| {b['p50_ms']} / {b['p99_ms']} | {pq} ({pms} ms) / {bq} ({bms} ms) "
            f"| ≥ {TARGETS[name]}x | {met} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    harness.main(run, MARK)
