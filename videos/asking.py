"""Asking for more: a request when a budget is used up, answered in one click, then a grant.

A request for more of someone's share of a team goes to the team's managers (and staff);
a request for more of anything else (their own allowance, a team's budget, the site's cap)
goes to staff, who answer in the admin. An approval is a grant line in the quota ledger for
the period the request was made in, so the meters (and the person's next submission) see
the new room at once; the person is told by email either way.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import mail, preferences, teams
from accounts.models import Membership, MoreRequest, Team

from . import budgets, quota
from .errors import Conflict, InvalidRequest
from .models import QuotaEvent

logger = logging.getLogger(__name__)
MAX_ASK = 1000  # videos one request may ask for
TEAM_BUDGETS = (MoreRequest.Budget.MEMBER, MoreRequest.Budget.TEAM)


def ask(user, team: Team | None, amount: int, reason: str, base_url: str) -> MoreRequest:
    """Ask for `amount` more of the budget that stops the user now; Conflict if none does."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_ASK:
        raise InvalidRequest({"amount": [_("Ask for 1 to %(most)d videos.") % {"most": MAX_ASK}]})
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidRequest({"reason": [_("Say what the videos are for.")]})
    full = budgets.full_budget(user, team)
    if full is None:
        raise Conflict(_("You still have room in every budget: there is nothing to ask for."))
    budget, _meter = full
    team = team if budget in TEAM_BUDGETS else None
    with transaction.atomic():
        waiting = MoreRequest.objects.select_for_update().filter(
            user=user, budget=budget, team=team, state=MoreRequest.State.PENDING
        )
        if waiting.exists():
            raise Conflict(_("You already asked for more of this budget; wait for the answer."))
        request = MoreRequest.objects.create(
            user=user,
            team=team,
            budget=budget,
            amount=amount,
            reason=reason,
            period_start=quota.period_bounds()[0],
        )
        transaction.on_commit(lambda: _tell_deciders(request, base_url))
    return request


def deciders(request: MoreRequest) -> list:
    """Who may answer: a team's managers for a share of their team, and staff for anything."""
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True))
    if request.budget != MoreRequest.Budget.MEMBER:
        return staff
    managers = list(
        get_user_model().objects.filter(
            is_active=True,
            memberships__team=request.team_id,
            memberships__role=Membership.Role.MANAGER,
        )
    )
    return managers or staff


def can_decide(user, request: MoreRequest) -> bool:
    if user.is_staff:
        return True
    return request.budget == MoreRequest.Budget.MEMBER and teams.can_manage(user, request.team)


def waiting_for(user, team: Team):
    """The pending requests about `team` that `user` may answer on the team page."""
    requests = MoreRequest.objects.filter(team=team, state=MoreRequest.State.PENDING)
    if not user.is_staff:
        requests = requests.filter(budget=MoreRequest.Budget.MEMBER)
    return requests.select_related("user").order_by("created_at")


def decide(request: MoreRequest, by, approve: bool, base_url: str) -> bool:
    """Approve (grant in the ledger) or decline a pending request, once; False if answered."""
    state = MoreRequest.State.APPROVED if approve else MoreRequest.State.DECLINED
    with transaction.atomic():
        changed = MoreRequest.objects.filter(pk=request.pk, state=MoreRequest.State.PENDING).update(
            state=state, decided_at=timezone.now(), decided_by=by
        )
        if not changed:
            return False
        if approve:
            QuotaEvent.objects.create(
                user_id=request.user_id,
                team_id=request.team_id,
                kind=QuotaEvent.Kind.GRANT,
                budget=request.budget,
                amount=request.amount,
                period_start=request.period_start,
                reason=f"granted by {by.get_username()}: {request.reason}"[:300],
            )
        request.state = state
        request.decided_by = by
        transaction.on_commit(lambda: _tell_asker(request, base_url))
    logger.info("Request %s for %d more: %s by user %s", request.pk, request.amount, state, by.pk)
    return True


def _send(template, user, context):
    if not user.email:
        return
    try:
        mail.send(template, user.email, context, language=preferences.language_for(user))
    except Exception:  # the request stands; the page and the admin show it
        logger.exception("Could not send %s to user %s", template, user.pk)


def _tell_deciders(request: MoreRequest, base_url: str) -> None:
    if request.budget == MoreRequest.Budget.MEMBER:
        link = base_url + reverse("videos:team", kwargs={"team": request.team.uuid})
    else:
        link = base_url + reverse("admin:accounts_morerequest_changelist") + "?state=pending"
    for user in deciders(request):
        _send("videos/email/more_asked", user, {"request": request, "link": link})


def _tell_asker(request: MoreRequest, base_url: str) -> None:
    link = base_url + reverse("videos:new")
    _send("videos/email/more_answered", request.user, {"request": request, "link": link})
