"""Share links on the website: the owner opens and closes one; anyone with it sees the video.

The public page and its files answer to the token alone and show nothing about the owner,
their other videos, our /files/ addresses or AceDataCloud's; anything else is a 404.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import sharing
from .errors import NotFound, ServiceError
from .media_views import send_copy
from .models import Video


class ShareForm(forms.Form):
    EXPIRY_DAYS = {"never": None, "1": 1, "7": 7, "30": 30}

    show_prompt = forms.BooleanField(
        label=gettext_lazy("Show the prompt on the shared page"), required=False
    )
    expires = forms.ChoiceField(
        label=gettext_lazy("The link works"),
        choices=[
            ("never", gettext_lazy("Until I stop sharing")),
            ("1", gettext_lazy("For 1 day")),
            ("7", gettext_lazy("For 7 days")),
            ("30", gettext_lazy("For 30 days")),
        ],
        initial="never",
    )

    def expires_at(self):
        days = self.EXPIRY_DAYS[self.cleaned_data["expires"]]
        return timezone.now() + timedelta(days=days) if days else None


def _own_video(request, pk):
    return get_object_or_404(Video.objects.for_user(request.user), pk=pk)


@login_required
@require_POST
def share(request, pk):
    video = _own_video(request, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how long the link works."))
        return redirect("videos:detail", pk=video.pk)
    try:
        sharing.share(
            video, show_prompt=form.cleaned_data["show_prompt"], expires_at=form.expires_at()
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Anyone with the share link can now watch this video."))
    return redirect(reverse("videos:detail", kwargs={"pk": video.pk}) + "#share-heading")


@login_required
@require_POST
def revoke(request, pk):
    video = _own_video(request, pk)
    if sharing.revoke(video):
        messages.success(request, _("The share link no longer works."))
    return redirect(reverse("videos:detail", kwargs={"pk": video.pk}) + "#share-heading")


def _link(token):
    try:
        return sharing.find(token)
    except NotFound:
        raise Http404("No such share link.")


@require_GET
def page(request, token):
    link = _link(token)
    video = link.video
    base = reverse("videos:share-page", kwargs={"token": token})
    context = {
        "link": link,
        "video": video,
        "page_url": sharing.absolute(base),
        "video_src": base + "video/",
        "poster_src": base + "thumbnail/" if video.thumbnail_file else "",
        "video_abs": sharing.absolute(base + "video/"),
        "poster_abs": sharing.absolute(base + "thumbnail/") if video.thumbnail_file else "",
    }
    response = render(request, "videos/share.html", context)
    # The address is the credential: never pass it on to the sites a visitor goes to next.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def media(request, token, kind):
    video = _link(token).video
    name = getattr(video, f"{kind}_file").name
    if not name:
        raise Http404("No stored copy.")
    # Not kept by shared caches: a revoked link must stop working.
    # Streamed even from S3: a signed link would show the owner's storage path.
    return send_copy(request, video, name, kind, cache="private, max-age=300", proxy=True)
