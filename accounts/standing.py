"""Whether an account may make videos yet: its email confirmed, its sign-up approved.

videos/services.py asks `video_refusal` before every job, whichever way it came in (pages,
REST API, gateway), and refuses with the reason's code and message; the pages show the
same reason as a notice.
"""

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from . import mail, preferences
from .models import Approval

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


UNVERIFIED = Refusal(
    "account_unverified",
    _lazy(
        "Confirm your email address before making videos: open the link in the email we sent "
        "you, or ask for a new one on your profile page."
    ),
)
NOT_APPROVED = Refusal(
    "account_not_approved",
    _lazy(
        "Your account is waiting for approval by the site's staff. You can make videos once it "
        "is approved; we will email you then."
    ),
)


def video_refusal(user) -> Refusal | None:
    """Why `user` may not make videos now, or None if they may. One query."""
    if user is None or not user.is_authenticated:
        return None
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            waiting=Exists(Approval.objects.filter(user=OuterRef("pk"), approved_at=None)),
            has_address=Exists(addresses),
            has_verified=Exists(addresses.filter(verified=True)),
        )
        .values("waiting", "has_address", "has_verified")
        .first()
    )
    if row is None:
        return None
    # An account without any address record was made by staff: it counts as verified.
    mandatory = settings.EMAIL_VERIFICATION == "mandatory"
    if mandatory and row["has_address"] and not row["has_verified"]:
        return UNVERIFIED
    if row["waiting"]:
        return NOT_APPROVED
    return None


# Once an account may make videos, its session remembers it, so the pages do not ask the
# database again on every view (a submission always asks: videos/services.py).
SESSION_CLEAR_KEY = "account_clear_for"


def notice(request, user) -> Refusal | None:
    """video_refusal for showing on pages, remembered in the session once it is None."""
    if request.session.get(SESSION_CLEAR_KEY) == user.pk:
        return None
    refusal = video_refusal(user)
    if refusal is None:
        request.session[SESSION_CLEAR_KEY] = user.pk
    return refusal


def request_approval(user) -> None:
    Approval.objects.get_or_create(user=user)


def approve(users, by, request=None) -> int:
    """Approve the waiting accounts among `users`, email each one; return how many."""
    now = timezone.now()
    approved = []
    for user in users:
        with transaction.atomic():
            changed = Approval.objects.filter(user=user, approved_at=None).update(
                approved_at=now, approved_by=by
            )
        if changed:
            approved.append(user)
    for user in approved:
        _send_approved_mail(user, request)
    return len(approved)


def _send_approved_mail(user, request) -> None:
    if not user.email:
        return
    path = reverse("videos:new")
    if request is not None:
        url = request.build_absolute_uri(path)
    else:
        url = settings.PUBLIC_BASE_URL + path
    try:
        mail.send(
            "accounts/email/approved",
            user.email,
            {"user": user, "new_video_url": url},
            language=preferences.language_for(user),
        )
    except Exception:
        # The approval stands; staff see the failure in the log, the user on their next visit.
        logger.exception("Could not send the approval email to user %s", user.pk)
