"""The site's own account emails (invitations, approvals), from templates, in or out of a
request (the `invite` command has none), in the recipient's language. allauth sends its
own (confirmation, reset) through accounts/adapters.py, in the same language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send(template_prefix: str, to: str, context: dict, language: str | None = None) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in `language` (default: the
    active one) and send them to `to`."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        body = render_to_string(f"{template_prefix}_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.splitlines()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
    )
