"""Two-factor authentication (allauth's TOTP and recovery codes) as the site uses it: the
token endpoint's second factor and the rule that staff set it up (STAFF_REQUIRE_MFA)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

MAX_CODE_LENGTH = 64


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def verify(user, code) -> bool:
    """Whether `code` is a current authenticator code, or an unused recovery code, of `user`.

    allauth's own checks: a TOTP code is accepted once, a recovery code is used up.
    """
    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > MAX_CODE_LENGTH:
        return False
    checks = {Authenticator.Type.TOTP: TOTP, Authenticator.Type.RECOVERY_CODES: RecoveryCodes}
    for authenticator in Authenticator.objects.filter(user=user, type__in=list(checks)):
        if checks[authenticator.type](authenticator).validate_code(code):
            return True
    return False


def staff_must_set_up(user) -> bool:
    """Whether the admin stays closed to `user` until they set up an authenticator app."""
    return (
        settings.STAFF_REQUIRE_MFA
        and user.is_authenticated
        and user.is_staff
        and not has_totp(user)
    )
