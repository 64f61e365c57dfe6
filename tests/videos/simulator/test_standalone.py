"""The simulator needs nothing but the standard library and the wire format (videos/wire.py).

Imported in a fresh interpreter where Django and requests cannot be imported at all, it
still starts, answers a job with AceDataCloud's body and serves its video.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import importlib.abc, json, sys, urllib.request

BLOCKED = ("django", "requests", "rest_framework", "urllib3")

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Blocker())

from videos.simulator import Simulator

with Simulator(token="t", delay=0) as sim:
    request = urllib.request.Request(
        sim.base_url + "/luma/videos",
        data=json.dumps({"prompt": "A fox"}).encode(),
        headers={"authorization": "Bearer t", "content-type": "application/json"},
    )
    body = json.load(urllib.request.urlopen(request, timeout=10))
    video = urllib.request.urlopen(body["video_url"], timeout=10).read()
    print(body["state"], video[4:8].decode(), len(video) > 1000)
print(sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
"""


def test_the_simulator_starts_and_serves_with_django_and_requests_blocked():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["completed ftyp True", "[]"]
