"""Keep credentials out of log lines that quote a request's path."""

import logging
import re

# The callback URL's last segment is the job's credential (see videos.webhooks).
CALLBACK_SECRET = re.compile(r"(/webhooks/acedata/[0-9a-fA-F-]{36}/)[^/\s\"']+")


class RedactCallbackSecrets(logging.Filter):
    """Replace the secret in /webhooks/acedata/<id>/<secret>/ with [secret]."""

    def filter(self, record):
        message = record.getMessage()
        redacted = CALLBACK_SECRET.sub(r"\1[secret]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
