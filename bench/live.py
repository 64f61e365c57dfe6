"""Live updates and waiting gateway calls on the ASGI processes; pages under ASGI vs WSGI.

pages:    the same API page (GET /api/v1/videos/, token) served by the threaded web
          processes (gunicorn gthread) and by the live processes (gunicorn, uvicorn
          workers), the same number of processes each: which should serve ordinary pages.
waits:    1,000 synchronous POST /luma/videos calls at once against the live processes,
          then finished by AceDataCloud's callbacks: all answered, none refused; memory
          per waiting call; page p50 on the web processes (and on the live ones) while they
          wait, against idle.
push:     500 open streams (100 people, 5 tabs each); each person's job is finished by
          its callback: from the callback to the `ended` event in every stream, p50 and
          p99; and today's page (polling every 10 s once its back-off has reached its cap)
          measured the same way.

    .venv/bin/python bench/live.py [--quick]

Django and the project's modules are imported inside functions (bench/harness.py sets
the environment up first).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

MARK = "<!-- live -->"
CONNECTIONS = 8
TARGETS = {"push_p99_s": 1.0, "page_slowdown": 1.5}


def start_live(stack) -> int:
    port = harness.free_port()
    env = {**os.environ, "LIVE_BIND": f"127.0.0.1:{port}", "LIVE_PROCESSES": "2"}
    env.pop("WEB_SERVER", None)
    stack.live = subprocess.Popen(
        [str(harness.ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn-live.conf.py"]
        + ["config.asgi"],
        cwd=harness.ROOT,
        env=env,
        stdout=open(stack.tmp / "live.log", "ab"),  # noqa: SIM115 - the child owns it
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack.procs.append(stack.live)
    harness.wait_http(f"http://127.0.0.1:{port}/healthz")
    time.sleep(1)
    return port


def rss_kb(stack) -> int:
    return sum(harness.vm_kb(pid, "VmRSS") for pid in harness.children(stack.live.pid))


def clients(stack, spec: dict, wait_ready=False) -> tuple[subprocess.Popen, Path]:
    name = spec["mode"]
    spec = {**spec, "out": str(stack.tmp / f"{name}.out"), "ready": str(stack.tmp / f"{name}.ok")}
    path = stack.tmp / f"{name}.json"
    path.write_text(json.dumps(spec))
    script = str(harness.ROOT / "bench/live_clients.py")
    proc = subprocess.Popen([sys.executable, script, str(path)])
    if wait_ready:
        deadline = time.monotonic() + 90
        while not Path(spec["ready"]).exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} clients did not get ready")
            time.sleep(0.1)
    return proc, Path(spec["out"])


def finish(proc, out: Path, timeout=600):
    proc.wait(timeout=timeout)
    return json.loads(out.read_text())


def page_requests(seed, users):
    from videos.models import Video

    seed.videos([u.pk for u in users], len(users) * 5, state=Video.State.COMPLETED)
    return [
        {"path": "/api/v1/videos/", "headers": {"Authorization": f"Token {u.token}"}} for u in users
    ]


def compare_pages(stack, pages, live_port, rounds, duration) -> tuple[dict, dict]:
    """Alternate which server goes first, so drift on a busy machine hits both alike."""
    runs = {"wsgi": [], "asgi": []}
    for i in range(rounds):
        order = [("wsgi", None), ("asgi", live_port)]
        for side, port in order if i % 2 == 0 else order[::-1]:
            runs[side].append(stack.load(pages, CONNECTIONS, duration, port=port))
    return tuple(
        {
            "rps": round(sum(r["requests"] for r in rs) / sum(r["seconds"] for r in rs), 1),
            "p50_ms": round(sorted(r["p50_ms"] for r in rs)[len(rs) // 2], 2),
            "p99_ms": round(sorted(r["p99_ms"] for r in rs)[len(rs) // 2], 2),
        }
        for rs in (runs["wsgi"], runs["asgi"])
    )


def sessions(users) -> list[str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.login_guard.GuardedBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def held_jobs(stack, users) -> dict:
    """One job per person, accepted by the simulator and held: {video id: task id}."""
    from videos import services
    from videos.models import Video

    stack.sim.delay = 10**6
    jobs = {}
    for user in users:
        video = services.submit(user, {"prompt": "A heron lifts off the lake"})
        services.dispatch(video.pk)
        jobs[str(video.pk)] = Video.objects.get(pk=video.pk).task_id
    return jobs


def send_all(pks: list, timeout: float = 300) -> dict:
    """Send every one of these jobs upstream; {video id: task id}.

    dispatch() sends the owner's *next* job in line, which need not be the one it is given,
    and the stack's worker may be sending some of them meanwhile: go on until every one
    has its task id.
    """
    from videos import line, services
    from videos.models import Video

    jobs = Video.objects.filter(pk__in=pks)
    deadline = time.monotonic() + timeout
    while True:
        for pk in line.waiting(jobs).values_list("pk", flat=True):
            services.dispatch(pk)
        sent = dict(jobs.filter(task_id__isnull=False).values_list("pk", "task_id"))
        if len(sent) == len(pks):
            return sent
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pks) - len(sent)} of {len(pks)} jobs were never sent")
        time.sleep(0.2)


def call_back_all(stack, jobs: dict, per_second: float) -> dict:
    """The simulator finishes each job and calls back; when each callback left: {video: t}."""
    sent = {}
    for video, task in jobs.items():
        sent[video] = time.time()
        stack.sim.complete_now(task)
        time.sleep(1 / per_second)
    return sent


def percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        raise RuntimeError("no measurement arrived: see the live processes' log")
    values = sorted(values)
    return values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.99))]


def run(stack, quick=False) -> tuple[str, list]:
    import seed
    from django.conf import settings

    # bench/run.py runs this on a fresh stack in a process whose settings were read for an
    # earlier one: point the jobs made here at this stack's site and simulator.
    settings.PUBLIC_BASE_URL = stack.url
    settings.ACEDATACLOUD_BASE_URL = stack.sim.base_url
    live_port = start_live(stack)
    duration = 4.0 if quick else 8.0
    print("pages", flush=True)
    readers = seed.users(20, "reader")
    pages = page_requests(seed, readers)
    wsgi, asgi = compare_pages(stack, pages, live_port, 2 if quick else 3, duration)
    print(f"  wsgi {wsgi}\n  asgi {asgi}", flush=True)

    print("waits", flush=True)
    count = 200 if quick else 1000
    callers = seed.users(count // 2, "caller")  # two calls each: the per-person cap
    idle_kb = rss_kb(stack)
    stack.sim.delay = 10**6
    proc, out = clients(
        stack,
        {
            "mode": "calls",
            "url": f"http://127.0.0.1:{live_port}",
            "count": count,
            "tokens": [u.token for u in callers],
            "timeout": 900,
        },  # fmt: skip
    )
    from videos.models import GatewayJob, Video

    deadline = time.monotonic() + 300
    while GatewayJob.objects.filter(waiting_until__isnull=False).count() < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the calls did not all start waiting")
        time.sleep(0.5)
    time.sleep(1)
    waiting_kb = rss_kb(stack)
    busy_wsgi = stack.load(pages, CONNECTIONS, duration)
    busy_asgi = stack.load(pages, CONNECTIONS, duration, port=live_port)
    print(f"  busy wsgi {busy_wsgi}\n  busy asgi {busy_asgi}", flush=True)
    waiting = list(
        Video.objects.filter(gateway_job__waiting_until__isnull=False).values_list("pk", flat=True)
    )
    call_back_all(stack, send_all(waiting), 200)
    answers = finish(proc, out)
    ok = sum(1 for a in answers if a["status"] == 200 and a["state"] == "completed")
    refused = sum(1 for a in answers if a["status"] in (429, 503))

    print("push", flush=True)
    people, tabs = (40, 5) if quick else (100, 5)
    watchers = seed.users(people, "watcher")
    cookies = [c for c in sessions(watchers) for _ in range(tabs)]
    jobs = held_jobs(stack, watchers)
    proc, out = clients(
        stack,
        {
            "mode": "streams",
            "url": f"http://127.0.0.1:{live_port}",
            "cookies": cookies,
            "expected": people * tabs,
            "timeout": 120,
        },  # fmt: skip
        wait_ready=True,
    )
    time.sleep(1)
    sent = call_back_all(stack, jobs, 20)
    push = [a["at"] - sent[a["video"]] for a in finish(proc, out)]

    print("polling", flush=True)
    pollers = seed.users(people, "poller")
    jobs = held_jobs(stack, pollers)
    by_owner = dict(zip((u.pk for u in pollers), jobs, strict=True))
    token = {u.pk: u.token for u in pollers}
    proc, out = clients(
        stack,
        {
            "mode": "pollers",
            "url": stack.url,
            "period": 10.0,
            "timeout": 120,
            "jobs": [[token[o], v] for o, v in by_owner.items() for _ in range(tabs)],
        },  # fmt: skip
        wait_ready=True,
    )
    time.sleep(11)  # every poller is past its random first delay
    sent = call_back_all(stack, jobs, 20)
    polled = [a["at"] - sent[a["video"]] for a in finish(proc, out)]

    figures = {
        "pages": (wsgi, asgi, busy_wsgi, busy_asgi),
        "waits": (count, len(answers), ok, refused, (waiting_kb - idle_kb) / count),
        "push": (len(push), people * tabs, *percentiles(push)),
        "polled": (len(polled), *percentiles(polled)),
    }
    return table(figures, quick), rows(figures)


def rows(f) -> list[tuple]:
    wsgi, _, busy_wsgi, _ = f["pages"]
    slowdown = busy_wsgi["p50_ms"] / wsgi["p50_ms"]
    count, answered, ok, refused, _ = f["waits"]
    _, _, _, p99 = f["push"]
    return [
        ("synchronous calls answered", f"{ok} of {count}", f"all {count}", ok == count),
        ("page p50 while they wait vs idle", f"{slowdown:.2f}x", "≤ 1.5x", slowdown <= 1.5),
        ("push p99, callback to screen", f"{p99:.2f} s", "≤ 1 s", p99 <= TARGETS["push_p99_s"]),
    ]


def table(f, quick) -> str:
    wsgi, asgi, busy_wsgi, busy_asgi = f["pages"]
    count, answered, ok, refused, kb = f["waits"]
    got, expected, p50, p99 = f["push"]
    polled_n, poll50, poll99 = f["polled"]
    return f"""## Live updates, waiting calls, and pages under ASGI

