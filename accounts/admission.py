"""Who may join: SIGNUP_POLICY, invitations, SIGNUP_EMAIL_DOMAINS, SIGNUP_REQUIRES_APPROVAL.

The adapters (accounts/adapters.py) and the sign-up form ask these functions; each refusal
is a whole sentence a person can act on.
"""

from django.conf import settings
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from . import invitations, standing, teams


class InvitationTaken(Exception):
    """The invitation was used, or ended, between the form and the save."""


def domain_of(email: str) -> str:
    return (email or "").rsplit("@", 1)[-1].strip().lower()


def domains_sentence() -> str:
    # Django's own catalogue translates the joining "or" ("a, b or c"; "a、b 或 c").
    return str(get_text_list(list(settings.SIGNUP_EMAIL_DOMAINS)))


def domain_refusal(email: str) -> str | None:
    """Why this address may not sign up without an invitation, or None."""
    allowed = settings.SIGNUP_EMAIL_DOMAINS
    if allowed and domain_of(email) not in allowed:
        return _("Sign-up is limited to email addresses at %(domains)s.") % {
            "domains": domains_sentence()
        }
    return None


def is_open(request) -> bool:
    """Whether this visitor may see the sign-up form (not single sign-on)."""
    if settings.SIGNUP_POLICY == "open":
        return True
    return settings.SIGNUP_POLICY == "invite" and invitations.from_session(request) is not None


def sso_refusal(email: str, invitation) -> str | None:
    """Why single sign-on may not create an account for `email`, or None if it may."""
    if invitation is not None:
        return None
    if settings.SIGNUP_POLICY == "closed" and not settings.OIDC_AUTO_SIGNUP:
        return _(
            "This site does not create new accounts. Ask the site's staff to create one "
            "for you, then sign in."
        )
    if settings.SIGNUP_POLICY == "invite" and not settings.OIDC_AUTO_SIGNUP:
        if not email:
            return _(
                "This site creates accounts by invitation only, and there is no invitation "
                "for your address. Ask the site's staff to invite you."
            )
        return _(
            "This site creates accounts by invitation only, and there is no invitation for "
            "%(email)s. Ask the site's staff to invite you."
        ) % {"email": email}
    return domain_refusal(email)


def admit(user, invitation) -> None:
    """Record a new account's way in: accept its invitation, or queue it for approval.

    An invited account needs no approval: staff chose to invite it. Call inside the
    transaction that creates the user, so a lost race for the invitation undoes both.
    """
    if invitation is not None:
        if not invitations.accept(invitation, user):
            raise InvitationTaken()
        if invitation.team_id is not None:
            teams.add_member(invitation.team, user)
        return
    if settings.SIGNUP_REQUIRES_APPROVAL:
        standing.request_approval(user)
