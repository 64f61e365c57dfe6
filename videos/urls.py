from django.urls import path

from . import views

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
]
