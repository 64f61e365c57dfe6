"""Run every benchmark (the scrape cost on a database of its own); write docs/benchmarks.md.

    .venv/bin/python bench/run.py            # the full run (about 8 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # shorter measurements (about 3 minutes)

Each benchmark also runs alone and updates only its own marked section of the file:
bench/lists.py, bench/web.py, bench/metrics.py, bench/dashboard.py, bench/sweep.py,
bench/media_copy.py, bench/account_forms.py, bench/live.py, bench/bulk_zip.py.
"""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import account_forms  # noqa: E402
import dashboard  # noqa: E402
import harness  # noqa: E402
import lists  # noqa: E402
import live  # noqa: E402
import metrics  # noqa: E402
import sweep  # noqa: E402
import web  # noqa: E402

DOC = harness.ROOT / "docs/benchmarks.md"
MEDIA = "<!-- media-copy -->"
BULK_ZIP = "<!-- bulk-zip -->"
# Hand-written findings (causes, fixes, why a target is out of reach), kept across runs.
NOTES = "<!-- notes -->"


def memory(stack, worker: dict) -> str:
    rows = [
        (f"gunicorn worker (pid {pid})", stack.web_idle_kb[pid], harness.vm_kb(pid))
        for pid in stack.web_workers()
        if pid in stack.web_idle_kb
    ]
    rows.append(("`run_worker` process", worker["idle_kb"], worker["peak_kb"]))
    lines = [
        "## Peak memory",
        "",
        "Peak RSS (VmHWM). A web worker's idle figure is read after boot (it may have served "
        "the one readiness request), its peak after every web benchmark above; the worker's "
        "idle figure after 3 s of empty sweeps, its peak after the sweep's recovery "
        "and the copies.",
        "",
        "| process | idle (MB) | peak (MB) | peak / idle |",
        "|---|---:|---:|---:|",
    ]
    for name, idle, peak in rows:
        lines.append(f"| {name} | {idle / 1024:.1f} | {peak / 1024:.1f} | {peak / idle:.2f}x |")
    return "\n".join(lines)


def setup(quick: bool, minutes: float, machine: str, rows: list[tuple]) -> str:
    command = ".venv/bin/python bench/run.py" + (" --quick" if quick else "")
    lines = [
        f"Command: `{command}` ({minutes:.1f} minutes). Machine: {machine}.",
        "",
        f"One gunicorn (`--worker-class gthread --workers {harness.WORKERS} --threads "
        f"{harness.THREADS}`, production settings: DEBUG off) serves the project and the "
        "bare-stack baseline (`bench/baseline/`) together, on a fresh PostgreSQL database "
        "dropped afterwards; the AceDataCloud simulator runs in-process with no delay. The "
        "load comes from `bench/load.py`, a closed-loop client in its own process on "
        "loopback (keep-alive connections; latency from send to the last byte). Ratios are "
        "what count: the machine is shared, and two cores carry the server, PostgreSQL and "
        "the client at once.",
        "",
        "| target | measured | wanted | result |",
        "|---|---|---|---|",
    ]
    for what, figure, wanted, met in rows:
        lines.append(f"| {what} | {figure} | {wanted} | {'met' if met else '**missed**'} |")
    return "\n".join(lines)


def main():
    quick = "--quick" in sys.argv
    started = time.monotonic()
    with harness.Stack() as stack:
        machine = harness.machine()
        print("== lists", flush=True)
        lists_text, rows = lists.run(stack, quick)
        print("== submit and webhook", flush=True)
        web_text, web_rows = web.run(stack, quick)
        print("== account forms", flush=True)
        accounts_text, accounts_rows = account_forms.run(stack, quick)
        print("== sweep", flush=True)
        worker = sweep.run(stack, quick)
        memory_text = memory(stack, worker)
    print("== live updates and waiting calls", flush=True)
    with harness.Stack() as stack:  # its own live processes and thousands of rows
        live_text, live_rows = live.run(stack, quick)
    print("== metrics scrape", flush=True)
    with harness.Stack() as stack:  # a fresh database: the scrape's cost is per table size
        metrics_text, metrics_rows = metrics.run(stack, quick)
    print("== usage dashboard", flush=True)
    with harness.Stack() as stack:  # a fresh database: every video within the 90 days
        dashboard_text, dashboard_rows = dashboard.run(stack, quick)
    # Memory benchmarks: each size in a fresh process, each writing its own section.
    for name, sizes in (
        ("media_copy", "1,50" if quick else "1,200"),
        ("bulk_zip", "1,20" if quick else "1,100"),
    ):
        print(f"== {name}", flush=True)
        subprocess.run(
            [sys.executable, f"bench/{name}.py", "--sizes", sizes, "--write", str(DOC)],
            cwd=harness.ROOT,
            check=True,
        )
    rows = (
        web_rows
        + rows
        + metrics_rows
        + dashboard_rows
        + accounts_rows
        + live_rows
        + sweep.summary(worker)
    )
    minutes = (time.monotonic() - started) / 60
    parts = [
        ("<!-- setup -->", setup(quick, minutes, machine, rows)),
        (NOTES, harness.section(DOC, NOTES)),
        (web.MARK, web_text),
        (lists.MARK, lists_text),
        (metrics.MARK, metrics_text),
        (dashboard.MARK, dashboard_text),
        (account_forms.MARK, accounts_text),
        (live.MARK, live_text),
        (sweep.MARK, sweep.table(worker)),
        ("<!-- memory -->", memory_text),
        (MEDIA, harness.section(DOC, MEDIA)),
        (BULK_ZIP, harness.section(DOC, BULK_ZIP)),
    ]
    body = "\n\n".join(f"{mark}\n{text}\n{mark}" for mark, text in parts if text)
    DOC.write_text(f"# Benchmarks\n\nWritten by `bench/run.py`; see the README.\n\n{body}\n")
    print(f"wrote {DOC} in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
