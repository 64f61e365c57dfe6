"""Account pages: sign-in (with the login guard), the profile, API tokens, invitations,
and sending a confirmation link again. allauth serves the other account pages."""

from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import api_tokens, confirmations, invitations, mfa
from .forms import ApiTokenForm, ResendConfirmationForm
from .models import Invitation


class LoginView(allauth_views.LoginView):
    """allauth's sign-in page, which says plainly (HTTP 429) when sign-in is paused."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked"):
            response.status_code = 429
        return response


def _profile_context(request, form=None):
    user = request.user
    return {
        "tokens": list(api_tokens.for_user(user)),
        "token_form": form or ApiTokenForm(),
        "emails": list(EmailAddress.objects.filter(user=user).order_by("-primary", "email")),
        "has_totp": mfa.has_totp(user),
        "api_url": request.build_absolute_uri(reverse("video-list")),
    }


@never_cache
@login_required
def profile(request):
    return render(request, "accounts/profile.html", _profile_context(request))


@never_cache
@require_POST
@login_required
def create_token(request):
    """Create a named token and show its key on this one answer, never stored anywhere."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _profile_context(request, form), status=400)
    token, key = api_tokens.issue(
        request.user, form.cleaned_data["name"], expires_at=form.expires_at()
    )
    response = render(
        request,
        "accounts/token_created.html",
        {
            "token": token,
            "key": key,
            "api_url": request.build_absolute_uri(reverse("video-list")),
        },
    )
    return response


@require_POST
@login_required
def revoke_token(request, pk):
    token = api_tokens.for_user(request.user).filter(pk=pk).first()
    if token is not None and api_tokens.revoke(request.user, pk):
        messages.success(request, f"The token “{token.name}” was revoked: it no longer works.")
    return redirect(reverse("profile") + "#api-tokens")


@never_cache
def invitation(request, key):
    """Open an invitation link: on to the sign-up form, or a page saying why not."""
    found = invitations.look_up(key)
    state = found.state if found is not None else "invalid"
    if state != Invitation.State.PENDING:
        status = 404 if state == "invalid" else 410
        return render(request, "accounts/invitation.html", {"state": state}, status=status)
    if request.user.is_authenticated:
        return render(
            request, "accounts/invitation.html", {"state": "signed_in", "invitation": found}
        )
    invitations.remember(request, found)
    return redirect("account_signup")


@never_cache
def resend_confirmation(request):
    """Send a new confirmation link. The answer is the same for any address, known or not."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        refused = ratelimit.consume_or_429(request, action="resend_confirmation", key=email)
        if refused:
            return refused
        confirmations.resend(request, email)
        return render(request, "accounts/confirmation_resent.html", {"email": email})
    return render(request, "accounts/resend_confirmation.html", {"form": form})
