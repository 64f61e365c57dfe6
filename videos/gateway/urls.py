"""Mounted at /luma/: the paths AceDataCloud's clients post to (no trailing slash)."""

from django.urls import re_path

from .views import TasksView, VideosView

urlpatterns = [
    re_path(r"^videos/?$", VideosView.as_view(), name="gateway-videos"),
    re_path(r"^tasks/?$", TasksView.as_view(), name="gateway-tasks"),
]
