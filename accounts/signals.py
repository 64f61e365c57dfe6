"""What follows changes to a user row, wherever they are made (pages, admin, shell)."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.db.models.signals import post_migrate, post_save, pre_save
from django.dispatch import receiver

from . import standing
from .models import Allowance
from .revocation import revoke_access

# Set on a user by the sign-up adapters (accounts/adapters.py): allauth records the email
# addresses of accounts that sign themselves up, and decides whether they are verified.
SELF_SIGNUP = "_signing_up_by_themselves"


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_allowance(sender, instance, created, raw=False, **kwargs):
    """Give every new user an allowance row, so the admin can edit it at once."""
    if created and not raw:
        Allowance.objects.get_or_create(user=instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def verify_email_of_staff_created_account(sender, instance, created, raw=False, **kwargs):
    """An account made by staff (admin, createsuperuser, create_user) has a verified email."""
    if not created or raw or getattr(instance, SELF_SIGNUP, False) or not instance.email:
        return
    email = instance.email.lower()
    # Another account already owns this address, verified: leave this one without a
    # record rather than claim the address twice (an account without one counts as verified).
    if EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
        return
    EmailAddress.objects.get_or_create(
        user=instance, email=email, defaults={"verified": True, "primary": True}
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _notice_lost_access(sender, instance, raw=False, update_fields=None, **kwargs):
    """Mark a save that changes the password or deactivates the account (see below)."""
    if raw or instance.pk is None:
        return
    # set_password() keeps the new password in _password until the next save.
    instance._password_changing = getattr(instance, "_password", None) is not None
    instance._deactivating = False
    if not instance.is_active and (update_fields is None or "is_active" in update_fields):
        was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
        instance._deactivating = was_active


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def revoke_access_on_password_change_or_deactivation(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if getattr(instance, "_deactivating", False):
        instance._deactivating = False
        revoke_access(instance, keep_current_session=False)
    elif getattr(instance, "_password_changing", False):
        instance._password_changing = False
        revoke_access(instance)


@receiver(user_logged_in)
def _remember_standing(sender, request, user, **kwargs):
    """Look the account's standing up once at sign-in, so pages need not (standing.notice)."""
    if request is not None and hasattr(request, "session"):
        standing.notice(request, user)


@receiver(post_migrate)
def _create_cache_table(sender, using="default", **kwargs):
    """Production counts sign-in failures and throttles in the database cache: `migrate`
    makes its table (as `createcachetable` does; it does nothing for other caches)."""
    if sender.name == "accounts":
        call_command("createcachetable", database=using, verbosity=0)
