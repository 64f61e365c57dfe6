"""What the gateway keeps about a job it accepted: the client's request and its callback."""

import uuid

from django.db import models

from videos.models import Video

__all__ = ["GatewayJob"]


class GatewayJob(models.Model):
    """A Video submitted through /luma/videos, keyed by the video's id (the client's task_id)."""

    class Mode(models.TextChoices):
        SYNC = "sync", "Synchronous"
        ASYNC = "async", "Asynchronous (polled)"
        CALLBACK = "callback", "Callback"

    class Delivery(models.TextChoices):
        NONE = "", "No callback"
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    video = models.OneToOneField(
        Video, primary_key=True, on_delete=models.CASCADE, related_name="gateway_job"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    # The client's body as sent, echoed as the task record's `request`.
    request_body = models.JSONField(default=dict)
    # Our own trace id for this job; never AceDataCloud's.
    trace_id = models.UUIDField(default=uuid.uuid4, editable=False)

    callback_url = models.URLField(max_length=2000, blank=True)
    delivery_state = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.NONE, blank=True
    )
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_delivery_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivery_state="") | ~models.Q(callback_url=""),
                name="gateway_job_delivery_needs_url",
            ),
        ]

    def __str__(self):
        return f"Gateway {self.mode} job {self.video_id}"
