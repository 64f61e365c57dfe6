"""The operator's endpoints: health for probes and monitors, metrics for Prometheus."""

from django.urls import path

from . import health, metrics_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.ReadinessView.as_view(), name="readyz"),
    path(
        "readyz/web",
        health.ReadinessView.as_view(named_checks=health.WEB_CHECKS),
        name="readyz-web",
    ),
    path("metrics", metrics_views.metrics, name="metrics"),
]
