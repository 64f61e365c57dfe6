from django.urls import include, path

from bench.baseline.views import InsertView, UpdateView

urlpatterns = [
    path("bench/insert/", InsertView.as_view()),
    path("bench/update/<int:pk>/", UpdateView.as_view()),
    path("", include("config.urls")),
]
