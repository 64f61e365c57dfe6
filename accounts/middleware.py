"""STAFF_REQUIRE_MFA: the admin opens only for staff who have set up an authenticator app."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import mfa

MESSAGE = (
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
