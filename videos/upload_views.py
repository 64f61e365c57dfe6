"""Serve an upload to whoever holds its address: AceDataCloud fetches frames and videos here.

No sign-in: the token in the path is unguessable, and it is the only way to name an upload.
The file is served as the type we wrote it as, never sniffed, and sandboxed.
"""

from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views.decorators.http import require_safe

from .models import Upload


@require_safe
def serve(request, token, ext):
    upload = Upload.objects.filter(token=token).only("file", "content_type").first()
    if upload is None or upload.extension != ext:
        raise Http404("No such upload.")
    if not isinstance(default_storage, FileSystemStorage):
        # A remote store (S3): a fresh signed link to the private object, on each request.
        return HttpResponseRedirect(default_storage.url(upload.file.name))
    try:
        handle = default_storage.open(upload.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The upload is gone.")
    response = FileResponse(handle, content_type=upload.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Robots-Tag"] = "noindex"
    return response
