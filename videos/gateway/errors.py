"""The gateway's one error type, carrying an AceDataCloud error code and its HTTP status."""

from videos.wire import DOCUMENTED_ERRORS as ERRORS


class GatewayError(Exception):
    """An answer in AceDataCloud's error shape; status defaults to the code's documented one."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
    ):
        documented_status, documented_message = ERRORS.get(code, (500, "Internal server error."))
        self.code = code
        self.trace_id = trace_id
        self.message = message or documented_message
        self.status = status or documented_status
        super().__init__(self.message)


def bad_request(message: str | None = None) -> GatewayError:
    return GatewayError("bad_request", message)
