"""Take away everything that lets someone in as a user: API tokens and signed-in sessions.

Run when a password changes or is reset (the old one may be known to someone else) and when
staff deactivate an account. Sessions are ended through allauth's record of them
(usersessions); Django also refuses a session whose password hash is stale or whose user
is inactive, which covers sessions begun before that record existed.
"""

import logging

from allauth.core import context
from allauth.usersessions.models import UserSession

from . import api_tokens

logger = logging.getLogger(__name__)


def _current_session_key(user) -> str:
    """The session of the request making this change, when it is the user's own."""
    request = context.request
    if request is None or getattr(request, "user", None) is None:
        return ""
    if getattr(request.user, "pk", None) != user.pk or not hasattr(request, "session"):
        return ""
    return request.session.session_key or ""


def revoke_access(user, keep_current_session: bool = True) -> int:
    """Delete the user's API tokens and end their sessions; return how many tokens went.

    The session of the request doing it is kept when it is the user's own (changing your
    own password keeps you signed in where you changed it).
    """
    tokens = api_tokens.revoke_all(user)
    keep = _current_session_key(user) if keep_current_session else ""
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep):
        session.end()
    logger.info("Revoked %s API tokens and the sessions of user %s", tokens, user.pk)
    return tokens
