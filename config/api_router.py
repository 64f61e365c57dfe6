"""The REST API's URL map, assembled from both apps (mounted at /api/ by config/urls.py)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView
from videos.api.uploads import UploadView
from videos.api.views import QuotaView, TeamsView, VideoViewSet

router = DefaultRouter(trailing_slash=True)
router.register("videos", VideoViewSet, basename="video")

v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("quota/", QuotaView.as_view(), name="api-quota"),
    path("teams/", TeamsView.as_view(), name="api-teams"),
    path("uploads/", UploadView.as_view(), name="api-uploads"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="schema"), name="api-docs"),
]
