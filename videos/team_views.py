"""Team pages: the teams a person is in, and the page where a team's managers look after it.

Managers see the team's usage and videos (read-only), set each member's share of the budget,
and invite people into the team; the rules are in accounts/teams.py, the meters in
videos/budgets.py. Everyone who does not manage a team gets a 404 for its page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import teams
from accounts.models import Invitation, Membership, Team
from accounts.team_forms import ShareForm, TeamInviteForm

from . import budgets, quota
from .models import Video

TEAM_VIDEOS = 24


@login_required
def team_list(request):
    mine = list(teams.memberships(request.user))
    used = budgets.team_usage([m.team_id for m in mine])
    mine_used = budgets.team_usage([m.team_id for m in mine], user=request.user)
    rows = [
        {
            "membership": m,
            "team": m.team,
            "meter": budgets.Meter(m.team.videos_per_period, used.get(m.team_id, 0)),
            "mine": budgets.Meter(m.videos_per_period, mine_used.get(m.team_id, 0)),
        }
        for m in mine
    ]
    others = []
    if request.user.is_staff:
        member_of = {m.team_id for m in mine}
        others = [t for t in Team.objects.order_by("name") if t.pk not in member_of]
    _start, end = quota.period_bounds()
    return render(
        request,
        "videos/teams.html",
        {"rows": rows, "others": others, "resets_at": end, "period": _period_label()},
    )


def _period_label() -> str:
    return str(quota.PERIOD_LABELS[settings.QUOTA_PERIOD])


@login_required
@require_POST
def team_make_default(request, team):
    found = teams.member_team(request.user, team)
    if found is None:
        raise Http404
    teams.make_default(request.user, found)
    messages.success(request, _("New videos are now made for team %(team)s.") % {"team": found})
    return redirect("videos:teams")


def _managed(request, team) -> Team:
    found = get_object_or_404(Team, uuid=team)
    if not teams.can_manage(request.user, found):
        raise Http404  # a team one does not manage is as unknown as one that does not exist
    return found


@login_required
def team_detail(request, team):
    return _render_team(request, _managed(request, team))


def _render_team(request, team, invite_form=None, share_errors=None, status=200):
    used = budgets.member_usage(team)
    members = list(team.memberships.select_related("user").order_by("-role", "user__username"))
    for m in members:
        m.used = used.get(m.user_id, 0)
    videos = (
        Video.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("owner")
        .defer("upstream_payload")
        .order_by("-created_at")[:TEAM_VIDEOS]
    )
    context = {
        "team": team,
        "meter": budgets.Meter(team.videos_per_period, sum(used.values())),
        "in_flight": Video.objects.filter(team=team, deleted_at__isnull=True).in_flight().count(),
        "members": members,
        "videos": list(videos),
        "invitations": list(Invitation.objects.pending().filter(team=team)),
        "invite_form": invite_form or TeamInviteForm(),
        "share_errors": share_errors or {},
        "resets_at": quota.period_bounds()[1],
        "period": _period_label(),
    }
    return render(request, "videos/team.html", context, status=status)


@login_required
@require_POST
def team_invite(request, team):
    team = _managed(request, team)
    form = TeamInviteForm(request.POST)
    if not form.is_valid():
        return _render_team(request, team, invite_form=form, status=400)
    email = form.cleaned_data["email"]
    teams.invite(team, email, by=request.user, request=request)
    messages.success(
        request,
        _("%(email)s is invited into team %(team)s.") % {"email": email, "team": team.name},
    )
    return redirect("videos:team", team=team.uuid)


@login_required
@require_POST
def team_share(request, team):
    team = _managed(request, team)
    form = ShareForm(request.POST)
    form.is_valid()
    member = form.cleaned_data.get("member")  # absent when unfit (too long, NUL)
    membership = (
        Membership.objects.select_related("team", "user")
        .filter(team=team, user__username=member)
        .first()
        if member
        else None
    )
    if membership is None:
        messages.error(request, _("Choose a member of this team."))
        return redirect("videos:team", team=team.uuid)
    if "share" in form.errors:
        return _render_team(
            request, team, share_errors={membership.user_id: form.errors["share"][0]}, status=400
        )
    try:
        teams.set_share(membership, form.cleaned_data["share"])
    except teams.TeamRuleError as exc:
        return _render_team(
            request, team, share_errors={membership.user_id: exc.message}, status=400
        )
    messages.success(
        request,
        _("Saved %(member)s's share.") % {"member": membership.user.get_username()},
    )
    return redirect("videos:team", team=team.uuid)
