"""A user's one API token: issue (create or rotate), describe without revealing, revoke."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from rest_framework.authtoken.models import Token


@dataclass(frozen=True)
class TokenHint:
    """What a page may show of a token after its first showing."""

    last4: str
    created: datetime


def issue(user) -> str:
    """Give the user a new token, replacing any old one, and return its key."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user).key


def hint(user) -> TokenHint | None:
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    return TokenHint(last4=token.key[-4:], created=token.created)


def revoke(user) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
