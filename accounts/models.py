from django.conf import settings
from django.db import models


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


class QuotaEvent(models.Model):
    """One line of the quota ledger: a charge when a job is accepted, a release when it fails."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        RELEASE = "release", "Release"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota_events"
    )
    # Kept when a video is deleted: deleting never gives back quota already used.
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.SmallIntegerField()
    # The period the charge counts against; a release carries its charge's period.
    period_start = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Nothing is counted twice: one charge and at most one release per job.
            models.UniqueConstraint(fields=["video", "kind"], name="quota_event_once_per_video"),
            models.CheckConstraint(
                condition=(models.Q(kind="charge", amount=1) | models.Q(kind="release", amount=-1)),
                name="quota_event_amount_matches_kind",
            ),
        ]
        indexes = [
            # Usage of the current period: SUM(amount) WHERE user = ? AND period_start = ?
            models.Index(fields=["user", "period_start"], name="quota_event_user_period"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount:+d} for {self.user}"
