"""A person's language and time zone: saved on their account, applied to every page.

The signed-in user is loaded with them (accounts.login_guard.GuardedBackend.get_user), so
applying them costs no query, and a choice made on one device reaches every other at once.
They are written when the person chooses on the profile or with the language switcher, and
their emails use the saved language too. The REST API follows Accept-Language instead: a
script says which language it wants on each request.
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone, translation

from .models import Preferences


@cache
def time_zones() -> list[str]:
    """Every IANA time zone a person may pick, sorted."""
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def of(user) -> Preferences:
    """The user's preferences (an unsaved blank row if they never chose)."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def save(request, **choices) -> Preferences:
    """Save what the person chose; it applies from their next request."""
    prefs, _created = Preferences.objects.update_or_create(user=request.user, defaults=choices)
    request.user.preferences = prefs
    return prefs


def apply(request) -> None:
    """Switch this request to the signed-in person's language and time zone, if they chose."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    chosen = of(user)
    if chosen.language and chosen.language in dict(settings.LANGUAGES):
        translation.activate(chosen.language)
        request.LANGUAGE_CODE = translation.get_language()
    if chosen.time_zone and chosen.time_zone in time_zones():
        timezone.activate(zoneinfo.ZoneInfo(chosen.time_zone))


def chosen_language(user) -> str:
    """The language this person chose on their account, or "" if they did not."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return of(user).language


def language_for(user) -> str:
    """The language to write to this person in (their emails): theirs, else the site's."""
    return chosen_language(user) or settings.LANGUAGE_CODE
