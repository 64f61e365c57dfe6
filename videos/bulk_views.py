"""Keeping My videos organised: the favourite star, and acting on several videos at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import bulk, services
from .errors import Conflict, InvalidRequest
from .models import Video


def _back(request, fallback="videos:list"):
    """Where the person came from (the list page they were on), or the fallback."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def favourite(request, pk):
    video = get_object_or_404(Video.objects.for_user(request.user), pk=pk)
    starred = request.POST.get("favourite") == "1"
    bulk.set_favourite(video, starred)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"favourite": starred})
    return _back(request)


def _selection(request):
    """The person's own chosen videos, or None after saying what was wrong."""
    try:
        ids = bulk.selected_ids(request.POST.getlist("ids"))
    except InvalidRequest as exc:
        messages.error(request, exc.fields["ids"][0])
        return None
    return bulk.chosen(request.user, ids)


@login_required
@require_POST
def delete_many(request):
    videos = _selection(request)
    if videos is None:
        return _back(request)
    deleted = kept = 0
    for video in videos:
        try:
            services.delete(video)
        except Conflict:
            kept += 1
        else:
            deleted += 1
    if deleted:
        messages.success(
            request,
            ngettext("%(count)d video was deleted.", "%(count)d videos were deleted.", deleted)
            % {"count": deleted},
        )
    if kept:
        messages.warning(
            request,
            ngettext(
                "%(count)d video is still being made and was kept.",
                "%(count)d videos are still being made and were kept.",
                kept,
            )
            % {"count": kept},
        )
    return _back(request)


@login_required
@require_POST
def download_zip(request):
    videos = _selection(request)
    if videos is None:
        return _back(request)
    if not any(video.has_copy for video in videos):
        messages.error(
            request,
            _("None of the chosen videos has a stored copy to download yet."),
        )
        return _back(request)
    response = StreamingHttpResponse(bulk.zip_chunks(videos), content_type="application/zip")
    name = f"luma-videos-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
