"""deploy/: the systemd units and the Procfile run commands that exist, with arguments they take."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from tests.config.test_settings import PRODUCTION, _clean_environment

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy/systemd"
UNITS = sorted(SYSTEMD.glob("*.service"))
INSTALLED = "/opt/luma-studio"
GUNICORN_VARIABLES = (
    "WEB_BIND",
    "PORT",
    "WEB_PROCESSES",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "LIVE_BIND",
    "LIVE_PROCESSES",
)


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values]}} (keys may repeat; comments dropped)."""
    sections, current = {}, None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def service(path: Path) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_unit(path)["Service"].items()}


def command_line(exec_start: str) -> list[str]:
    """The command a unit runs, relative to the checkout (the venv's python or gunicorn)."""
    argv = shlex.split(exec_start)
    assert argv[0].startswith(f"{INSTALLED}/.venv/bin/"), argv[0]
    return [Path(argv[0]).name, *argv[1:]]


def check_manage_py(argv: list[str]):
    """`python manage.py NAME ARGS`: NAME is one of ours and its parser accepts ARGS."""
    assert argv[:2] == ["python", "manage.py"], argv
    name, args = argv[2], argv[3:]
    assert name in get_commands(), f"no such command: {name}"
    command = load_command_class(get_commands()[name], name)
    command.create_parser("manage.py", name).parse_args(args)  # SystemExit on a bad argument
    return name, args


def test_there_is_a_unit_for_the_web_server_and_each_worker_type():
    commands = {unit.name: command_line(service(unit)["ExecStart"]) for unit in UNITS}

    assert commands == {
        "luma-studio-web.service": [
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi",
        ],
        "luma-studio-live.service": [
            "gunicorn",
            "-c",
            "deploy/gunicorn-live.conf.py",
            "config.asgi",
        ],
        "luma-studio-worker.service": [
            "python",
            "manage.py",
            "run_worker",
            "--queue-name",
            "default",
        ],
        "luma-studio-media-worker.service": [
            "python",
            "manage.py",
            "run_worker",
            "--queue-name",
            "media",
            "--no-sweep-timer",
        ],
    }


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_restarts_on_failure_and_stops_gracefully(unit):
    options = service(unit)

    assert options["Restart"] == "on-failure"
    assert options["KillSignal"] == "SIGTERM"  # graceful for gunicorn and for the worker
    assert options["WorkingDirectory"] == INSTALLED
    assert options["EnvironmentFile"] == "/etc/luma-studio/luma-studio.env"
    assert options["RuntimeDirectory"] == "luma-studio/metrics"
    assert parse_unit(unit)["Install"]["WantedBy"] == ["luma-studio.target"]


def test_stop_timeouts_leave_each_process_time_to_finish_its_current_work():
    timeouts = {unit.name: int(service(unit)["TimeoutStopSec"]) for unit in UNITS}
    gunicorn = _load_gunicorn_config({})

    assert timeouts["luma-studio-web.service"] > gunicorn["graceful_timeout"]
    live = _load_gunicorn_config({}, "deploy/gunicorn-live.conf.py")
    assert timeouts["luma-studio-live.service"] > live["graceful_timeout"]
    # A submission: connect + read timeout of the upstream call (5 + 30 s by default).
    assert timeouts["luma-studio-worker.service"] > 35
    # A media copy may take minutes; the unit says to keep it above the copy's deadline.
    assert timeouts["luma-studio-media-worker.service"] >= 600
    for name in ("web", "live"):
        assert service(SYSTEMD / f"luma-studio-{name}.service")["KillMode"] == "mixed"


@pytest.mark.parametrize("unit", [u for u in UNITS if "worker" in u.name], ids=lambda p: p.name)
def test_the_worker_units_run_a_command_that_accepts_their_arguments(unit):
    name, args = check_manage_py(command_line(service(unit)["ExecStart"]))

    assert name == "run_worker"


