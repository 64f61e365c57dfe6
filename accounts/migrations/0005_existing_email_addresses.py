# Sign-in moves to django-allauth, which keeps each user's email addresses in its own table
# with whether each is verified. Existing users get a row for the address they have:
# verified when the operator says so (EXISTING_EMAILS_VERIFIED, true by default, read when
# this migration runs), and always for staff, so that the people who run the site can
# still sign in. With it false, other users confirm their address when they next sign in
# (EMAIL_VERIFICATION=mandatory sends them the link). Staff can tick "verified" in the
# admin's "Email addresses" at any time. An address two accounts share is verified for the
# older account only (allauth allows one verified owner per address).

from django.conf import settings
from django.db import migrations


def create_email_addresses(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    trusted = getattr(settings, "EXISTING_EMAILS_VERIFIED", True)
    verified_owner = set(
        EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
    )
    has_rows = set(EmailAddress.objects.values_list("user_id", flat=True).distinct())
    rows = []
    for user in User.objects.exclude(email="").order_by("date_joined", "pk").iterator():
        email = user.email.strip().lower()
        if not email or user.pk in has_rows:
            continue
        verified = (trusted or user.is_staff) and email not in verified_owner
        if verified:
            verified_owner.add(email)
        rows.append(EmailAddress(user_id=user.pk, email=email, verified=verified, primary=True))
    EmailAddress.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_hash_drf_tokens"),
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_email_addresses, migrations.RunPython.noop, elidable=True),
    ]
