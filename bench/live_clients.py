"""Many slow clients at once, in a process of their own (loopback only): bench/live.py's load.

    .venv/bin/python bench/live_clients.py spec.json   # writes spec["out"] (JSON), then exits

Modes:
  calls    POST /luma/videos synchronously, all at once; record each answer's status and state.
  streams  open GET /events/ streams (a session cookie each); touch spec["ready"] once all are
           open; record when each job's `ended` event arrives (time.time(), per stream).
  pollers  poll GET /api/v1/videos/<id>/ every `period` seconds from a random phase, as
           today's video page does once its back-off reached its cap; record when each
           poller first sees its job completed.
"""

import asyncio
import json
import random
import sys
import time
from pathlib import Path

import httpx


async def calls(spec, client):
    async def one(token, n):
        try:
            response = await client.post(
                "/luma/videos",
                json={"prompt": f"Waiting call {n}", "aspect_ratio": "1:1"},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            return {"status": response.status_code, "state": body.get("state")}
        except (httpx.HTTPError, ValueError) as exc:
            return {"status": 0, "state": type(exc).__name__}

    tokens = spec["tokens"]
    return await asyncio.gather(*(one(tokens[n % len(tokens)], n) for n in range(spec["count"])))


async def streams(spec, client):
    arrived: list[dict] = []
    opened = asyncio.Event()
    open_count = 0
    expected = spec["expected"]  # `ended` events in all

    async def one(cookie, index):
        nonlocal open_count
        headers = {"Cookie": f"sessionid={cookie}", "Accept": "text/event-stream"}
        async with client.stream("GET", "/events/", headers=headers) as response:
            assert response.status_code == 200, response.status_code
            kind = None
            async for line in response.aiter_lines():
                if line.startswith("retry:"):
                    open_count += 1
                    if open_count == len(spec["cookies"]):
                        opened.set()
                elif line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind == "ended":
                    video = json.loads(line[5:])["id"]
                    arrived.append({"stream": index, "video": video, "at": time.time()})
                    if len(arrived) >= expected:
                        return

    tasks = [asyncio.create_task(one(c, i)) for i, c in enumerate(spec["cookies"])]
    await asyncio.wait_for(opened.wait(), 60)
    Path(spec["ready"]).touch()
    await asyncio.wait(tasks, timeout=spec["timeout"])
    for task in tasks:
        task.cancel()
    return arrived


async def pollers(spec, client):
    seen: list[dict] = []

    async def one(token, video, index):
        await asyncio.sleep(random.uniform(0, spec["period"]))
        while True:
            response = await client.get(
                f"/api/v1/videos/{video}/", headers={"Authorization": f"Token {token}"}
            )
            if response.json().get("state") == "completed":
                seen.append({"stream": index, "video": video, "at": time.time()})
                return
            await asyncio.sleep(spec["period"])

    jobs = spec["jobs"]  # [[token, video id], ...], one per poller
    tasks = [asyncio.create_task(one(t, v, i)) for i, (t, v) in enumerate(jobs)]
    Path(spec["ready"]).touch()
    await asyncio.wait(tasks, timeout=spec["timeout"])
    return seen


async def main(spec):
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(spec.get("timeout", 600), connect=30)
    async with httpx.AsyncClient(base_url=spec["url"], timeout=timeout, limits=limits) as client:
        return await {"calls": calls, "streams": streams, "pollers": pollers}[spec["mode"]](
            spec, client
        )


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    Path(spec["out"]).write_text(json.dumps(asyncio.run(main(spec))))
