"""The site's URL map: each app's URL module, mounted once."""

from django.contrib import admin
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import last_modified
from django.views.i18n import JavaScriptCatalog

# The catalogue changes only with a deploy: browsers ask each time and get a 304 until then.
STARTED = timezone.now()
javascript_catalog = cache_control(no_cache=True)(
    last_modified(lambda request: STARTED)(JavaScriptCatalog.as_view())
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api_router")),
    path("luma/", include("videos.gateway.urls")),
    path("accounts/", include("accounts.urls")),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("", include("videos.ops_urls")),
    path("", include("videos.urls")),
]

# An API or gateway client gets JSON, and a database outage is a 503 (videos/error_views.py).
handler404 = "videos.error_views.not_found"
handler500 = "videos.error_views.server_error"
