"""django-allauth, fitted to the site: who may sign up, how an account begins, the address
the rate limits count, and which login stages run. Settings point here (ACCOUNT_ADAPTER,
SOCIALACCOUNT_ADAPTER, MFA_ADAPTER).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import translation

from . import admission, invitations, preferences
from .addresses import client_address
from .models import Invitation
from .signals import SELF_SIGNUP

STAGE = "accounts.adapters.VerifyEmailStage"


def signup_refused(request, reason: str, status: int = 403):
    """The page that says why no account can be made here, as an answer to raise."""
    page = render(request, "account/signup_closed.html", {"reason": reason}, status=status)
    return ImmediateHttpResponse(page)


def save_and_admit(request, save, invitation):
    """Save the new user (`save()`) and record its way in, in one transaction; a lost race
    for the invitation undoes both and answers with the "already used" page."""
    try:
        with transaction.atomic():
            user = save()
            admission.admit(user, invitation)
    except admission.InvitationTaken:
        invitations.forget(request)
        page = render(request, "accounts/invitation.html", {"state": "accepted"}, status=410)
        raise ImmediateHttpResponse(page)
    if invitation is not None:
        invitations.forget(request)
    return user


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return admission.is_open(request)

    def save_user(self, request, user, form, commit=True):
        setattr(user, SELF_SIGNUP, True)
        if not commit:
            return super().save_user(request, user, form, commit=False)
        return save_and_admit(
            request,
            lambda: super(AccountAdapter, self).save_user(request, user, form, commit=True),
            invitations.from_session(request),
        )

    def send_mail(self, template_prefix, email, context):
        """allauth's emails (confirmation, reset) in the language the recipient chose, if they
        did; otherwise in the page's, which is the one they asked in."""
        user = context.get("user") or EmailAddress.objects.filter(email__iexact=email).first()
        user = getattr(user, "user", user)  # an EmailAddress row: its owner
        language = preferences.chosen_language(user) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request):
        return client_address(request) or "0.0.0.0"  # noqa: S104 (an address, not a bind)

    def get_login_stages(self):
        stages = super().get_login_stages()
        return [STAGE if s.endswith(".EmailVerificationStage") else s for s in stages]


class VerifyEmailStage(EmailVerificationStage):
    """allauth's stage, with the site's two rules.

    An account with no email address on record was made by staff and counts as verified.
    A sign-up always ends on the "check your email" page, also when verification is
    optional, so that it reads exactly like a sign-up with an address already taken
    (which never reveals that it is: accounts/forms.py).
    """

    def handle(self):
        login = self.login
        if login.user is not None and not EmailAddress.objects.filter(user=login.user).exists():
            return None, True
        if login.signup and login.email_verification == EmailVerificationMethod.OPTIONAL:
            login.email_verification = EmailVerificationMethod.MANDATORY
        return super().handle()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # The operator chose to trust this identity provider: the addresses it gives count
        # as verified (this also lets an existing account with the address sign in by SSO).
        for address in sociallogin.email_addresses:
            address.verified = True
        return user

    def is_open_for_signup(self, request, sociallogin):
        email = _email_of(sociallogin)
        invitation = invitations.from_session(request) or invitations.pending_for(email)
        if invitation is not None and invitation.email.lower() != (email or "").lower():
            invitation = invitations.pending_for(email)
        reason = admission.sso_refusal(email, invitation)
        if reason:
            raise signup_refused(request, reason)
        sociallogin.state["invitation_id"] = invitation.pk if invitation else None
        return True

    def save_user(self, request, sociallogin, form=None):
        setattr(sociallogin.user, SELF_SIGNUP, True)
        invitation_id = sociallogin.state.get("invitation_id")
        invitation = Invitation.objects.filter(pk=invitation_id).first() if invitation_id else None
        return save_and_admit(
            request,
            lambda: super(SocialAccountAdapter, self).save_user(request, sociallogin, form),
            invitation,
        )


def _email_of(sociallogin) -> str:
    if sociallogin.user is not None and sociallogin.user.email:
        return sociallogin.user.email.lower()
    for address in sociallogin.email_addresses:
        return address.email.lower()
    return ""


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Staff cannot turn off the authenticator app the site requires of them."""
        return not (
            settings.STAFF_REQUIRE_MFA
            and authenticator.user.is_staff
            and authenticator.type == Authenticator.Type.TOTP
        )
