"""A small closed-loop HTTP load generator, run in its own process (loopback only).

    .venv/bin/python bench/load.py spec.json   # prints one JSON line of results

The spec names the port, the connections, a time limit and a request cap, and a list of
requests. Threads share one cursor over the list, so a list of distinct requests (one per
webhook) is walked once in order and only wraps if the run outlasts it. Each connection
keeps its socket alive; a request is timed from send to the last byte of the answer.
"""

import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def run(spec: dict) -> dict:
    requests = spec["requests"]
    cursor = itertools.count()  # next() on a count is atomic under the GIL
    warm_until = time.perf_counter() + spec.get("warmup", 0.0)
    stop_at = warm_until + spec["duration"]
    cap = spec.get("max_requests", 10**7)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=30)
        mine, codes = [], Counter()
        while True:
            n = next(cursor)
            now = time.perf_counter()
            if now >= stop_at or n >= cap:
                break
            req = requests[n % len(requests)]
            body = json.dumps(req["body"]).encode() if "body" in req else None
            headers = dict(req.get("headers", {}))
            if body is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                conn.request(req.get("method", "GET"), req["path"], body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            if started >= warm_until:
                mine.append(time.perf_counter() - started)
                codes[status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=worker) for _ in range(spec["connections"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = min(time.perf_counter(), stop_at) - warm_until
    latencies.sort()
    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)
    return {
        "requests": len(latencies),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(seconds, 3),
        "rps": round(len(latencies) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
