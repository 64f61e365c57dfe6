"""Create (or reset) the demo login that the README's run command prints."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or reset a demo user (development only) and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-password-123")
        parser.add_argument("--staff", action="store_true", help="Let the user into the admin.")

    def handle(self, *args, username, password, staff, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if not user.check_password(password):
            user.set_password(password)  # a new password revokes the user's API tokens
        user.is_staff = user.is_superuser = staff
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} demo user: {username} / {password}")
