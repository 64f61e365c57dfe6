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
from accounts.models import Membership, MoreRequest, SiteBudget, Team

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
        return self.lacks_room_for(1)

    def lacks_room_for(self, count: int) -> bool:
        return self.limit is not None and self.used + count > self.limit


def site_budget() -> SiteBudget:
    """The site's budget row, or its defaults while staff have never saved one."""
    return SiteBudget.objects.filter(pk=SiteBudget.ONLY).first() or SiteBudget(pk=SiteBudget.ONLY)


def lock_and_check(user, team: Team | None = None, now=None, count: int = 1) -> quota.QuotaStatus:
    """Lock every budget `count` more jobs count against; raise unless all have room for all.

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
    status = quota.lock_and_check(user, now, count=count)
    if team is not None:
        _check_team(user, team, status, count)
    if site_limit is not None:
        meter = _site(site_limit, status.period_start)
        if meter.lacks_room_for(count):
            raise QuotaExceeded(
                _(
                    "The site has made all %(limit)d videos it may make this %(period)s. "
                    "It resets at %(when)s. To make more, ask the site's staff to raise the cap."
                )
                % _facts(meter.limit, status),
                resets_at=status.resets_at,
                budget="site",
            )
    return status


def touched(event: QuotaEvent) -> str:
    """The budgets a ledger line counts against, as the admin shows them."""
    if event.kind == QuotaEvent.Kind.GRANT:
        label = MoreRequest.Budget(event.budget).label if event.budget else ""
        return _("Grant to: %(budget)s") % {"budget": label}
    parts = [_("allowance of %(user)s") % {"user": event.user}]
    if event.team_id is not None:
        parts.append(_("team %(team)s and the member's share") % {"team": event.team})
    parts.append(_("the site's cap"))
    return "; ".join(parts)


def _sum(condition) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), 0)


USED = Q(kind__in=QuotaEvent.USAGE_KINDS)


def _granted(budget: str) -> Q:
    return Q(kind=QuotaEvent.Kind.GRANT, budget=budget)


def _site(limit: int | None, period_start) -> Meter:
    totals = QuotaEvent.objects.filter(period_start=period_start).aggregate(
        used=_sum(USED), granted=_sum(_granted("site"))
    )
    return Meter(None if limit is None else limit + totals["granted"], totals["used"])


def _team_meters(user, team: Team, period_start) -> tuple[Meter, Meter]:
    """The team's meter and the user's share of it, from one statement."""
    totals = QuotaEvent.objects.filter(team=team, period_start=period_start).aggregate(
        team=_sum(USED),
        team_granted=_sum(_granted("team")),
        mine=_sum(USED & Q(user=user)),
        mine_granted=_sum(_granted("member") & Q(user=user)),
    )
    share = (
        Membership.objects.filter(team=team, user=user)
        .values_list("videos_per_period", flat=True)
        .first()
    )
    team_limit = team.videos_per_period
    return (
        Meter(None if team_limit is None else team_limit + totals["team_granted"], totals["team"]),
        Meter(None if share is None else share + totals["mine_granted"], totals["mine"]),
    )


def _facts(limit, status) -> dict:
    return {"limit": limit, "period": status.period_label, "when": quota.moment(status.resets_at)}


def _check_team(user, team: Team, status, count: int = 1) -> None:
    team_meter, share = _team_meters(user, team, status.period_start)
    if share.lacks_room_for(count):
        raise QuotaExceeded(
            _(
                "You have used all %(limit)d videos of your share of team %(team)s this "
                "%(period)s. It resets at %(when)s."
            )
            % {**_facts(share.limit, status), "team": team.name}
            + " "
            + _ask_managers(team),
            resets_at=status.resets_at,
            budget="user",
        )
    if team_meter.lacks_room_for(count):
        raise QuotaExceeded(
            _(
                "Team %(team)s has used all %(limit)d videos of its budget this %(period)s. "
                "It resets at %(when)s. To make more, ask the site's staff to raise the "
                "team's budget."
            )
            % {**_facts(team_meter.limit, status), "team": team.name},
            resets_at=status.resets_at,
            budget="team",
        )
    if team.max_in_flight is not None:
        running = Video.objects.filter(team=team, deleted_at__isnull=True).in_flight().count()
        if running + count > team.max_in_flight:
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
    totals = QuotaEvent.objects.filter(team=team, period_start=start).aggregate(
        used=_sum(USED), granted=_sum(_granted("team"))
    )
    limit = team.videos_per_period
    return Meter(None if limit is None else limit + totals["granted"], totals["used"])


def site_meter(now=None) -> Meter:
    start, _end = quota.period_bounds(now)
    return _site(site_budget().limit, start)


def full_budget(user, team: Team | None, now=None) -> tuple[str, Meter] | None:
    """Which of the user's budgets has no room left now (read without locks), if any.

    In the order a submission checks them: the user's allowance, their share of the team,
    the team's budget, the site's cap.
    """
    status = quota.quota_status(user, now)
    if status.remaining <= 0:
        return "user", Meter(status.limit, status.used)
    if team is not None:
        team_meter_now, share = _team_meters(user, team, status.period_start)
        if share.full:
            return "member", share
        if team_meter_now.full:
            return "team", team_meter_now
    site = _site(site_budget().limit, status.period_start)
    if site.full:
        return "site", site
    return None


def member_usage(team: Team, now=None) -> dict[int, Meter]:
    """Each member's use of their share this period (limit: share plus grants), by user id.

    Members who used nothing yet are absent. Two queries whatever the team's size.
    """
    start, _end = quota.period_bounds(now)
    rows = (
        QuotaEvent.objects.filter(team=team, period_start=start)
        .order_by()
        .values("user_id")
        .annotate(used=_sum(USED), granted=_sum(_granted("member")))
        .values_list("user_id", "used", "granted")
    )
    shares = dict(team.memberships.values_list("user_id", "videos_per_period"))
    meters = {}
    for user_id, used, granted in rows:
        share = shares.get(user_id)
        meters[user_id] = Meter(None if share is None else share + granted, used)
    return meters


def team_meters(team_list, now=None) -> dict[int, Meter]:
    """Each team's meter this period, by team id (one query)."""
    start, _end = quota.period_bounds(now)
    events = QuotaEvent.objects.filter(team__in=[t.pk for t in team_list], period_start=start)
    rows = {
        team_id: (used, granted)
        for team_id, used, granted in events.order_by()
        .values("team_id")
        .annotate(used=_sum(USED), granted=_sum(_granted("team")))
        .values_list("team_id", "used", "granted")
    }
    meters = {}
    for team in team_list:
        used, granted = rows.get(team.pk, (0, 0))
        limit = team.videos_per_period
        meters[team.pk] = Meter(None if limit is None else limit + granted, used)
    return meters


def share_meters(memberships, now=None) -> dict[int, Meter]:
    """One person's use of each of their teams, against their share (with its grants), by
    team id (one query). `memberships` are that person's."""
    memberships = list(memberships)
    if not memberships:
        return {}
    start, _end = quota.period_bounds(now)
    rows = {
        team_id: (used, granted)
        for team_id, used, granted in QuotaEvent.objects.filter(
            user_id=memberships[0].user_id,
            team__in=[m.team_id for m in memberships],
            period_start=start,
        )
        .order_by()
        .values("team_id")
        .annotate(used=_sum(USED), granted=_sum(_granted("member")))
        .values_list("team_id", "used", "granted")
    }
    meters = {}
    for m in memberships:
        used, granted = rows.get(m.team_id, (0, 0))
        share = m.videos_per_period
        meters[m.team_id] = Meter(None if share is None else share + granted, used)
    return meters
