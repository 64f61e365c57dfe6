"""The gateway's background work, on Django's Tasks framework like videos.tasks."""

from django_tasks import task

from . import delivery


@task()
def deliver_callback(video_id: str, attempt: int = 1) -> str:
    """POST one finished job's result to its client's callback_url (one attempt)."""
    return delivery.deliver(video_id, attempt)
