"""The one family of errors the services raise; each surface translates it once.

The REST API answers `{"detail", "code", ...extra}` with `status`; the pages put `message`
on the form; the gateway maps the class to AceDataCloud's code (gateway/jobs.py).
"""


class ServiceError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def extra(self) -> dict:
        """Fields an API answer carries besides detail and code."""
        return {}


class InvalidRequest(ServiceError):
    code = "invalid"

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        first = next(iter(fields.items()))
        super().__init__(f"{first[0]}: {first[1][0]}")

    def extra(self):
        return {"fields": self.fields}


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class UpstreamUnavailable(ServiceError):
    status = 502
    code = "upstream_unavailable"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InvalidCallback(ServiceError):
    code = "bad_callback"


class QuotaError(ServiceError):
    """One more job is not allowed now; videos/quota.py is the only place that raises it."""

    status = 429
    code = "quota_error"

    def __init__(
        self, message: str, resets_at=None, budget: str = "user", retry_after: int | None = None
    ):
        super().__init__(message)
        self.resets_at = resets_at
        # Which budget refused: user (the person's own allowance or share), team, or site.
        self.budget = budget
        # Seconds after which trying again may work (the API's Retry-After), if known.
        self.retry_after = retry_after

    def extra(self):
        extra = {"budget": self.budget}
        if self.resets_at:
            extra["resets_at"] = self.resets_at
        return extra


class QuotaExceeded(QuotaError):
    code = "quota_exceeded"


class TooManyInFlight(QuotaError):
    code = "too_many_in_flight"


class AccountNotReady(ServiceError):
    """The account may not make videos yet (email unconfirmed, sign-up awaiting approval).

    `code` says which: account_unverified or account_not_approved (accounts/standing.py).
    """

    status = 403
    code = "account_not_ready"
