"""Quota: what a user may still make, charged and released through one ledger.

Every rule about quota lives here, and `lock_and_check` is the one place it is enforced
(videos.services.create_job calls it under the allowance's row lock).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts.models import Allowance

from .errors import QuotaExceeded, TooManyInFlight
from .line import waiting as waiting_in_line
from .models import QuotaEvent, Video

# A hint for a client refused for having too many jobs in flight: about a job's length.
IN_FLIGHT_RETRY_SECONDS = 30


@dataclass(frozen=True)
class QuotaStatus:
    limit: int
    used: int
    in_flight: int
    max_in_flight: int
    period: str
    period_start: datetime
    resets_at: datetime
    # Jobs beyond max_in_flight wait in line (videos/line.py), at most this many.
    max_waiting: int = 0
    # Of in_flight, the jobs waiting in line rather than being made.
    waiting: int = 0

    @property
    def out(self) -> int:
        """Jobs being made now: sent upstream or about to be."""
        return self.in_flight - self.waiting

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def can_submit(self) -> bool:
        return self.remaining > 0 and not self.paused and not self.line_full

    @property
    def paused(self) -> bool:
        """Staff set the cap to none at once: nothing may start or wait."""
        return self.max_in_flight == 0

    @property
    def line_full(self) -> bool:
        return self.in_flight >= self.max_in_flight + self.max_waiting

    @property
    def waits(self) -> bool:
        """Whether a job accepted now would wait in line: the cap is reached."""
        return self.in_flight >= self.max_in_flight

    @property
    def period_label(self) -> str:
        """The period in the reader's language, as in "this month"."""
        return str(PERIOD_LABELS.get(self.period, self.period))


# The quota periods, as a sentence says them ("this month", "本月").
PERIOD_LABELS = {
    "day": pgettext_lazy("quota period, as in 'this day'", "day"),
    "week": pgettext_lazy("quota period, as in 'this week'", "week"),
    "month": pgettext_lazy("quota period, as in 'this month'", "month"),
}


def period_bounds(now: datetime | None = None, period: str | None = None):
    """Return (start, end) of the quota period containing now, in the site's time zone.

    Always the site's (TIME_ZONE), never the one a person picked for their pages: everyone's
    allowance resets at the same moment.
    """
    period = period or settings.QUOTA_PERIOD
    tz = timezone.get_default_timezone()
    local = timezone.localtime(now or timezone.now(), tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        start = day
        end = start + timedelta(days=1)
    elif period == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    # Rebuild from naive wall time so a DST change inside the period is respected.
    return (
        timezone.make_aware(start.replace(tzinfo=None), tz),
        timezone.make_aware(end.replace(tzinfo=None), tz),
    )


def get_allowance(user) -> Allowance:
    allowance, _created = Allowance.objects.get_or_create(user=user)
    return allowance


def _count(videos):
    return videos.order_by().values("owner").annotate(count=Count("pk")).values("count")


def _usage(user, period_start) -> tuple[int, int, int, int]:
    """This period's usage, the jobs in flight, those of them waiting in line and the
    videos granted on request, read together in one statement."""
    lines = QuotaEvent.objects.filter(user=OuterRef("pk"), period_start=period_start)
    charges = lines.usage().order_by().values("user").annotate(total=Sum("amount")).values("total")
    mine = Video.objects.filter(owner=OuterRef("pk"), deleted_at__isnull=True)
    running = _count(mine.in_flight())
    queued = _count(waiting_in_line(mine))
    grants = (
        lines.filter(kind=QuotaEvent.Kind.GRANT, budget="user")
        .order_by()
        .values("user")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            used=Coalesce(Subquery(charges, output_field=IntegerField()), 0),
            running=Coalesce(Subquery(running, output_field=IntegerField()), 0),
            queued=Coalesce(Subquery(queued, output_field=IntegerField()), 0),
            granted=Coalesce(Subquery(grants, output_field=IntegerField()), 0),
        )
        .values_list("used", "running", "queued", "granted")
        .get()
    )


def quota_status(user, now=None, allowance: Allowance | None = None) -> QuotaStatus:
    allowance = allowance or get_allowance(user)
    start, end = period_bounds(now)
    used, in_flight, queued, granted = _usage(user, start)
    return QuotaStatus(
        limit=allowance.limit + granted,
        used=used,
        in_flight=in_flight,
        max_in_flight=allowance.in_flight_cap,
        period=settings.QUOTA_PERIOD,
        period_start=start,
        resets_at=end,
        max_waiting=settings.QUOTA_MAX_WAITING,
        waiting=queued,
    )


