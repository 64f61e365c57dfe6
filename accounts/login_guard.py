"""Password guessing: after LOGIN_MAX_FAILURES failed sign-ins for one username from one
address within LOGIN_LOCKOUT_SECONDS, refuse that pair until the window ends.

Counted in the default cache, which every web process shares (Redis with CACHE_URL, else
the database in production). The key is what was typed (a username or an email address),
whether or not such a user exists, so a lockout reveals nothing about who has an account.
The backend refuses a locked pair everywhere authenticate() is used (the login page, which
the admin's login sends people to, and the API's token endpoint); the login page also says
so plainly, with HTTP 429. The address is the client's (accounts/addresses.py).
"""

import hashlib
import math

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import ngettext

from .addresses import client_address


def _key(username, request) -> str:
    address = client_address(request) if request is not None else ""
    who = f"{str(username or '').strip().lower()}\x00{address}"
    return "login-failures:" + hashlib.sha256(who.encode()).hexdigest()


def failures(username, request) -> int:
    return cache.get(_key(username, request), 0)


def is_locked(username, request) -> bool:
    return failures(username, request) >= settings.LOGIN_MAX_FAILURES


def lockout_message() -> str:
    minutes = max(math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60), 1)
    return ngettext(
        "Too many failed sign-in attempts. For your account's safety, sign-in is paused "
        "for up to %(minutes)d minute; try again later or reset your password.",
        "Too many failed sign-in attempts. For your account's safety, sign-in is paused "
        "for up to %(minutes)d minutes; try again later or reset your password.",
        minutes,
    ) % {"minutes": minutes}


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


def _typed_login(credentials) -> str:
    """What the person typed to say who they are: allauth passes it as email or username."""
    return credentials.get("username") or credentials.get("email") or ""


class GuardedBackend(AuthenticationBackend):
    """allauth's backend (username or email, then password), refusing a locked-out pair.

    Each request's user comes with their language and time zone (accounts/preferences.py)
    in the same query.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("preferences")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, **credentials):
        if is_locked(_typed_login(credentials), request):
            # PermissionDenied stops authenticate() from trying further backends.
            raise PermissionDenied(lockout_message())
        return super().authenticate(request, **credentials)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    record_failure(_typed_login(credentials), request)


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    if request is not None:
        # People sign in by username or by email; either may have been counted.
        for login in {user.get_username(), user.email}:
            if login:
                reset(login, request)
