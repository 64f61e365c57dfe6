"""Account pages: sign up, the profile with its quota meter, and the API token."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import api_tokens

from .forms import GuardedAuthenticationForm, SignupForm

# The session key under which a just-issued token waits for its one showing.
REVEAL_KEY = "api_token_reveal"


def signup(request):
    if request.user.is_authenticated:
        return redirect("videos:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.login_guard.GuardedModelBackend")
        messages.success(request, f"Welcome, {user.username}! Describe your first video below.")
        return redirect("videos:new")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login page, which says plainly (HTTP 429) when sign-in is paused."""

    authentication_form = GuardedAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked"):
            response.status_code = 429
        return response


@never_cache
@login_required
def profile(request):
    new_key = request.session.pop(REVEAL_KEY, None)
    return render(
        request,
        "accounts/profile.html",
        {
            "token": api_tokens.hint(request.user),
            "new_key": new_key,
            "api_url": request.build_absolute_uri(reverse("video-list")),
        },
    )


@require_POST
@login_required
def issue_token(request):
    had_token = api_tokens.hint(request.user) is not None
    request.session[REVEAL_KEY] = api_tokens.issue(request.user)
    if had_token:
        messages.success(request, "Your API token was rotated: the old one no longer works.")
    else:
        messages.success(request, "Your API token was created.")
    return redirect(reverse("profile") + "#api-token")


@require_POST
@login_required
def revoke_token(request):
    if api_tokens.revoke(request.user):
        messages.success(request, "Your API token was revoked: it no longer works.")
    return redirect(reverse("profile") + "#api-token")
