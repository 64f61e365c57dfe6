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