`bench/live.py`{" --quick" if quick else ""}: two threaded web processes (gthread, 2 × 4) and
two live processes (`deploy/gunicorn-live.conf.py`: uvicorn workers), PostgreSQL's
LISTEN/NOTIFY, the simulator in-process, the clients in processes of their own.

**Which processes serve pages.** The same API page (`GET /api/v1/videos/`, token auth),
{CONNECTIONS} connections:

| served by | requests/s | p50 | p99 |
|---|---|---|---|
| web processes (WSGI, gthread) | {wsgi["rps"]} | {wsgi["p50_ms"]} ms | {wsgi["p99_ms"]} ms |
| live processes (ASGI, uvicorn) | {asgi["rps"]} | {asgi["p50_ms"]} ms | {asgi["p99_ms"]} ms |

Under ASGI, Django runs each synchronous view (every page and API call) in a thread
handed over per request, with its database connection opened and closed per request:
{asgi["rps"] / wsgi["rps"]:.2f}× the threaded throughput here.
So the proxy sends only `/events/` and `/luma/videos` to the live processes and everything
else to the threaded ones (README, Production): the waits cost those no thread, and pages
keep the threaded processes' persistent connections.

**{count} synchronous calls waiting at once** on the live processes, then finished by
callbacks: {answered} answered, {ok} with their video, {refused} refused.
Memory per waiting call: {kb:.1f} KB (the live processes' resident memory while they wait,
less idle, per call). Page p50 while they wait: {busy_wsgi["p50_ms"]} ms on the web processes
({busy_wsgi["p50_ms"] / wsgi["p50_ms"]:.2f}× idle), {busy_asgi["p50_ms"]} ms on the live ones
({busy_asgi["p50_ms"] / asgi["p50_ms"]:.2f}× idle).

**Result to screen.** {expected} open streams ({expected // 5} people, 5 tabs each); each
person's job finished by its callback, 20 a second: {got} of {expected} `ended` events
arrived; from the callback leaving the simulator to the event in the stream, p50
{p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms. Today's page measured the same way (polling
every 10 s, its back-off's cap, from a random phase; {polled_n} pollers): p50
{poll50 * 1000:.0f} ms, p99 {poll99 * 1000:.0f} ms.
"""


if __name__ == "__main__":
    harness.main(lambda stack, quick: run(stack, quick), MARK)
