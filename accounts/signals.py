from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Allowance


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_allowance(sender, instance, created, raw=False, **kwargs):
    """Give every new user an allowance row, so the admin can edit it at once."""
    if created and not raw:
        Allowance.objects.get_or_create(user=instance)
