from django.conf import settings
from django.db import models
from django.utils import timezone


class Allowance(models.Model):
    """A user's video allowance; blank fields fall back to the site defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="allowance"
    )
    videos_per_period = models.PositiveIntegerField(
        null=True, blank=True, help_text="Videos per quota period. Blank: the site default."
    )
    max_in_flight = models.PositiveIntegerField(
        null=True, blank=True, help_text="Jobs in flight at once. Blank: the site default."
    )

    def __str__(self):
        return f"Allowance of {self.user}"

    @property
    def limit(self) -> int:
        if self.videos_per_period is None:
            return settings.QUOTA_VIDEOS_PER_PERIOD
        return self.videos_per_period

    @property
    def in_flight_cap(self) -> int:
        if self.max_in_flight is None:
            return settings.QUOTA_MAX_IN_FLIGHT
        return self.max_in_flight


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that have not expired (revoked ones are deleted)."""
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A named personal API token. The key itself is never stored: only its first characters
    (to find the row and to let people recognise it) and its SHA-256 digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The key's first characters (not secret).")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Blank: never.")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every token-authenticated request finds its candidate rows by the key's prefix.
            models.Index(fields=["prefix"], name="api_token_prefix"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A link that lets one person, at one email address, create an account once.

    Only the SHA-256 digest of the link's key is kept, like an API token's.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField()
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Single sign-on looks for a pending invitation by the email the provider gave.
            models.Index(fields=["email"], name="invitation_email"),
        ]

    def __str__(self):
        return f"Invitation for {self.email}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING


class Approval(models.Model):
    """An account that signed itself up while SIGNUP_REQUIRES_APPROVAL was on.

    It may sign in, but makes no videos until staff approve it. Accounts without a row
    (staff-created, invited, or older than the setting) need no approval.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approval"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self):
        return f"Approval of {self.user}"

    @property
    def waiting(self) -> bool:
        return self.approved_at is None
