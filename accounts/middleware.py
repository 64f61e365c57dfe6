"""Per-request account rules: a person's language and time zone, and STAFF_REQUIRE_MFA (the
admin opens only for staff who have set up an authenticator app)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import mfa, preferences

MESSAGE = gettext_lazy(
    "Set up an authenticator app before opening the admin: the site requires two-factor "
    "authentication for staff. Keep the recovery codes it gives you somewhere safe."
)


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_admin = request.path.startswith(reverse("admin:index"))
        if (
            in_admin
            and request.path != reverse("admin:logout")
            and mfa.staff_must_set_up(request.user)
        ):
            messages.warning(request, MESSAGE)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class PreferencesMiddleware:
    """Pages in the language and time zone the signed-in person chose (after LocaleMiddleware,
    which has already followed the browser or the language cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        preferences.apply(request)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
