"""The abuse throttle on new jobs, shared by the REST API and the gateway (not quota)."""

from accounts.throttles import RateFromSettings


class SubmitThrottle(RateFromSettings):
    """New jobs per user, shared by the API's create and extend and the gateway."""

    scope = "submit"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def submit_wait(request, user) -> float | None:
    """For the gateway (not DRF): None if `user` may submit now, else seconds to wait."""
    request.user = user
    throttle = SubmitThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1.0
