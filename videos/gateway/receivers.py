"""Start a callback delivery when a gateway job with a callback_url finishes; recover lost ones."""

import logging

from django.dispatch import receiver

from videos.signals import swept, video_finished

from . import delivery
from .models import GatewayJob

logger = logging.getLogger(__name__)


@receiver(video_finished, dispatch_uid="gateway-callback-delivery")
def queue_callback(sender, video_id, state, **kwargs):
    waiting = GatewayJob.objects.filter(
        pk=video_id, delivery_state=GatewayJob.Delivery.PENDING, delivery_attempts=0
    )
    if not waiting.exists():
        return
    try:
        delivery.schedule(video_id, 1)
    except Exception:
        logger.exception("Could not queue the callback for job %s", video_id)


@receiver(swept, dispatch_uid="gateway-recover-deliveries")
def recover_after_sweep(sender, report, **kwargs):
    """Requeue stalled deliveries as part of the worker's periodic sweep."""
    delivery.recover_stalled()
