"""manage.py invite EMAIL [EMAIL ...]: make invitation links, print them, and email them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import invitations


class Command(BaseCommand):
    help = (
        "Invite people by email address: prints each invitation link and emails it "
        "(unless --no-email). Each link works once, for its address, for INVITATION_DAYS days."
    )

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="EMAIL")
        parser.add_argument(
            "--no-email", action="store_true", help="Only print the links; send no mail."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the invitation emails (default: LANGUAGE_CODE).",
        )

    def handle(self, *args, emails, no_email, language, **options):
        cleaned = []
        for value in emails:
            try:
                email = invitations.clean_email(value)
            except ValidationError:
                raise CommandError(f"Not an email address: {value!r}. Nothing was sent.")
            if email not in cleaned:
                cleaned.append(email)
        failures = 0
        for email in cleaned:
            if invitations.has_account(email):
                self.stderr.write(f"{email}: already has an account; not invited.")
                failures += 1
                continue
            issued = invitations.issue(email, send=not no_email, language=language)
            self.stdout.write(f"{email}: {issued.link}")
            if not no_email and not issued.mailed:
                self.stderr.write(
                    f"{email}: the email could not be sent ({issued.mail_error}); "
                    "pass the link on yourself."
                )
                failures += 1
        if failures:
            raise CommandError(f"{failures} of {len(cleaned)} addresses need attention; see above.")
