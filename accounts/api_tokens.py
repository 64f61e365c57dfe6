"""Named personal API tokens: issue one (its key shown once), recognise a key, revoke.

A key is `luma_` and 43 random URL-safe characters (256 bits). The database keeps only its
first PREFIX_LENGTH characters, to find the row and to let people recognise a token in a
list, and the SHA-256 digest of the whole key: a copy of the database, the admin or a log
never holds a key that works. A plain fast hash is right here (unlike for passwords): the
key is random and long, so there is nothing to guess. Keys issued by Django REST
framework's old authtoken (40 hex characters) were hashed the same way by a migration and
keep working.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import ApiToken

KEY_PREFIX = "luma_"
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 100
DEFAULT_NAME = "API"
# last_used_at is written at most this often per token, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def prefix_of(key: str) -> str:
    return key[:PREFIX_LENGTH]


def issue(user, name: str = DEFAULT_NAME, expires_at=None) -> tuple[ApiToken, str]:
    """Create a new token for `user`; return it and its key, which is never available again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or DEFAULT_NAME).strip()[:100] or DEFAULT_NAME,
        prefix=prefix_of(key),
        digest=digest(key),
        expires_at=expires_at,
    )
    return token, key


def find(key) -> ApiToken | None:
    """The usable token this key belongs to, with its active user; None for anything else."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        return None
    wanted = digest(key)
    candidates = ApiToken.objects.select_related("user").filter(prefix=prefix_of(key))
    token = next((t for t in candidates if constant_time_compare(t.digest, wanted)), None)
    if token is None or token.is_expired or not token.user.is_active:
        return None
    _touch(token)
    return token


def user_for_key(key):
    """The active user owning this key, for the surfaces that are not DRF (gateway, files)."""
    token = find(key)
    return token.user if token else None


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def for_user(user):
    return ApiToken.objects.filter(user=user)


def revoke(user, token_id) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def revoke_all(user) -> int:
    """Delete every token of `user`; return how many there were."""
    with transaction.atomic():
        deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
