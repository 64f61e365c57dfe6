from django.urls import path, re_path

from . import (
    bulk_views,
    dashboard_views,
    media_views,
    share_views,
    stream_views,
    team_views,
    upload_views,
    views,
)
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
    path("teams/", team_views.team_list, name="teams"),
    path("teams/<uuid:team>/", team_views.team_detail, name="team"),
    path("teams/<uuid:team>/default/", team_views.team_make_default, name="team-default"),
    path("teams/<uuid:team>/invite/", team_views.team_invite, name="team-invite"),
    path("teams/<uuid:team>/share/", team_views.team_share, name="team-share"),
    path("videos/ask/", team_views.ask_more, name="ask"),
    path(
        "requests/<uuid:pk>/<str:verdict>/",
        team_views.answer_request,
        name="answer-request",
    ),
    path("dashboard/", dashboard_views.usage_dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_views.usage_export, name="dashboard-export"),
    path("videos/<uuid:pk>/favourite/", bulk_views.favourite, name="favourite"),
    path("videos/selected/delete/", bulk_views.delete_many, name="delete-many"),
    path("videos/selected/zip/", bulk_views.download_zip, name="download-zip"),
    path("videos/<uuid:pk>/share/", share_views.share, name="share"),
    path("videos/<uuid:pk>/share/revoke/", share_views.revoke, name="share-revoke"),
    # Share links: public, by token alone (a pattern, so odd bytes never reach the database).
    re_path(r"^s/(?P<token>[A-Za-z0-9_-]{16,64})/$", share_views.page, name="share-page"),
    re_path(
        r"^s/(?P<token>[A-Za-z0-9_-]{16,64})/video/$",
        share_views.media,
        {"kind": "video"},
        name="share-video",
    ),
    re_path(
        r"^s/(?P<token>[A-Za-z0-9_-]{16,64})/thumbnail/$",
        share_views.media,
        {"kind": "thumbnail"},
        name="share-thumbnail",
    ),
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
