"""The studio's pages: my videos, new video, extend from a link, a video's page.

Views shape input with a form, call videos.services, and show what it says;
the rules (lengths, URLs, quota, ownership) all live behind the service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import line, lineage, services, sharing, uploads
from .errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    QuotaExceeded,
    ServiceError,
    UpstreamUnavailable,
)
from .forms import ExtendForm, ExtendLinkForm, GenerateForm
from .models import Video
from .quota import quota_status
from .validation import SEARCH_MAX_WORDS, search_text

PAGE_SIZE = 12
IN_FLIGHT = "in_flight"  # the state filter for queued and processing together


def home(request):
    if request.user.is_authenticated:
        return redirect("videos:list")
    return render(request, "home.html", {"gallery": sharing.gallery()})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def _state_label(state: str) -> str:
    if state == IN_FLIGHT:
        return _("in progress")
    return Video.State(state).label if state else ""


@login_required
def video_list(request):
    state = request.GET.get("state", "")
    if state not in Video.State.values and state != IN_FLIGHT:
        state = ""  # an unknown filter shows everything rather than failing
    search_error, status = "", 200
    try:
        search = search_text(request.GET.get("q"), "q")
    except InvalidRequest as exc:
        search, search_error, status = "", exc.fields["q"][0], 400
    # The upstream payload can be large and the grid never shows it.
    videos = Video.objects.for_user(request.user).defer("upstream_payload").order_by("-created_at")
    videos = sharing.with_share_token(videos)  # a card says when its video is shared
    if state == IN_FLIGHT:  # queued and processing alike: what the allowance counts
        videos = videos.in_flight()
    elif state:
        videos = videos.filter(state=state)
    favourites = request.GET.get("favourites") == "1"
    if favourites:
        videos = videos.favourites()
    videos = videos.search(search, SEARCH_MAX_WORDS)
    page = Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))
    # The line's places, read once, and only when the page shows a job that may be waiting.
    if any(video.state == Video.State.QUEUED for video in page.object_list):
        places = line.positions(request.user)
        for video in page.object_list:
            video.line_place = places.get(video.pk)
    context = {
        "page": page,
        "state": state,
        "state_label": _state_label(state),
        "search": search,
        "search_error": search_error,
        "states": [(IN_FLIGHT, _("In progress")), *Video.State.choices],
        "favourites": favourites,
        "filtered": bool(state or search or favourites),
    }
    return render(request, "videos/list.html", context, status=status)


def _submit(request, form, data):
    """Run the service; on refusal put its reasons on the form and return None."""
    try:
        data = services.take_uploads(request.user, data)
        _keep_uploads(form, data)
        return services.submit_all(request.user, data)
    except InvalidRequest as exc:
        form.add_service_errors(exc.fields)
    except NotFound as exc:
        if isinstance(form, ExtendLinkForm):
            form.add_not_found(exc.message)
        else:
            form.add_error(None, exc.message)
    except ServiceError as exc:  # quota, and anything else the service refuses
        form.add_error(None, exc.message)
        form.ask_more = isinstance(exc, QuotaExceeded)
    return None


def _keep_uploads(form, data):
    """Show a stored upload's address in its field, so a refused form need not upload again."""
    form.data = form.data.copy()
    for field, url_field, _kind in uploads.FIELDS:
        if form.files.get(field) and url_field in form.fields:
            form.data[url_field] = data[url_field]


def _submitted(request, videos):
    video = videos[0]
    if len(videos) > 1:
        text = ngettext(
            "Making %(count)d video. Each updates itself when it is ready.",
            "Making %(count)d videos. Each updates itself when it is ready.",
            len(videos),
        ) % {"count": len(videos)}
        messages.success(request, text)
        return redirect("videos:list")
    if video.action == Video.Action.EXTEND:
        text = _("Extending your video. This page updates itself when it is ready.")
    else:
        text = _("Making your video. This page updates itself when it is ready.")
    # "job-notice": the video's page takes it away once the job ends (static/video-page.js).
    messages.success(request, text, extra_tags="job-notice")
    return redirect("videos:detail", pk=video.pk)


