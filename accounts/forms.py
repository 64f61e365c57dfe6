"""The site's account forms: allauth's sign-in and sign-up with the site's rules, the form
that sends a confirmation link again, and the one that names a new API token."""

from datetime import timedelta

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.userkit import filter_users_by_email
from allauth.core import context
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import admission, invitations, login_guard, preferences


class LoginForm(AllauthLoginForm):
    """allauth's sign-in, which first says plainly when sign-in is paused (HTTP 429)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or email")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs["autocomplete"] = "username"

    def clean(self):
        if login_guard.is_locked(self.cleaned_data.get("login"), self.request):
            raise forms.ValidationError(login_guard.lockout_message(), code="locked")
        return super().clean()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with an invitation's fixed address and the allowed domains.

    An address that already has an account is not refused: the form goes on as for a new
    one, allauth mails the address "you already have an account", and the page reads the
    same. Its password is hashed all the same, so the answer takes as long.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = context.request  # allauth's sign-up view does not hand its form the request
        self.invitation = invitations.from_session(request) if request is not None else None
        email = self.fields["email"]
        email.widget.attrs["autocomplete"] = "email"
        if self.invitation is not None:
            email.initial = self.invitation.email
            email.widget.attrs["readonly"] = True
            email.help_text = _("Your invitation is for this address.")
        elif settings.SIGNUP_EMAIL_DOMAINS:
            email.help_text = gettext(
                "Use your address at %(domains)s: sign-up is limited to those domains."
            ) % {"domains": admission.domains_sentence()}
        else:
            email.help_text = _("We send you a link to confirm it. Never shown to anyone.")

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if self.invitation is not None:
            if email != self.invitation.email.lower():
                raise forms.ValidationError(
                    gettext(
                        "This invitation is for %(email)s. Sign up with that address, or ask "
                        "for an invitation for this one."
                    )
                    % {"email": self.invitation.email}
                )
        else:
            refusal = admission.domain_refusal(email)
            if refusal:
                raise forms.ValidationError(refusal)
        return super().clean_email()

    def validate_unique_email(self, value):
        # Taken or not, go on (see the class's docstring), whatever EMAIL_VERIFICATION says.
        self.account_already_exists = bool(filter_users_by_email(value))
        return value

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


EXPIRY_CHOICES = [
    ("", _("Never")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        initial="API",
        help_text=_('What it is for, e.g. "laptop CLI" or "n8n".'),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label=_("Expires"))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name or any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_("Give the token a name of letters, digits or spaces."))
        return name

    def expires_at(self):
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None


class PreferencesForm(forms.Form):
    """The profile's language and time zone (blank: follow the browser, the site's zone)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow my browser"))] + list(settings.LANGUAGES),
        help_text=_("The site, and the emails it sends you, in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times are shown in this zone. Your allowance still resets by the site's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site_zone = _("The site's (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", site_zone)] + [
            (zone, zone.replace("_", " ")) for zone in preferences.time_zones()
        ]


class NotificationsForm(forms.Form):
    """The profile's email when a video ends (browser notifications are asked in the page)."""

    notify_by_email = forms.BooleanField(
        label=_("Email me when a video is ready or could not be made"),
        required=False,
        help_text=_("One email per video, with its link, in the language above."),
    )
