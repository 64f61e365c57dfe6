"""Serve our copy of a video or thumbnail to its owner, its team's managers and staff, by Range."""

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import ApiTokenAuthentication

from . import wire
from .media import download_name
from .models import MediaState, Video

CHUNK = 64 * 1024
CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
CONTENT_TYPES |= {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _remote_url(name: str, disposition: str | None) -> str:
    """The store's signed link; a download asks the store to send our file name."""
    if disposition:
        try:
            return default_storage.url(name, parameters={"ResponseContentDisposition": disposition})
        except TypeError:  # a store whose url() takes no parameters
            pass
    return default_storage.url(name)


def _chunks(handle, remaining):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _user(request):
    """The signed-in user, or the owner of an API token (for scripts downloading files)."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = ApiTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def _owned_copy(user, pk, kind) -> tuple[Video, str]:
    videos = Video.objects.visible_to(user).filter(media_state=MediaState.DONE)
    video = videos.filter(pk=pk).first()
    name = getattr(video, f"{kind}_file").name if video else ""
    if not name:
        raise Http404("No stored copy.")
    return video, name


@require_GET
def serve(request, pk, kind):
    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    video, name = _owned_copy(user, pk, kind)
    return send_copy(request, video, name, kind)


def send_copy(
    request, video: Video, name: str, kind: str, cache="private, max-age=3600", proxy=False
):
    """Stream a stored file (or hand out the remote store's link), honouring Range.

    `proxy` streams from a remote store too: its link names the owner's storage path.
    """
    extension = name.rsplit(".", 1)[-1].lower()
    disposition = None
    if request.GET.get("download"):
        disposition = content_disposition_header(True, download_name(video, extension))
    if not proxy and not isinstance(default_storage, FileSystemStorage):
        # A remote store (S3): hand out its short-lived signed link instead of proxying.
        return HttpResponseRedirect(_remote_url(name, disposition))
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The stored copy is missing.")
    size = default_storage.size(name)
    try:
        byte_range = wire.parse_range(request.headers.get("Range"), size)
    except wire.RangeNotSatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = byte_range or (0, size)
    handle.seek(start)
    length = stop - start
    response = StreamingHttpResponse(
        _chunks(handle, length),
        status=206 if byte_range else 200,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache
    sha = getattr(video, f"{kind}_sha256")
    if sha:
        response["ETag"] = f'"{sha}"'
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    if disposition:
        response["Content-Disposition"] = disposition
    return response
