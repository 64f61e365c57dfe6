"""Teams: who is in which team, who manages it, and which team a person's jobs are for.

The budgets themselves are counted by videos/quota.py; this module only says who may do what.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from . import invitations, mail, preferences
from .models import Membership, Team

logger = logging.getLogger(__name__)


class TeamRuleError(Exception):
    """A manager's change that the team's rules do not allow; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def memberships(user):
    """The user's memberships, their teams loaded, by team name."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def default_team(user) -> Team | None:
    """The team a job is for when none is named: the one marked default, else the first joined."""
    membership = (
        Membership.objects.filter(user=user)
        .select_related("team")
        .order_by("-is_default", "joined_at", "pk")
        .first()
    )
    return membership.team if membership else None


def member_team(user, ref) -> Team | None:
    """The team `ref` (its public id) names, if the user is in it; None otherwise."""
    try:
        team_uuid = uuid.UUID(str(ref))
    except ValueError:
        return None
    return Team.objects.filter(uuid=team_uuid, memberships__user=user).first()


def managed_teams(user):
    """The teams a user may look after: those they manage, or every team for staff."""
    if user.is_staff:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__role=Membership.Role.MANAGER)


def can_manage(user, team: Team) -> bool:
    return (
        user.is_staff
        or Membership.objects.filter(team=team, user=user, role=Membership.Role.MANAGER).exists()
    )


def manager_names(team: Team) -> list[str]:
    """Who to ask about a team's budget, by the name they show."""
    managers = team.memberships.filter(role=Membership.Role.MANAGER).select_related("user")
    return [m.user.get_full_name() or m.user.get_username() for m in managers]


def make_default(user, team: Team) -> None:
    """Make `team` the user's default team (they must be in it)."""
    with transaction.atomic():
        # Lock the person's memberships: two changes at once must not leave two defaults.
        list(Membership.objects.select_for_update().filter(user=user))
        Membership.objects.filter(user=user, is_default=True).exclude(team=team).update(
            is_default=False
        )
        Membership.objects.filter(user=user, team=team).update(is_default=True)


def add_member(team: Team, user) -> tuple[Membership, bool]:
    """Put a person in a team (a member); their first team becomes their default."""
    try:
        with transaction.atomic():
            first = not Membership.objects.filter(user=user).exists()
            return Membership.objects.get_or_create(
                team=team, user=user, defaults={"is_default": first}
            )
    except IntegrityError:  # added here, or to a first team elsewhere, at the same moment
        return Membership.objects.get_or_create(
            team=team, user=user, defaults={"is_default": False}
        )


def set_share(membership: Membership, value: int | None) -> None:
    """Set a member's share of the team's videos per period, within the team's budget."""
    team = membership.team
    if value is not None:
        if value < 0:
            raise TeamRuleError(_("A share cannot be negative."))
        if team.videos_per_period is not None and value > team.videos_per_period:
            raise TeamRuleError(
                _("A share can be at most the team's budget of %(most)d videos.")
                % {"most": team.videos_per_period}
            )
    Membership.objects.filter(pk=membership.pk).update(videos_per_period=value)
    membership.videos_per_period = value


def invite(team: Team, email: str, by, request=None) -> None:
    """Bring the person at `email` (already cleaned) into the team.

    An account with that address joins at once and is told by email; anyone else gets an
    invitation that makes them a member when they sign up. Whoever invites learns nothing
    about which it was: the page says the same either way.
    """
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        invitations.issue(email, by=by, request=request, team=team)
        return
    _membership, created = add_member(team, user)
    if not created:
        return
    path = reverse("videos:teams")
    link = request.build_absolute_uri(path) if request else settings.PUBLIC_BASE_URL + path
    try:
        mail.send(
            "accounts/email/team_added",
            user.email,
            {"team": team, "added_by": by, "link": link},
            language=preferences.language_for(user),
        )
    except Exception:  # they are in the team all the same; the teams page shows it
        logger.warning("Could not tell user %s that they joined team %s", user.pk, team.pk)
