"""Keep credentials out of log lines, whatever writes them, and write lines for machines.

The callback URL's last segment is a job's credential (see videos.webhooks), and Django,
the web server and tracebacks all quote request paths. So the secret is cut out three times
over: a filter on the loggers that quote paths (django.request, django.server), the
formatters every handler uses (plain text and JSON: they redact the finished line, so an
exception's text or an extra field is covered too), and gunicorn's access log
(`GunicornLogger`, used by deploy/gunicorn.conf.py).

LOG_FORMAT=json writes one JSON object per line (python-json-logger): time, level, logger,
message, and any extra fields; a Django request becomes its method and (redacted) path.
"""

import json
import logging
import logging.config
import re
from datetime import UTC, datetime

from gunicorn.glogging import Logger as GunicornBaseLogger
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

CALLBACK_SECRET = re.compile(r"(/webhooks/acedata/[0-9a-fA-F-]{36}/)[^/\s\"'?]+")
REDACTED = r"\1[secret]"


def configure(config: dict) -> None:
    """Django's LOGGING_CONFIG: apply LOGGING, and send Python's warnings through it too.

    Otherwise a warning is written to stderr as two bare lines, breaking one JSON object per
    line (and skipping the redaction).
    """
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def redact(text: str) -> str:
    """Replace the secret in every /webhooks/acedata/<id>/<secret>/ of text with [secret]."""
    return CALLBACK_SECRET.sub(REDACTED, text)


class RedactCallbackSecrets(logging.Filter):
    """Replace the secret in /webhooks/acedata/<id>/<secret>/ with [secret]."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingFormatter(logging.Formatter):
    """A plain text line, with every callback secret in it (traceback included) redacted."""

    def format(self, record):
        return redact(super().format(record))


def _request_fields(request) -> dict | None:
    """What a log line may keep of a Django request: its method and redacted path."""
    method = getattr(request, "method", None)
    get_full_path = getattr(request, "get_full_path", None)
    if method is None or get_full_path is None:
        return None  # e.g. the development server's socket: nothing worth keeping
    return {"method": method, "path": redact(get_full_path())}


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line, every callback secret in it redacted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data):
        if "request" in log_data:
            fields = _request_fields(log_data.pop("request"))
            if fields:
                log_data["request"] = fields
        log_data.pop("server_time", None)  # runserver's duplicate of the time
        return super().process_log_record(log_data)

    def format(self, record):
        return redact(super().format(record))


JSON_FORMAT = "%(levelname)s %(name)s %(message)s"
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# What a JSON access line of gunicorn holds: gunicorn's atoms, by readable names.
ACCESS_FIELDS = {
    "h": "remote",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "f": "referer",
    "a": "user_agent",
    "M": "duration_ms",
}


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger, with callback secrets cut out of access lines and LOG_FORMAT=json.

    Set `log_format = "json"` on it (deploy/gunicorn.conf.py does, from LOG_FORMAT) for one
    JSON object per access line and JSON error lines.
    """

    log_format = "plain"

    def setup(self, cfg):
        super().setup(cfg)
        # uvicorn's workers (the live processes) write lines of their own through these
        # handlers: cut secrets out of those too.
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.addFilter(RedactCallbackSecrets())
        if self.log_format == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter(JSON_FORMAT))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }

    def access(self, resp, req, environ, request_time):
        if self.log_format != "json":
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        line = {"time": datetime.now(UTC).isoformat(timespec="milliseconds")}
        line |= {name: atoms.get(atom) for atom, name in ACCESS_FIELDS.items()}
        try:
            self.access_log.info(json.dumps(line))
        except Exception:
            self.error(f"Failed to log the request {line['method']} {line['path']}")
        return None
