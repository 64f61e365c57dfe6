"""The bare stack's one table; created with `migrate --run-syncdb` (no migrations on purpose)."""

from django.conf import settings
from django.db import models


class Row(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    state = models.CharField(max_length=12, default="queued")
    payload = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"row {self.pk} ({self.state})"
