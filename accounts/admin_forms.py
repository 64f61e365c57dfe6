"""The admin's form for inviting several people at once."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import invitations

MAX_AT_ONCE = 200


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=gettext_lazy("One or many: separate them by new lines, commas or spaces."),
    )

    def clean_emails(self):
        raw = [part for part in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if part]
        emails, bad = [], []
        for part in raw:
            try:
                email = invitations.clean_email(part)
            except ValidationError:
                bad.append(part)
                continue
            if email not in emails:
                emails.append(email)
        if bad:
            raise ValidationError(
                _("These are not email addresses: %(addresses)s.")
                % {"addresses": ", ".join(b[:100] for b in bad[:20])}
            )
        if not emails:
            raise ValidationError(_("Enter at least one email address."))
        if len(emails) > MAX_AT_ONCE:
            raise ValidationError(
                _("Invite at most %(most)d people at once.") % {"most": MAX_AT_ONCE}
            )
        taken = [e for e in emails if invitations.has_account(e)]
        if taken:
            raise ValidationError(
                _(
                    "These addresses already have an account: %(addresses)s. Remove them and "
                    "try again."
                )
                % {"addresses": ", ".join(taken)}
            )
        return emails