def lock_and_check(user, now=None, count: int = 1) -> QuotaStatus:
    """Lock the user's allowance row and raise unless `count` more jobs are allowed (all or none).

    Jobs beyond the in-flight cap are allowed: they wait in line (videos/line.py); only a
    full line refuses.

    Call inside transaction.atomic(); the lock is held until it commits, so
    concurrent submissions by one user are checked one after another. A job's team and site
    budgets are checked around this by videos/budgets.py.
    """
    # One statement locks (or creates) the row, and the status reuses it: two fewer queries
    # per submission. Usage is read by later statements, so it sees every committed charge.
    allowance, _created = Allowance.objects.select_for_update().get_or_create(user=user)
    status = quota_status(user, now, allowance)
    if 0 < status.remaining < count:
        raise QuotaExceeded(
            ngettext(
                "You asked for %(count)d videos but have %(remaining)d left this %(period)s.",
                "You asked for %(count)d videos but have %(remaining)d left this %(period)s.",
                status.remaining,
            )
            % {"count": count, "remaining": status.remaining, "period": status.period_label},
            resets_at=status.resets_at,
        )
    if status.remaining <= 0:
        raise QuotaExceeded(
            _(
                "You have used all %(limit)d videos of this %(period)s. Your allowance "
                "resets at %(when)s."
            )
            % {
                "limit": status.limit,
                "period": status.period_label,
                "when": moment(status.resets_at),
            }
            + " "
            + _("To make more, ask the site's staff."),
            resets_at=status.resets_at,
            budget="user",
            retry_after=max(1, math.ceil((status.resets_at - timezone.now()).total_seconds())),
        )
    if status.max_in_flight == 0:  # an allowance of none at once: staff paused the account
        raise TooManyInFlight(_("Making videos is paused for your account by an administrator."))
    waiting = max(status.in_flight - status.max_in_flight, 0)
    if status.in_flight + count > status.max_in_flight + status.max_waiting:
        raise TooManyInFlight(
            ngettext(
                "Your line is full: %(waiting)d video is waiting behind the %(most)d in "
                "progress. Try again when one has finished.",
                "Your line is full: %(waiting)d videos are waiting behind the %(most)d in "
                "progress. Try again when one has finished.",
                waiting,
            )
            % {"waiting": waiting, "most": status.max_in_flight},
            retry_after=IN_FLIGHT_RETRY_SECONDS,
        )
    return status


def moment(when: datetime) -> str:
    """A date and time as a person reads it: their language's format, and the time zone."""
    local = timezone.localtime(when)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def charge(video: Video, period_start) -> QuotaEvent:
    """Charge a new job to every budget it counts against: its owner's, its team's, the site's."""
    return QuotaEvent.objects.create(
        user_id=video.owner_id,
        team_id=video.team_id,
        video=video,
        kind=QuotaEvent.Kind.CHARGE,
        amount=1,
        period_start=period_start,
        reason=f"{video.action} accepted",
    )


def reason_text(event: QuotaEvent) -> str:
    """A ledger line's reason as the reader reads it. The stored reason stays as written
    ("generate accepted", "failed: forbidden"): a record, not a sentence."""
    reason = event.reason
    action, _sep, rest = reason.partition(" ")
    if event.kind == QuotaEvent.Kind.GRANT:
        return _("Granted on request: %(amount)d more") % {"amount": event.amount}
    if rest == "accepted" and action in Video.Action.values:
        return _("Accepted: %(action)s") % {"action": Video.Action(action).label}
    if reason.startswith("failed: "):
        return _("Given back: the job failed (%(code)s)") % {
            "code": reason.removeprefix("failed: ")
        }
    return reason


def release(video: Video, reason: str) -> bool:
    """Give back the charge for a failed job, once. Return whether anything was released."""
    charge_event = QuotaEvent.objects.filter(video=video, kind=QuotaEvent.Kind.CHARGE).first()
    if charge_event is None:
        return False
    try:
        with transaction.atomic():
            QuotaEvent.objects.create(
                user_id=charge_event.user_id,
                team_id=charge_event.team_id,  # back to exactly the budgets it was taken from
                video=video,
                kind=QuotaEvent.Kind.RELEASE,
                amount=-1,
                period_start=charge_event.period_start,
                reason=reason[:300],
            )
    except IntegrityError:
        return False  # already released: the unique constraint keeps it to one
    return True
