"""Who is calling: `Authorization: Bearer <personal API token>`, as AceDataCloud clients send."""

from accounts.api_tokens import user_for_key
from videos.wire import bearer_token

from .errors import GatewayError


def user_for(request):
    """Return the active user owning the bearer token, or raise AceDataCloud's 401.

    A missing header is answered like a wrong one (invalid_token, 401) rather than with
    AceDataCloud's no_token 400: every client reports a 401 as a token problem.
    The token itself is never logged or echoed.
    """
    key = bearer_token(request.headers.get("Authorization"), max_length=100)
    if key is None:
        raise GatewayError("invalid_token")
    user = user_for_key(key)
    if user is None:  # unknown, revoked, expired, or its owner deactivated
        raise GatewayError("invalid_token")
    return user
