"""Account pages: sign-in (with the login guard), the profile, API tokens, invitations,
and sending a confirmation link again. allauth serves the other account pages."""

from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import api_tokens, confirmations, invitations, mfa, preferences
from .forms import ApiTokenForm, NotificationsForm, PreferencesForm, ResendConfirmationForm
from .models import Invitation


class LoginView(allauth_views.LoginView):
    """allauth's sign-in page, which says plainly (HTTP 429) when sign-in is paused."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked"):
            response.status_code = 429
        return response


def _profile_context(request, form=None, preferences_form=None):
    user = request.user
    if preferences_form is None:
        chosen = preferences.of(user)
        preferences_form = PreferencesForm(
            initial={"language": chosen.language, "time_zone": chosen.time_zone}
        )
    return {
        "preferences_form": preferences_form,
        "notifications_form": NotificationsForm(
            initial={"notify_by_email": preferences.of(user).notify_by_email}
        ),
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
        messages.success(
            request,
            _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name},
        )
    return redirect(reverse("profile") + "#api-tokens")


@require_POST
@login_required
def save_preferences(request):
    """The profile's language and time zone: saved on the account, applied at once."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        context = _profile_context(request, preferences_form=form)
        return render(request, "accounts/profile.html", context, status=400)
    chosen = preferences.save(request, **form.cleaned_data)
    if chosen.language:
        translation.activate(chosen.language)
    messages.success(request, _("Your language and time zone were saved."))
    response = redirect(reverse("profile") + "#preferences")
    _remember_language(response, chosen.language)
    return response


@require_POST
@login_required
def save_notifications(request):
    """The profile's email when a video ends: on or off."""
    form = NotificationsForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on" is off
    chosen = preferences.save(request, notify_by_email=form.cleaned_data["notify_by_email"])
    if chosen.notify_by_email:
        messages.success(request, _("We will email you when each video is ready."))
    else:
        messages.success(request, _("We will not email you about your videos."))
    return redirect(reverse("profile") + "#notifications")


@require_POST
def set_language(request):
    """The header's language switcher: Django's set_language, which also remembers the
    choice on the signed-in person's account (their pages and emails follow it)."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        preferences.save(request, language=language)
    return response


def _remember_language(response, language: str):
    """The language cookie follows the account's choice (or is dropped for the browser's)."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


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
