"""Invitations: a link for one email address, used once, before it expires.

Staff create them in the admin or with `manage.py invite`. Opening the link puts the
invitation in the visitor's session and leads to the sign-up form, where the address is
fixed to the invited one (accounts/forms.py); signing up accepts it (accounts/admission.py).
The link's key is random; only its SHA-256 digest is stored, so the database cannot
rebuild a working link: sending again makes a new one.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import mail
from .models import Invitation

logger = logging.getLogger(__name__)
SESSION_KEY = "invitation_id"
MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class Issued:
    """An invitation just made, with the one link that opens it and whether it was mailed."""

    invitation: Invitation
    link: str
    mailed: bool
    mail_error: str = ""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def clean_email(value: str) -> str:
    """The address, lower-cased, or a ValidationError saying what is wrong with it."""
    email = (value or "").strip().lower()
    validate_email(email)
    return email


def has_account(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def base_url(request=None) -> str:
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.PUBLIC_BASE_URL


def issue(email: str, by=None, request=None, send: bool = True, language=None, team=None) -> Issued:
    """Invite `email` (already cleaned), into `team` if given; a pending invitation for it is
    replaced.

    The email is written in `language`, by default the one of the page that sends it (the
    invitee has no account yet to have chosen one).
    """
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.pending().filter(email=email).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            digest=_digest(key),
            invited_by=by,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
            team=team,
        )
    link = base_url(request) + reverse("invitation", kwargs={"key": key})
    if not send:
        return Issued(invitation, link, mailed=False)
    try:
        mail.send(
            "accounts/email/invitation",
            email,
            {"link": link, "expires_at": invitation.expires_at, "invited_by": by, "team": team},
            language=language,
        )
    except Exception as exc:  # the link still works: whoever invited can pass it on
        logger.warning("Could not email the invitation for %s: %s", email, exc)
        return Issued(invitation, link, mailed=False, mail_error=str(exc) or type(exc).__name__)
    return Issued(invitation, link, mailed=True)


def look_up(key) -> Invitation | None:
    """The invitation a link's key opens, in whatever state, or None for a key we never made."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        return None
    return Invitation.objects.filter(digest=_digest(key)).first()


def remember(request, invitation: Invitation) -> None:
    request.session[SESSION_KEY] = invitation.pk


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def from_session(request) -> Invitation | None:
    """The pending invitation this visitor opened, if any (used, expired or revoked: None)."""
    session = getattr(request, "session", None)
    pk = session.get(SESSION_KEY) if session is not None else None
    if pk is None:
        return None
    return Invitation.objects.pending().filter(pk=pk).first()


def pending_for(email: str) -> Invitation | None:
    if not email:
        return None
    return Invitation.objects.pending().filter(email__iexact=email).order_by("-created_at").first()


def accept(invitation: Invitation, user) -> bool:
    """Mark it used by `user`; False if someone used it, or it ended, a moment earlier."""
    now = timezone.now()
    changed = (
        Invitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(accepted_at=now, accepted_by=user)
    )
    return bool(changed)


def revoke(invitations) -> int:
    return invitations.filter(accepted_at=None, revoked_at=None).update(revoked_at=timezone.now())
