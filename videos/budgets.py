"""Team and site budgets, checked with the user's own allowance, all at once and exactly.

Every meter is a sum over the quota ledger (videos.models.QuotaEvent): a charge touches its
owner's allowance, the team the job was made for (and the member's share of it) and the
site-wide cap; its release gives back to exactly those, once. Nothing else is counted, so a
meter can never disagree with the ledger.

`lock_and_check` locks the budgets in one fixed order (site, team, user): submissions that
share a budget queue behind its row, and two submissions never wait on each other.
"""

from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import teams
from accounts.models import Membership, SiteBudget, Team

from . import quota
from .errors import QuotaExceeded, TooManyInFlight
from .models import QuotaEvent, Video


@dataclass(frozen=True)
class Meter:
    """How much of one budget this period's ledger has used."""

    limit: int | None  # None: no limit
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def site_budget() -> SiteBudget:
    """The site's budget row, or its defaults while staff have never saved one."""
    return SiteBudget.objects.filter(pk=SiteBudget.ONLY).first() or SiteBudget(pk=SiteBudget.ONLY)


def lock_and_check(user, team: Team | None = None, now=None) -> quota.QuotaStatus:
    """Lock every budget one more job counts against; raise if any of them has no room.

    Call inside transaction.atomic(): the locks hold until it commits, and the charge
    (quota.charge) must be written inside the same transaction.
    """
    site_limit = site_budget().limit
    if site_limit is not None:
        # Locked only while there is a cap: without one, every submission on the site
        # would queue behind this row for nothing.
        site, _created = SiteBudget.objects.select_for_update().get_or_create(pk=SiteBudget.ONLY)
        site_limit = site.limit  # read again under the lock: staff may just have changed it
    if team is not None:
        team = Team.objects.select_for_update().get(pk=team.pk)
    status = quota.lock_and_check(user, now)
    if team is not None:
        _check_team(user, team, status)
    if site_limit is not None:
        used = _used(QuotaEvent.objects.filter(period_start=status.period_start))
        if used >= site_limit:
            raise QuotaExceeded(
                _(
                    "The site has made all %(limit)d videos it may make this %(period)s. "
                    "It resets at %(when)s. To make more, ask the site's staff to raise the cap."
                )
                % _facts(site_limit, status),
                resets_at=status.resets_at,
                budget="site",
            )
    return status


def _used(events) -> int:
    return events.aggregate(n=Coalesce(Sum("amount"), 0))["n"]


def _facts(limit, status) -> dict:
    return {"limit": limit, "period": status.period_label, "when": quota.moment(status.resets_at)}


def _check_team(user, team: Team, status) -> None:
    share = (
        Membership.objects.filter(team=team, user=user)
        .values_list("videos_per_period", flat=True)
        .first()
    )
    events = QuotaEvent.objects.filter(team=team, period_start=status.period_start)
    used = events.aggregate(
        team=Coalesce(Sum("amount"), 0),
        mine=Coalesce(Sum("amount", filter=Q(user=user)), 0),
    )
    if share is not None and used["mine"] >= share:
        raise QuotaExceeded(
            _(
                "You have used all %(limit)d videos of your share of team %(team)s this "
                "%(period)s. It resets at %(when)s."
            )
            % {**_facts(share, status), "team": team.name}
            + " "
            + _ask_managers(team),
            resets_at=status.resets_at,
            budget="user",
        )
    if team.videos_per_period is not None and used["team"] >= team.videos_per_period:
        raise QuotaExceeded(
            _(
                "Team %(team)s has used all %(limit)d videos of its budget this %(period)s. "
                "It resets at %(when)s. To make more, ask the site's staff to raise the "
                "team's budget."
            )
            % {**_facts(team.videos_per_period, status), "team": team.name},
            resets_at=status.resets_at,
            budget="team",
        )
    if team.max_in_flight is not None:
        running = Video.objects.filter(team=team, deleted_at__isnull=True).in_flight().count()
        if running >= team.max_in_flight:
            raise TooManyInFlight(
                ngettext(
                    "Team %(team)s already has %(running)d video in progress (the most at once "
                    "is %(most)d). Wait for it to finish, then try again.",
                    "Team %(team)s already has %(running)d videos in progress (the most at "
                    "once is %(most)d). Wait for one to finish, then try again.",
                    running,
                )
                % {"team": team.name, "running": running, "most": team.max_in_flight},
                budget="team",
            )


def _ask_managers(team: Team) -> str:
    names = teams.manager_names(team)
    if not names:
        return _("To make more, ask the site's staff.")
    return _("To make more, ask the team's managers: %(names)s.") % {"names": ", ".join(names)}


# --- meters for pages, the admin and the API ---------------------------------------------------
def team_meter(team: Team, now=None) -> Meter:
    start, _end = quota.period_bounds(now)
    return Meter(
        team.videos_per_period, _used(QuotaEvent.objects.filter(team=team, period_start=start))
    )


def site_meter(now=None) -> Meter:
    start, _end = quota.period_bounds(now)
    return Meter(site_budget().limit, _used(QuotaEvent.objects.filter(period_start=start)))


def member_usage(team: Team, now=None) -> dict[int, int]:
    """Each member's use of the team's budget this period, by user id (one query)."""
    start, _end = quota.period_bounds(now)
    rows = (
        QuotaEvent.objects.filter(team=team, period_start=start)
        .order_by()
        .values("user_id")
        .annotate(n=Sum("amount"))
        .values_list("user_id", "n")
    )
    return dict(rows)


def team_usage(team_ids, user=None, now=None) -> dict[int, int]:
    """This period's use of each team's budget (only `user`'s, if given), by team id."""
    start, _end = quota.period_bounds(now)
    events = QuotaEvent.objects.filter(team__in=team_ids, period_start=start)
    if user is not None:
        events = events.filter(user=user)
    rows = events.order_by().values("team_id").annotate(n=Sum("amount")).values_list("team_id", "n")
    return dict(rows)
