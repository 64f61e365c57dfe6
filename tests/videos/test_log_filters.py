"""Log lines: one per event, JSON for machines, never a callback secret whatever writes them."""

import json
import logging
import sys
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from gunicorn.config import Config

from tests.config.test_settings import manage
from videos.log_filters import GunicornLogger, JsonFormatter, RedactingFormatter

SECRET = "Zm9vYmFyLXNlY3JldC1jcmVkZW50aWFs"
HOOK = f"/webhooks/acedata/{uuid.uuid4()}/{SECRET}/"


def record(msg, *args, exc=None, **extra):
    entry = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, exc)
    entry.__dict__.update(extra)
    return entry


def _exc_info():
    try:
        raise ValueError(f"could not handle {HOOK}")
    except ValueError:
        return sys.exc_info()


def test_the_json_formatter_writes_one_object_per_line_with_the_usual_fields():
    line = JsonFormatter("%(levelname)s %(name)s %(message)s").format(record("Job %s done", "j1"))

    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "Job j1 done"
    assert data["level"] == "WARNING" and data["logger"] == "django.request"
    assert data["time"].startswith("20")


def test_the_json_formatter_keeps_a_requests_method_and_path_without_its_secret():
    request = RequestFactory().post(HOOK + "?x=1")
    line = JsonFormatter().format(record("Bad Request: %s", HOOK, request=request, status_code=400))

    data = json.loads(line)
    assert SECRET not in line
    assert data["request"] == {
        "method": "POST",
        "path": HOOK.replace(SECRET, "[secret]") + "?x=1",
    }
    assert data["status_code"] == 400
    assert data["message"] == f"Bad Request: {HOOK.replace(SECRET, '[secret]')}"


def test_the_json_formatter_redacts_a_traceback_and_drops_a_server_socket():
    line = JsonFormatter().format(record("boom", exc=_exc_info(), request=object()))

    data = json.loads(line)
    assert SECRET not in line and "[secret]" in data["exc_info"]
    assert "request" not in data


def test_the_plain_formatter_redacts_the_message_and_the_traceback():
    text = RedactingFormatter("%(levelname)s %(message)s").format(
        record("Forbidden: %s", HOOK, exc=_exc_info())
    )

    assert SECRET not in text
    assert text.count("[secret]") == 2


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_the_sites_logging_writes_the_chosen_format_without_secrets(log_format):
    code = f"import logging; logging.getLogger('videos').warning('Job failed at %s', '{HOOK}')"

    result = manage("shell", "-v", "0", "-c", code, LOG_FORMAT=log_format)

    [line] = [line for line in result.stderr.splitlines() if "Job failed" in line]
    assert SECRET not in result.stderr and "[secret]" in line
    if log_format == "json":
        assert json.loads(line)["logger"] == "videos"


@pytest.mark.slow
def test_an_unknown_log_format_stops_the_start_with_a_clear_message():
    result = manage("check", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json" in result.stderr


# --- gunicorn's access log --------------------------------------------------------------------
def _gunicorn_logger(log_format):
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set(
        "access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s"'
    )  # the request line and referer quote paths
    logger_class = type("Logger", (GunicornLogger,), {"log_format": log_format})
    return logger_class(cfg)


def _access(logger):
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": HOOK,
        "PATH_INFO": HOOK,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": f"https://upstream.example{HOOK}",
    }
    response = SimpleNamespace(status="200 OK", sent=17, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_gunicorns_access_lines_never_carry_a_callback_secret(log_format, capsys):
    _access(_gunicorn_logger(log_format))

    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert SECRET not in out and "[secret]" in out
    if log_format == "json":
        line = json.loads(out)
        assert line["path"] == HOOK.replace(SECRET, "[secret]")
        assert (line["method"], line["status"], line["bytes"]) == ("POST", "200", 17)
        assert line["duration_ms"] == 12
