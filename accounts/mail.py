"""The site's own account emails (invitations, approvals), from templates, in or out of a
request (the `invite` command has none). allauth sends its own (confirmation, reset)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send(template_prefix: str, to: str, context: dict) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` and send them to `to`."""
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    body = render_to_string(f"{template_prefix}_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.splitlines()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
    )
