"""The site's URL map: each app's URL module, mounted once."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api_router")),
    path("luma/", include("videos.gateway.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("videos.ops_urls")),
    path("", include("videos.urls")),
]

# An API or gateway client gets JSON, and a database outage is a 503 (videos/error_views.py).
handler404 = "videos.error_views.not_found"
handler500 = "videos.error_views.server_error"
