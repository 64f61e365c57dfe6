"""Sending a confirmation link again, for any address typed on the anonymous form.

Every branch takes the same steps (the per-address limit, one mail, the same message), so
neither the page nor its timing says whether an account uses the address:
bench/account_forms.py measures it.
"""

from allauth.account.internal.flows.email_verification import (
    add_email_verification_sent_message,
    handle_verification_email_rate_limit,
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django.urls import reverse

from . import mail


def resend(request, email: str) -> None:
    address = EmailAddress.objects.filter(email__iexact=email).order_by("-verified").first()
    if address is None or not address.verified:
        # An unconfirmed address gets a new link; an unknown one allauth's "no account here".
        address = address or EmailAddress(user=None, email=email)
        send_verification_email_to_address(request, address, signup=False)
        return
    if handle_verification_email_rate_limit(request, email):
        login_url = request.build_absolute_uri(reverse("account_login"))
        mail.send("accounts/email/already_confirmed", email, {"login_url": login_url})
    add_email_verification_sent_message(request, email, signup=False)
