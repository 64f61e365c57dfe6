from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from . import login_guard


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        help_text="For resetting a forgotten password. Never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this email. Log in, or reset its password."
            )
        return email


class GuardedAuthenticationForm(AuthenticationForm):
    """Says that sign-in is paused, before checking a password it would refuse anyway."""

    def clean(self):
        if login_guard.is_locked(self.cleaned_data.get("username"), self.request):
            raise forms.ValidationError(login_guard.lockout_message(), code="locked")
        return super().clean()
