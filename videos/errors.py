"""Errors the video services raise; the API and pages turn them into messages."""


class ServiceError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidRequest(ServiceError):
    code = "invalid"

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        first = next(iter(fields.items()))
        super().__init__(f"{first[0]}: {first[1][0]}")


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