def _reused_settings(request) -> dict:
    """The settings of the video named by ?from=, for "Use these settings"; {} if none."""
    try:
        source = Video.objects.for_user(request.user).filter(pk=request.GET.get("from")).first()
    except ValidationError:
        return {}
    if source is None:
        return {}
    return {name: getattr(source, name) for name in Video.SETTINGS}


@login_required
def video_new(request):
    if request.method == "POST":
        form = GenerateForm(request.POST, request.FILES, user=request.user)
    else:
        form = GenerateForm(initial=_reused_settings(request), user=request.user)
    if form.is_bound and form.is_valid():
        videos = _submit(request, form, form.job_data())
        if videos:
            return _submitted(request, videos)
    return render(request, "videos/new.html", {"form": form, "quota": quota_status(request.user)})


@login_required
def video_extend_link(request):
    form = ExtendLinkForm(request.POST or None, request.FILES or None, user=request.user)
    if form.is_bound and form.is_valid():
        videos = _submit(request, form, form.job_data())
        if videos:
            return _submitted(request, videos)
    return render(
        request, "videos/extend_link.html", {"form": form, "quota": quota_status(request.user)}
    )


def _visible_video(request, pk):
    return get_object_or_404(Video.objects.visible_to(request.user), pk=pk)


def _own_video(request, pk):
    """The user's own video; one they may only look at (a team's, as its manager) is a 403."""
    video = _visible_video(request, pk)
    if video.owner_id != request.user.pk:
        raise PermissionDenied
    return video


def _detail(request, video, extend_form):
    return render(
        request,
        "videos/detail.html",
        {
            "video": video,
            "family": lineage.tree(video),
            "extend_form": extend_form,
            "line_place": line.positions(video.owner_id).get(video.pk) if video.is_in_flight else 0,
            "quota": quota_status(request.user),
            "mine": video.owner_id == request.user.pk,
            **sharing.page_context(video),
        },
    )


@login_required
def video_detail(request, pk):
    return _detail(request, _visible_video(request, pk), ExtendForm())


@login_required
@require_POST
def video_extend(request, pk):
    video = _own_video(request, pk)
    form = ExtendForm(request.POST, request.FILES)
    if form.is_valid():
        children = _submit(request, form, form.job_data(parent=video.pk))
        if children:
            return _submitted(request, children)
    return _detail(request, video, form)


@login_required
@require_POST
def video_retry(request, pk):
    video = _own_video(request, pk)
    try:
        again = services.retry(video)
    except ServiceError as exc:  # not failed, the quota, or settings no longer accepted
        messages.error(request, exc.message)
        return redirect("videos:detail", pk=video.pk)
    messages.success(request, _("Trying again with the same settings."))
    return redirect("videos:detail", pk=again.pk)


@login_required
@require_POST
def video_cancel(request, pk):
    video = _own_video(request, pk)
    try:
        services.cancel_waiting(video)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled. Its quota is yours again."))
    return redirect("videos:detail", pk=video.pk)


@login_required
@require_POST
def video_refresh(request, pk):
    video = _own_video(request, pk)
    try:
        video = services.refresh(video)
    except UpstreamUnavailable as exc:
        messages.error(
            request,
            _("AceDataCloud could not be asked just now: %(reason)s") % {"reason": exc.message},
        )
    else:
        if video.is_in_flight:
            messages.info(request, _("Still in progress at AceDataCloud."))
    return redirect("videos:detail", pk=video.pk)


@login_required
@require_POST
def video_delete(request, pk):
    video = _own_video(request, pk)
    try:
        services.delete(video)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("videos:detail", pk=video.pk)
    messages.success(request, _("The video was deleted."))
    return redirect("videos:list")
