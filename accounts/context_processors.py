"""What every page may show about the visitor's account (read lazily: no query unless used)."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import standing


def account(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated and hasattr(request, "session")
    return {
        # Why this account cannot make videos yet (email, approval), or None.
        "account_notice": SimpleLazyObject(lambda: standing.notice(request, user))
        if signed_in
        else None,
        "signup_policy": settings.SIGNUP_POLICY,
        "signup_requires_approval": settings.SIGNUP_REQUIRES_APPROVAL,
        "sso_name": _sso_name(),
    }


def _sso_name() -> str:
    """The single sign-on provider's name, as configured (OIDC_PROVIDER_NAME), or ""."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return apps[0]["name"] if apps else ""
