from django.urls import path

from . import media_views, stream_views, views
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
    # Live updates for the signed-in person's pages (Server-Sent Events; ASGI processes).
    path("events/", stream_views.stream, name="events"),
    # Our stored copies, for their owner (and staff), seekable.
    path("files/<uuid:pk>/video/", media_views.serve, {"kind": "video"}, name="media-video"),
    path(
        "files/<uuid:pk>/thumbnail/",
        media_views.serve,
        {"kind": "thumbnail"},
        name="media-thumbnail",
    ),
    # AceDataCloud's result callback; the per-job secret in the path is the credential.
    path(
        "webhooks/acedata/<uuid:video_id>/<str:secret>/",
        AceDataCallbackView.as_view(),
        name="webhook",
    ),
]
