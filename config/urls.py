from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from videos.webhooks import AceDataCallbackView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("videos.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
    path(
        "webhooks/acedata/<uuid:video_id>/<str:secret>/",
        AceDataCallbackView.as_view(),
        name="webhook",
    ),
]
