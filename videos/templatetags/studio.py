"""Small filters and tags for the studio's templates (and the profile's quota meter)."""

from datetime import datetime, timedelta

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from videos import dashboard, events, failures, line
from videos.models import Video
from videos.quota import quota_status

register = template.Library()


@register.inclusion_tag("includes/quota_meter.html")
def quota_meter(user):
    """The user's allowance this period, for pages outside the studio (the profile)."""
    return {"quota": quota_status(user)}


@register.inclusion_tag("videos/_my_usage.html")
def my_usage(user):
    """The user's ledger this period and a chart of their videos per day (the profile)."""
    return {"usage": dashboard.personal(user)}


@register.simple_tag
def live_events_url() -> str:
    """Where a page opens its live updates stream; empty where pages poll (SQLite)."""
    return reverse("videos:events") if events.pushing() else ""


@register.simple_tag(takes_context=True)
def failure_text(context, video):
    """What went wrong with the video (or holds it up), in the reader's language."""
    user = getattr(context.get("request"), "user", None)
    return failures.for_video(video, for_staff=bool(user and user.is_staff))


@register.filter
def state_label(state: str) -> str:
    """A job state's name in the page's language (the tree's nodes carry only the value)."""
    return Video.State(state).label if state in Video.State.values else state


@register.filter
def seconds_between(start: datetime | None, end: datetime | None = None) -> int:
    """Whole seconds from start to end (default: now), never negative."""
    if start is None:
        return 0
    return max(int(((end or timezone.now()) - start).total_seconds()), 0)


@register.filter
def age(when: datetime | None) -> str:
    """How long ago, as a list reads it: "just now" under a minute, never "0 minutes ago"."""
    if when is None:
        return ""
    if seconds_between(when) < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(when)}


@register.filter
def duration(seconds) -> str:
    """Say a number of seconds the short way people read it: 45 s, 3 min 5 s, 2 h 10 min."""
    try:
        seconds = int(seconds.total_seconds() if isinstance(seconds, timedelta) else seconds)
    except (TypeError, ValueError):
        return ""
    minutes, secs = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    # The same words as static/js/video-page.js writes while the page ticks.
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)d s") % {"seconds": secs}


@register.filter
def line_label(place) -> str:
    """A waiting job's place, as the page says it: "waiting, 2nd in line"."""
    return line.label(int(place)) if place else ""
