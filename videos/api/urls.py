from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import QuotaView, TokenView, VideoViewSet

router = DefaultRouter(trailing_slash=True)
router.register("videos", VideoViewSet, basename="video")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("quota/", QuotaView.as_view(), name="api-quota"),
    path("", include(router.urls)),
]
