"""The forms a team's manager fills in on the team page: invite someone, set a member's share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import invitations


class TeamInviteForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        help_text=_(
            "Someone with an account joins the team at once; anyone else gets an invitation."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self):
        try:
            return invitations.clean_email(self.cleaned_data["email"])
        except ValidationError:
            raise ValidationError(_("Enter an email address, such as name@example.com."))


class ShareForm(forms.Form):
    member = forms.CharField(max_length=150, widget=forms.HiddenInput)
    share = forms.IntegerField(
        label=_("Share per period"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=_("Blank: no share of their own."),
    )


class MoreRequestForm(forms.Form):
    amount = forms.IntegerField(
        label=_("How many more videos"), min_value=1, max_value=1000, initial=5
    )
    reason = forms.CharField(
        label=_("What they are for"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person who answers sees this."),
    )
    team = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