def test_the_procfile_runs_the_same_processes_and_migrates_on_release():
    entries = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    commands = {kind: shlex.split(text) for kind, text in entries.items()}

    assert set(commands) == {"release", "web", "live", "worker", "media"}
    assert check_manage_py(commands["release"]) == ("migrate", ["--noinput"])
    assert commands["web"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"]
    assert commands["live"] == command_line(
        service(SYSTEMD / "luma-studio-live.service")["ExecStart"]
    )
    for kind in ("worker", "media"):
        systemd_unit = "luma-studio-worker" if kind == "worker" else "luma-studio-media-worker"
        unit_argv = command_line(service(SYSTEMD / f"{systemd_unit}.service")["ExecStart"])
        assert commands[kind] == unit_argv
        check_manage_py(commands[kind])


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_itself_finds_nothing_wrong_with_the_units(tmp_path):
    for unit in SYSTEMD.iterdir():
        text = unit.read_text().replace(INSTALLED, str(ROOT))
        text = text.replace(
            "/etc/luma-studio/luma-studio.env", str(ROOT / "deploy/luma-studio.env.example")
        )
        (tmp_path / unit.name).write_text(text)
    if not (ROOT / ".venv/bin/gunicorn").exists():
        pytest.skip("the checkout has no .venv for the units' commands to point at")

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_environment_file_example_names_only_settings_the_site_knows():
    names = {
        line.split("=", 1)[0]
        for line in (ROOT / "deploy/luma-studio.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )

    assert names <= documented, names - documented
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "METRICS_TOKEN", "LOG_FORMAT"} <= names


def _load_gunicorn_config(env: dict, path="deploy/gunicorn.conf.py") -> dict:
    code = (
        f"import runpy, json; c = runpy.run_path({path!r}); "
        "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'threads', 'worker_class', "
        "'graceful_timeout')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_environment(dict.fromkeys(GUNICORN_VARIABLES, "") | env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_reads_its_processes_and_threads_from_the_environment():
    default = _load_gunicorn_config({})
    tuned = _load_gunicorn_config(
        {"WEB_PROCESSES": "5", "WEB_THREADS": "12", "WEB_BIND": "0.0.0.0:9000"}
    )
    platform = _load_gunicorn_config({"WEB_CONCURRENCY": "2", "PORT": "5000"})

    assert default == {
        "bind": "127.0.0.1:8000",
        "workers": 3,
        "threads": 8,
        "worker_class": "gthread",
        "graceful_timeout": 30,
    }
    assert (tuned["workers"], tuned["threads"], tuned["bind"]) == (5, 12, "0.0.0.0:9000")
    assert (platform["workers"], platform["bind"]) == (2, "0.0.0.0:5000")


def test_the_live_processes_run_uvicorn_workers_on_their_own_address():
    default = _load_gunicorn_config({}, "deploy/gunicorn-live.conf.py")
    tuned = _load_gunicorn_config(
        {"LIVE_PROCESSES": "4", "LIVE_BIND": "0.0.0.0:9001", "WEB_BIND": "0.0.0.0:9000"},
        "deploy/gunicorn-live.conf.py",
    )

    assert default["worker_class"] == "uvicorn_worker.UvicornWorker"
    assert (default["bind"], default["workers"]) == ("127.0.0.1:8001", 2)
    assert (tuned["bind"], tuned["workers"]) == ("0.0.0.0:9001", 4)


@pytest.mark.slow
@pytest.mark.parametrize(
    "config, app",
    [("deploy/gunicorn.conf.py", "config.wsgi"), ("deploy/gunicorn-live.conf.py", "config.asgi")],
)
def test_gunicorn_accepts_the_configuration_and_loads_the_site_in_production_mode(config, app):
    result = subprocess.run(
        [str(ROOT / ".venv/bin/gunicorn"), "--check-config", "-c", config, app],
        cwd=ROOT,
        env=_clean_environment(PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout
