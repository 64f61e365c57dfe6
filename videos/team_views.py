"""Team pages: the teams a person is in, the page where a team's managers look after it, and
asking for more when a budget is used up (videos/asking.py has the rules).

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
from accounts.models import Invitation, Membership, MoreRequest, Team
from accounts.team_forms import MoreRequestForm, ShareForm, TeamInviteForm

from . import asking, budgets, quota
from .errors import Conflict, InvalidRequest
from .models import Video

TEAM_VIDEOS = 24


@login_required
def team_list(request):
    mine = list(teams.memberships(request.user))
    team_list = [m.team for m in mine]
    meters = budgets.team_meters(team_list)
    shares = budgets.share_meters(mine)
    rows = [
        {"membership": m, "team": m.team, "meter": meters[m.team_id], "mine": shares[m.team_id]}
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
    usage = budgets.member_usage(team)
    members = list(team.memberships.select_related("user").order_by("-role", "user__username"))
    for m in members:
        m.meter = usage.get(m.user_id) or budgets.Meter(m.videos_per_period, 0)
    videos = (
        Video.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("owner")
        .defer("upstream_payload")
        .order_by("-created_at")[:TEAM_VIDEOS]
    )
    context = {
        "team": team,
        "meter": budgets.team_meter(team),
        "in_flight": Video.objects.filter(team=team, deleted_at__isnull=True).in_flight().count(),
        "members": members,
        "videos": list(videos),
        "invitations": list(Invitation.objects.pending().filter(team=team)),
        "requests": list(asking.waiting_for(request.user, team)),
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


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@login_required
def ask_more(request):
    """Ask for more of the budget that stops the user (for the team named, or the default)."""
    data = request.POST if request.method == "POST" else None
    form = MoreRequestForm(data, initial={"team": request.GET.get("team", "")})
    ref = (request.POST if data else request.GET).get("team", "")
    team = teams.member_team(request.user, ref) if ref else teams.default_team(request.user)
    if form.is_bound and form.is_valid():
        try:
            asked = asking.ask(
                request.user,
                team,
                form.cleaned_data["amount"],
                form.cleaned_data["reason"],
                _base_url(request),
            )
        except InvalidRequest as exc:
            for name, errors in exc.fields.items():
                form.add_error(name if name in form.fields else None, errors[0])
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your request went to %(who)s. You will get an email with the answer.")
                % {"who": _deciders_label(asked)},
            )
            return redirect("videos:new")
    full = budgets.full_budget(request.user, team)
    context = {
        "form": form,
        "team": team,
        "full": full,
        "budget_label": MoreRequest.Budget(full[0]).label if full else "",
    }
    return render(request, "videos/ask.html", context, status=400 if form.errors else 200)


def _deciders_label(asked: MoreRequest) -> str:
    if asked.budget == MoreRequest.Budget.MEMBER and teams.manager_names(asked.team):
        return _("the managers of team %(team)s") % {"team": asked.team.name}
    return _("the site's staff")


@login_required
@require_POST
def answer_request(request, pk, verdict):
    if verdict not in ("approve", "decline"):
        raise Http404
    asked = MoreRequest.objects.select_related("team", "user").filter(uuid=pk).first()
    if asked is None or not asking.can_decide(request.user, asked):
        raise Http404
    approve = verdict == "approve"
    if asking.decide(asked, request.user, approve, _base_url(request)):
        text = (
            _("Approved: %(name)s can make %(amount)d more this period.")
            if approve
            else _("Declined %(name)s's request.")
        )
        messages.success(
            request, text % {"name": asked.user.get_username(), "amount": asked.amount}
        )
    else:
        messages.info(request, _("This request was already answered."))
    if asked.team is not None and teams.can_manage(request.user, asked.team):
        return redirect("videos:team", team=asked.team.uuid)
    return redirect("videos:teams")
