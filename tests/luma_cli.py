"""Run the real `luma` CLI (PyPI luma-pro-cli, a dev requirement) against a local server."""

import json
import os
import subprocess
import sys
from pathlib import Path

LUMA = Path(sys.executable).with_name("luma")


def cli(base_url: str, token: str, cwd: Path, timeout: float):
    """Return run(*args) -> CompletedProcess, with the CLI pointed at base_url."""
    assert LUMA.exists(), "the luma CLI is missing: pip install -r requirements-dev.txt"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACEDATACLOUD_", "LUMA_"))
    }
    env.update(
        ACEDATACLOUD_API_BASE_URL=base_url,  # no trailing slash: the CLI appends paths
        ACEDATACLOUD_API_TOKEN=token,
        LUMA_REQUEST_TIMEOUT=str(int(timeout)),
        COLUMNS="1000",  # rich must not wrap the JSON it prints
        NO_COLOR="1",
    )

    def run(*args):
        # A temp cwd, because the CLI loads ./.env.
        return subprocess.run(
            [str(LUMA), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout + 30,
        )

    return run


def output_json(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)
