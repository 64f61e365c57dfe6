"""The studio's pages: my videos, new video, extend from a link, a video's page.

Views shape input with a form, call videos.services, and show what it says;
the rules (lengths, URLs, quota, ownership) all live behind the service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import lineage, services, sharing
from .errors import Conflict, InvalidRequest, NotFound, ServiceError, UpstreamUnavailable
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
        return services.submit(request.user, data)
    except InvalidRequest as exc:
        form.add_service_errors(exc.fields)
    except NotFound as exc:
        if isinstance(form, ExtendLinkForm):
            form.add_not_found(exc.message)
        else:
            form.add_error(None, exc.message)
    except ServiceError as exc:  # quota, and anything else the service refuses
        form.add_error(None, exc.message)
    return None


def _submitted(request, video):
    if video.action == Video.Action.EXTEND:
        text = _("Extending your video. This page updates itself when it is ready.")
    else:
        text = _("Making your video. This page updates itself when it is ready.")
    # "job-notice": the video's page takes it away once the job ends (static/video-page.js).
    messages.success(request, text, extra_tags="job-notice")
    return redirect("videos:detail", pk=video.pk)


@login_required
def video_new(request):
    form = GenerateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        video = _submit(request, form, form.job_data())
        if video is not None:
            return _submitted(request, video)
    return render(request, "videos/new.html", {"form": form, "quota": quota_status(request.user)})


@login_required
def video_extend_link(request):
    form = ExtendLinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        video = _submit(request, form, form.job_data())
        if video is not None:
            return _submitted(request, video)
    return render(
        request, "videos/extend_link.html", {"form": form, "quota": quota_status(request.user)}
    )


def _own_video(request, pk):
    return get_object_or_404(Video.objects.for_user(request.user), pk=pk)


def _detail(request, video, extend_form):
    return render(
        request,
        "videos/detail.html",
        {
            "video": video,
            "family": lineage.tree(video),
            "extend_form": extend_form,
            "quota": quota_status(request.user),
            **sharing.page_context(video),
        },
    )


@login_required
def video_detail(request, pk):
    return _detail(request, _own_video(request, pk), ExtendForm())


@login_required
@require_POST
def video_extend(request, pk):
    video = _own_video(request, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        child = _submit(request, form, form.job_data(parent=video.pk))
        if child is not None:
            return _submitted(request, child)
    return _detail(request, video, form)


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
