"""The worker recovering 1,000 in-flight jobs whose callbacks were lost, and its memory.

The simulator holds 1,000 finished tasks made with `[sim:lost-callback]` (no callback ever
comes); matching processing rows are written in bulk. A real `manage.py run_worker`
(POLL_AFTER_SECONDS=0) then finds them on its next sweep: we count the /luma/tasks calls
the simulator received, time the sweep that did it (its task's started/finished stamps)
and the wall time until every job is completed, then let the worker copy the 1,000 videos
and their thumbnails. Its peak RSS is read before the jobs exist (idle) and after.

    .venv/bin/python bench/sweep.py [--quick]

Django and the project's modules are imported inside functions: they may be imported only
after the harness has pointed the environment at the benchmark database and called
django.setup() (bench/harness.py), which a module-level import would run before.
"""

import contextlib
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

JOBS = 1000
MAX_CALLS = 20
MARK = "<!-- sweep -->"


def _lost_tasks(stack, count: int) -> list[str]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {harness.TOKEN}"
    body = {"prompt": "Lost in the post [sim:lost-callback]", "callback_url": stack.url + "/x/"}
    ids = []
    for _ in range(count):
        answer = session.post(f"{stack.sim.base_url}/luma/videos", json=body, timeout=10)
        ids.append(answer.json()["task_id"])
    return ids


def _quiet_queue():
    """Leave nothing else for the worker: earlier benchmarks' jobs and queued tasks."""
    from django_tasks_db.models import DBTaskResult

    from videos.models import MediaState, Video

    DBTaskResult.objects.all().delete()
    Video.objects.filter(state__in=Video.IN_FLIGHT_STATES).delete()
    Video.objects.exclude(media_state=MediaState.NONE).update(media_state=MediaState.NONE)


def _wait(predicate, timeout: float, step: float = 0.1) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError("the worker did not finish in time")
        time.sleep(step)
    return time.monotonic() - started


def run(stack, quick=False) -> dict:
    import seed
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from videos.models import MediaState, Video

    _quiet_queue()
    owners = [u.pk for u in seed.users(10, "late")]
    task_ids = _lost_tasks(stack, JOBS)
    worker = stack.spawn(
        [sys.executable, "manage.py", "run_worker", "--sweep-interval=1", "--interval=0.2"],
        "worker",
    )
    time.sleep(3)
    idle = harness.vm_kb(worker.pid)
    calls_before = stack.sim.requests_count("/luma/tasks")
    now = timezone.now()
    processing = dict(
        state=Video.State.PROCESSING,
        video_id="",
        video_url="",
        thumbnail_url="",
        submitted_at=now,
        completed_at=None,
    )
    made = Video.objects.bulk_create(
        [
            seed.video(owners[i % len(owners)], now, task_id=task_id, **processing)
            for i, task_id in enumerate(task_ids)
        ]
    )
    jobs = Video.objects.filter(pk__in=[v.pk for v in made])
    wall = _wait(lambda: jobs.filter(state=Video.State.COMPLETED).count() == JOBS, 120)
    calls = stack.sim.requests_count("/luma/tasks") - calls_before
    sweep = (
        DBTaskResult.objects.filter(task_path="videos.sweep.sweep_task", return_value__polled=JOBS)
        .order_by("-finished_at")
        .first()
    )
    budget = 15 if quick else 300
    started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        _wait(lambda: not jobs.exclude(media_state=MediaState.DONE).exists(), budget, 0.5)
    copying = time.monotonic() - started
    copied = jobs.filter(media_state=MediaState.DONE).count()
    peak = harness.vm_kb(worker.pid)
    harness.kill_group(worker)
    return {
        "jobs": JOBS,
        "calls": calls,
        "sweep_s": (sweep.finished_at - sweep.started_at).total_seconds() if sweep else None,
        "wall_s": wall,
        "copy_s": copying,
        "copied": copied,
        "idle_kb": idle,
        "peak_kb": peak,
    }


def summary(r: dict) -> list[tuple]:
    return [
        (
            f"upstream calls to recover {r['jobs']:,} jobs",
            f"{r['calls']} ({r['sweep_s']:.1f} s sweep)" if r["sweep_s"] else str(r["calls"]),
            f"≤ {MAX_CALLS}",
            r["calls"] <= MAX_CALLS,
        )
    ]


def table(r: dict) -> str:
    met = "met" if r["calls"] <= MAX_CALLS else "**missed**"
    sweep = f"{r['sweep_s']:.2f}" if r["sweep_s"] is not None else "n/a"
    return "\n".join(
        [
            "## The worker reconciling lost callbacks",
            "",
            f"{r['jobs']:,} processing jobs whose callbacks never came, picked up by one "
            "`manage.py run_worker` (sweep every 1 s, POLL_AFTER_SECONDS=0).",
            "",
            "| jobs | /luma/tasks calls | target | the sweep that polled them (s) "
            "| rows written to all completed, wall (s) | then media copies: videos copied in (s) |",
            "|---:|---:|---|---:|---:|---:|",
            f"| {r['jobs']:,} | {r['calls']} | ≤ {MAX_CALLS}: {met} | {sweep} | "
            f"{r['wall_s']:.2f} | {r['copied']:,} in {r['copy_s']:.1f} |",
            "",
            "The wall time includes waiting up to a second for the next sweep. The copies "
            "(video and thumbnail from the simulator, one task each) run in the same worker "
            "afterwards; `--quick` stops watching them after 15 s.",
        ]
    )


if __name__ == "__main__":
    with harness.Stack() as stack:
        result = run(stack, "--quick" in sys.argv)
    print(result)
    harness.write_section(harness.ROOT / "docs/benchmarks.md", MARK, table(result))
