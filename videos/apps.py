from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (copies media when a job completes)
        from .gateway import receivers as gateway_receivers  # noqa: F401  (client callbacks)
