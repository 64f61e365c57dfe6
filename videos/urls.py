from django.urls import path, re_path

from . import media_views, upload_views, views
from .webhooks import AceDataCallbackView

app_name = "videos"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("videos/", views.video_list, name="list"),
    path("videos/new/", views.video_new, name="new"),
    path("videos/extend/", views.video_extend_link, name="extend-link"),
    path("videos/<uuid:pk>/", views.video_detail, name="detail"),
    path("videos/<uuid:pk>/extend/", views.video_extend, name="extend"),
    path("videos/<uuid:pk>/refresh/", views.video_refresh, name="refresh"),
    path("videos/<uuid:pk>/delete/", views.video_delete, name="delete"),
    path("videos/<uuid:pk>/retry/", views.video_retry, name="retry"),
    path("videos/<uuid:pk>/cancel/", views.video_cancel, name="cancel"),
    # Our stored copies, for their owner (and staff), seekable.
    path("files/<uuid:pk>/video/", media_views.serve, {"kind": "video"}, name="media-video"),
    path(
        "files/<uuid:pk>/thumbnail/",
        media_views.serve,
        {"kind": "thumbnail"},
        name="media-thumbnail",
    ),
    # Uploaded frames and videos, public behind an unguessable token (AceDataCloud fetches them).
    re_path(
        r"^uploads/(?P<token>[A-Za-z0-9_-]{20,64})\.(?P<ext>png|jpg|webp|mp4)$",
        upload_views.serve,
        name="upload",
    ),
    # AceDataCloud's result callback; the per-job secret in the path is the credential.
    path(
        "webhooks/acedata/<uuid:video_id>/<str:secret>/",
        AceDataCallbackView.as_view(),
        name="webhook",
    ),
]
