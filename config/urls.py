from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from videos import media_views
from videos.webhooks import AceDataCallbackView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("videos.api.urls")),
    path("luma/", include("videos.gateway.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
    path(
        "webhooks/acedata/<uuid:video_id>/<str:secret>/",
        AceDataCallbackView.as_view(),
        name="webhook",
    ),
    path("files/<uuid:pk>/video/", media_views.serve, {"kind": "video"}, name="media-video"),
    path(
        "files/<uuid:pk>/thumbnail/",
        media_views.serve,
        {"kind": "thumbnail"},
        name="media-thumbnail",
    ),
    path("accounts/", include("accounts.urls")),
    path("", include("videos.urls")),
]
