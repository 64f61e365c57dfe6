"""Background work, on Django's Tasks framework (the django-tasks backport on 5.2)."""

from django_tasks import task

from . import media, reconcile, services


@task()
def dispatch_video(video_id: str) -> bool:
    """Submit one freshly created job to AceDataCloud."""
    return services.dispatch(video_id)


@task()
def sweep() -> dict:
    """Submit due jobs, poll jobs whose callback is late, and end jobs that hang too long."""
    return reconcile.sweep().as_dict()


@task()
def copy_media(video_id: str) -> bool:
    """Copy a finished video's files from AceDataCloud into our storage."""
    return media.copy(video_id)
