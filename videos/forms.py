"""Page forms: they only shape what was typed; the rules live in videos.validation.

A view runs the service with `form.job_data()` and, on InvalidRequest, hands
the service's field errors back with `form.add_service_errors()`.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import teams

from . import budgets
from .models import AspectRatio
from .uploads import ACCEPT_IMAGES, ACCEPT_VIDEOS
from .validation import MAX_VARIATIONS, PROMPT_MAX

CONTINUES_HELP = format_lazy(
    _("Describe how the video continues. At most {most} characters."), most=PROMPT_MAX
)


class ServiceForm(forms.Form):
    # Service field names that have no input of their own on this form, and where to show them.
    error_aliases: dict[str, str] = {}
    # Whether the form asks which team the job is for (for people in a team or more).
    offers_team = False

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.offers_team and user is not None:
            self._add_team_field(user)

    def _add_team_field(self, user):
        mine = list(teams.memberships(user))
        if not mine:
            return
        default = min(mine, key=lambda m: (not m.is_default, m.joined_at, m.pk))
        meters = budgets.team_meters([m.team for m in mine])
        # Choices are offered here; whether the person may use a team is the service's call.
        self.fields["team"] = forms.CharField(
            label=_("For team"),
            required=False,
            initial=str(default.team.uuid),
            help_text=_("The job counts against this team's budget."),
            widget=forms.Select(
                choices=[(str(m.team.uuid), _team_label(m.team, meters[m.team_id])) for m in mine]
            ),
        )

    def add_service_errors(self, fields: dict[str, list[str]]):
        for name, messages in fields.items():
            name = self.error_aliases.get(name, name)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def job_data(self) -> dict:
        return dict(self.cleaned_data)


def _team_label(team, meter) -> str:
    if meter.limit is None:
        return team.name
    return _("%(team)s (%(left)d of %(limit)d left)") % {
        "team": team.name,
        "left": meter.remaining,
        "limit": meter.limit,
    }


def _prompt(label, help_text, required_hint=False):
    attrs = {"rows": 4, "data-counter": PROMPT_MAX}
    if required_hint:
        attrs["required"] = True
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs=attrs),
    )


def _image_url(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.URLInput(
            attrs={"placeholder": "https://…", "data-image-preview": "", "inputmode": "url"}
        ),
    )


def _file(label, accept, kind="image"):
    # The drop zone (static/js/drop-zone.js) adds drag and drop, paste and a preview; without
    # script it is a plain file picker (on a phone: the camera roll or the camera).
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.FileInput(attrs={"accept": accept, "data-drop-zone": kind}),
    )


def _image_file(label):
    return _file(label, ACCEPT_IMAGES)


class GenerateForm(ServiceForm):
    offers_team = True
    prompt = _prompt(
        _("Prompt"),
        format_lazy(
            _("Describe the scene, the motion and the style. At most {most} characters."),
            most=PROMPT_MAX,
        ),
        required_hint=True,
    )
    start_image_url = _image_url(
        _("First frame (optional)"), _("The address of an image to start from.")
    )
    end_image_url = _image_url(_("Last frame (optional)"), _("The address of an image to end on."))
    start_image = _image_file(_("…or upload the first frame"))
    end_image = _image_file(_("…or upload the last frame"))
    # Choices are offered here; whether a value is allowed is the service's call.
    aspect_ratio = forms.CharField(
        label=_("Aspect ratio"),
        required=False,
        initial=AspectRatio.WIDE,
        widget=forms.Select(choices=AspectRatio.choices),
    )
    loop = forms.BooleanField(
        label=_("Loop"),
        required=False,
        help_text=_("End where it starts, to play seamlessly on repeat."),
    )
    enhancement = forms.BooleanField(
        label=_("Enhance the prompt"),
        required=False,
        initial=True,
        help_text=_("Let Luma add detail to a short prompt."),
    )
    count = forms.TypedChoiceField(
        label=_("How many"),
        required=False,
        coerce=int,
        empty_value=1,
        initial=1,
        choices=[(n, str(n)) for n in range(1, MAX_VARIATIONS + 1)],
        help_text=_("Variations from the same settings, each counted against your allowance."),
    )

    def job_data(self):
        return {**self.cleaned_data, "action": "generate"}


class ExtendForm(ServiceForm):
    """Extend one of the user's videos from its page."""

    error_aliases = {"parent": "__all__"}

    prompt = _prompt(_("What happens next (optional)"), CONTINUES_HELP)
    end_image_url = _image_url(_("Last frame (optional)"), _("The address of an image to end on."))
    end_image = _image_file(_("…or upload the last frame"))

    def job_data(self, parent=None):
        return {**self.cleaned_data, "action": "extend", "parent": parent}


class ExtendLinkForm(ServiceForm):
    """Extend a video made elsewhere, named by its upstream video_id or its address."""

    error_aliases = {"parent": "__all__"}
    offers_team = True

    video_id = forms.CharField(
        label=_("Luma video id"),
        required=False,
        help_text=_("The video_id AceDataCloud gave the video, e.g. 6f0b…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    video_url = forms.CharField(
        label=_("…or the video's address"),
        required=False,
        help_text=_("A link to the .mp4 file. Give one of the two."),
        widget=forms.URLInput(attrs={"placeholder": "https://…/video.mp4", "inputmode": "url"}),
    )
    video_file = _file(_("…or upload the video"), ACCEPT_VIDEOS, kind="video")
    prompt = _prompt(_("What happens next (optional)"), CONTINUES_HELP)
    end_image_url = _image_url(_("Last frame (optional)"), _("The address of an image to end on."))
    end_image = _image_file(_("…or upload the last frame"))

    def clean(self):
        # Said here in the form's own words: the service would name its API fields.
        data = super().clean()
        given = [n for n in ("video_id", "video_url") if (data.get(n) or "").strip()]
        if data.get("video_file"):
            given.append("video_file")
        if not given and not self.errors:
            raise forms.ValidationError(
                _("Give the Luma video id or the video's address, or upload the video."),
                code="no_source",
            )
        if len(given) > 1:
            self.add_error(
                given[-1],
                _("Give only one of these: the Luma video id, the address or a file."),
            )
        return data

    def job_data(self):
        data = {**self.cleaned_data, "action": "extend"}
        # Send only the source the user gave, so an empty one is not read as a second source.
        for name in ("video_id", "video_url"):
            if not data[name].strip():
                data.pop(name)
        return data

    def add_not_found(self, message: str):
        self.add_error("video_id" if self.cleaned_data.get("video_id") else "video_url", message)
