"""`manage.py run_simulator`: starts, prints its address, serves, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[3]


def test_run_simulator_serves_until_sigterm_then_exits_cleanly(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    log = (tmp_path / "stderr.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "run_simulator",
            "--port",
            "0",
            "--delay",
            "0",
            "--token",
            "cmd-token",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert "Luma simulator listening on http://127.0.0.1:" in first_line, (
            first_line + (tmp_path / "stderr.log").read_text()
        )
        base_url = first_line.split(" on ")[1].split()[0]

        session = requests.Session()
        session.trust_env = False
        response = session.post(
            f"{base_url}/luma/videos",
            json={"prompt": "A cat"},
            headers={"authorization": "Bearer cmd-token"},
            timeout=5,
        )
        assert response.json()["state"] == "completed"

        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    assert process.returncode == 0, (tmp_path / "stderr.log").read_text()
    assert "stopped" in rest
    assert "cmd-token" not in (tmp_path / "stderr.log").read_text()
