"""Password guessing: after LOGIN_MAX_FAILURES failed sign-ins for one username from one
address within LOGIN_LOCKOUT_SECONDS, refuse that pair until the window ends.

Counted in the cache (shared by every web process when CACHE_URL names Redis). The key is
the username as typed, whether or not such a user exists, so a lockout reveals nothing
about who has an account. The backend refuses a locked pair everywhere authenticate() is
used (the login page, the admin's login, the API's token endpoint); the login page also
says so plainly, with HTTP 429.
"""

import hashlib
import math

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver


def _key(username, request) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    who = f"{str(username or '').strip().lower()}\x00{address}"
    return "login-failures:" + hashlib.sha256(who.encode()).hexdigest()


def failures(username, request) -> int:
    return cache.get(_key(username, request), 0)


def is_locked(username, request) -> bool:
    return failures(username, request) >= settings.LOGIN_MAX_FAILURES


def lockout_message() -> str:
    minutes = max(math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60), 1)
    return (
        "Too many failed sign-in attempts. For your account's safety, sign-in is paused "
        f"for up to {minutes} minutes; try again later or reset your password."
    )


def record_failure(username, request) -> None:
    key = _key(username, request)
    # add() starts the window; incr() keeps its expiry, so the window is fixed, not sliding.
    if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def reset(username, request) -> None:
    cache.delete(_key(username, request))


class GuardedModelBackend(ModelBackend):
    """Django's ModelBackend, refusing a username and address that are locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get("username")
        if is_locked(name, request):
            # PermissionDenied stops authenticate() from trying further backends.
            raise PermissionDenied(lockout_message())
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    record_failure(credentials.get("username"), request)


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    if request is not None:
        reset(user.get_username(), request)
